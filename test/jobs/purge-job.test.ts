import { describe, expect, it } from 'vitest';
import { slotHoldMs } from '../../src/jobs/purge-job';

const at = (iso: string) => new Date(iso);

describe('slotHoldMs', () => {
  it.each<[string, string, string | null, number]>([
    ['daily: capped at 10 minutes', '2026-11-26T03:17:00Z', '2026-11-27T03:17:00Z', 600_000],
    ['every 4 seconds: half the gap', '2026-11-26T03:17:00Z', '2026-11-26T03:17:04Z', 2_000],
    ['every 5 minutes: half the gap', '2026-11-26T03:15:00Z', '2026-11-26T03:20:00Z', 150_000],
    ['no next run known: the cap', '2026-11-26T03:17:00Z', null, 600_000],
    ['next run before the slot (clock jump): nothing', '2026-11-26T03:17:00Z', '2026-11-26T03:16:00Z', 0],
  ])('%s', (_name, slot, next, expected) => {
    expect(slotHoldMs(at(slot), next ? at(next) : null)).toBe(expected);
  });
});
