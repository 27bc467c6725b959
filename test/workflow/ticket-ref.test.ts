import { describe, expect, it } from 'vitest';
import { formatTicketRef } from '../../src/workflow/ticket-ref';
import { findTicketRef } from '../../parsers/subject';

describe('formatTicketRef', () => {
  it.each([
    [42, '2026-11-26T10:00:00Z', 'Europe/Paris', 'LJ-261126-0042'],
    [1, '2026-11-26T23:30:00Z', 'Europe/Paris', 'LJ-261127-0001'],
    [1, '2026-11-26T23:30:00Z', 'UTC', 'LJ-261126-0001'],
    [123456, '2027-01-02T12:00:00Z', 'Europe/Paris', 'LJ-270102-123456'],
  ])('id %i at %s (%s) → %s', (id, at, tz, want) => {
    expect(formatTicketRef(id, new Date(at), tz)).toBe(want);
  });

  it('is found again in a reply subject', () => {
    const ref = formatTicketRef(42, new Date('2026-11-26T10:00:00Z'));
    expect(findTicketRef(`RE: [${ref}] Demande non conforme`)).toBe(ref);
  });
});
