import { describe, expect, it } from 'vitest';
import { newMessageId, outboxRowFor, threadOn } from '../../src/outbox/outgoing-mail';

describe('newMessageId', () => {
  it('holds 128 random bits: never the same twice, nothing derivable from the ticket', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newMessageId('liquibot.example.fr')));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^<lj\.[0-9a-f]{32}@liquibot\.example\.fr>$/);
  });
});

describe('threadOn', () => {
  it.each([
    ['no parent', null, { inReplyTo: null, references: [] }],
    ['a first mail', { messageId: '<a@x>', references: [] }, { inReplyTo: '<a@x>', references: ['<a@x>'] }],
    ['a reply', { messageId: '<c@x>', references: ['<a@x>', '<b@x>'] }, { inReplyTo: '<c@x>', references: ['<a@x>', '<b@x>', '<c@x>'] }],
    ['a parent without Message-ID', { messageId: null, references: ['<a@x>'] }, { inReplyTo: null, references: ['<a@x>'] }],
  ])('%s', (_l, parent, want) => {
    expect(threadOn(parent)).toEqual(want);
  });

  it('bounds a very long chain but keeps its root and the parent', () => {
    const refs = Array.from({ length: 50 }, (_, i) => `<r${i}@x>`);
    const t = threadOn({ messageId: '<p@x>', references: refs });
    expect(t.references).toHaveLength(20);
    expect(t.references[0]).toBe('<r0@x>');
    expect(t.references.at(-1)).toBe('<p@x>');
  });
});

describe('outboxRowFor', () => {
  it('fixes every header before the first attempt', () => {
    const now = new Date('2026-11-26T10:00:00Z');
    const row = outboxRowFor({
      purposeKey: 'LJ-261126-0001:acknowledgment', kind: 'acknowledgment', ticketId: 1, ticketRef: 'LJ-261126-0001',
      to: 'req@x.fr', rendered: { subject: 's', text: 't', html: null, templateName: 'acknowledgment', templateVersion: 'abc' },
      messageIdDomain: 'liquibot.example.fr', parent: { messageId: '<m@x>', references: [] }, autoSubmitted: 'auto-replied', now,
    });
    expect(row).toMatchObject({
      toAddress: 'req@x.fr', inReplyTo: '<m@x>', references: ['<m@x>'], autoSubmitted: 'auto-replied',
      templateName: 'acknowledgment', templateVersion: 'abc', nextAttemptAt: now,
    });
    expect(row.messageId).toMatch(/^<lj\.[0-9a-f]{32}@liquibot\.example\.fr>$/);
  });
});
