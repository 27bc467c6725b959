import { describe, expect, it } from 'vitest';
import type { RawRetentionCandidate } from '../../src/db/ops-queries';
import {
  documentsFromMessage, outboxBodyRetentionDecision, rawRetentionDecision, retentionCutoff,
} from '../../src/jobs/retention-rules';
import { formatBytes } from '../../src/cli/purge-command';

const now = new Date('2026-11-26T03:17:00Z');
const cutoff = retentionCutoff(now, 90);
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

const old: RawRetentionCandidate = {
  id: 1, status: 'processed', processedAt: daysAgo(120), sizeBytes: 1000, sha256: 'ab', ticketId: 7,
  ticketStatus: 'resolved', ticketUpdatedAt: daysAgo(100), awaitedByOutbox: false,
};

describe('retentionCutoff', () => {
  it('is N days before now', () => {
    expect(cutoff.toISOString()).toBe('2026-08-28T03:17:00.000Z');
  });
});

describe('rawRetentionDecision', () => {
  it.each<[string, Partial<RawRetentionCandidate>, string]>([
    ['resolved ticket, both old', {}, 'purge'],
    ['refused ticket, both old', { ticketStatus: 'refused' }, 'purge'],
    ['ignored or unrelated mail without ticket', { ticketId: null, ticketStatus: null, ticketUpdatedAt: null }, 'purge'],
    ['quarantined, never replayed', { status: 'quarantined', ticketId: null, ticketStatus: null, ticketUpdatedAt: null }, 'purge'],
    ['not processed yet', { status: 'stored', processedAt: null }, 'not-processed'],
    ['processed within N days', { processedAt: daysAgo(89) }, 'recent'],
    ['processed exactly at the cutoff', { processedAt: cutoff }, 'recent'],
    ['quarantined recently', { status: 'quarantined', processedAt: daysAgo(10), ticketId: null }, 'recent'],
    ['non-conforming ticket changed within N days (open)', { ticketStatus: 'non_conforming', ticketUpdatedAt: daysAgo(89) }, 'ticket-open'],
    ['non-conforming ticket unchanged for N days (abandoned)', { ticketStatus: 'non_conforming', ticketUpdatedAt: daysAgo(91) }, 'purge'],
    ['non-conforming ticket changed exactly at the cutoff (open)', { ticketStatus: 'non_conforming', ticketUpdatedAt: cutoff }, 'ticket-open'],
    ['abandoned ticket, both old', { ticketStatus: 'abandoned' }, 'purge'],
    ['abandoned ticket changed within N days', { ticketStatus: 'abandoned', ticketUpdatedAt: daysAgo(5) }, 'ticket-recent'],
    ['awaiting approval (open)', { ticketStatus: 'awaiting_approval' }, 'ticket-open'],
    // A request whose link went out is served: only its liquidator can move it again. Before the state
    // machine, an expired or reissued link kept the sources for ever.
    ['link expired, both old (served)', { ticketStatus: 'link_expired' }, 'purge'],
    ['link reissued, both old (served)', { ticketStatus: 'reissued' }, 'purge'],
    ['link expired, changed within N days', { ticketStatus: 'link_expired', ticketUpdatedAt: daysAgo(5) }, 'ticket-recent'],
    ['ticket row missing', { ticketStatus: null }, 'ticket-open'],
    ['closed but changed within N days', { ticketUpdatedAt: daysAgo(5) }, 'ticket-recent'],
    ['an unsent mail still attaches its documents', { awaitedByOutbox: true }, 'outbox-pending'],
    ['unsent attachment wins over quarantine', { status: 'quarantined', awaitedByOutbox: true }, 'outbox-pending'],
  ])('%s → %s', (_name, change, expected) => {
    const d = rawRetentionDecision({ ...old, ...change }, cutoff);
    expect(d.purge ? 'purge' : d.keep).toBe(expected);
  });
});

describe('outboxBodyRetentionDecision', () => {
  it.each<[string, { status: string; sentAt: Date | null; createdAt: Date }, string]>([
    ['sent long ago', { status: 'sent', sentAt: daysAgo(91), createdAt: daysAgo(91) }, 'purge'],
    ['failed long ago (no sentAt)', { status: 'failed', sentAt: null, createdAt: daysAgo(200) }, 'purge'],
    ['created long ago, sent recently', { status: 'sent', sentAt: daysAgo(3), createdAt: daysAgo(200) }, 'recent'],
    ['pending for ever', { status: 'pending', sentAt: null, createdAt: daysAgo(200) }, 'unsent'],
    ['being sent', { status: 'sending', sentAt: null, createdAt: daysAgo(200) }, 'unsent'],
  ])('%s → %s', (_name, row, expected) => {
    const d = outboxBodyRetentionDecision(row, cutoff);
    expect(d.purge ? 'purge' : d.keep).toBe(expected);
  });
});

describe('documentsFromMessage', () => {
  const check = {
    documents: [
      { filename: 'jugement.pdf', kind: 'pdf', size: 1200, sha256: 'aa', inboundMessageId: 1, extra: 'dropped' },
      { filename: null, kind: 'jpeg', size: 800, sha256: 'bb', inboundMessageId: 2 },
      { filename: 'annexe.pdf', kind: 'pdf', size: 10, sha256: 'cc', inboundMessageId: 1 },
    ],
  };
  it.each<[string, unknown, number, string[]]>([
    ['documents of message 1', check, 1, ['aa', 'cc']],
    ['documents of message 2', check, 2, ['bb']],
    ['none from message 3', check, 3, []],
    ['a check without documents', {}, 1, []],
    ['no check', null, 1, []],
  ])('%s', (_name, value, id, hashes) => {
    const docs = documentsFromMessage(value, id);
    expect(docs.map((d) => d.sha256)).toEqual(hashes);
    for (const d of docs) expect(Object.keys(d).sort()).toEqual(['filename', 'kind', 'sha256', 'size']);
  });
});

describe('formatBytes', () => {
  it.each([[0, '0 B'], [999, '999 B'], [1000, '1.0 kB'], [1_536_000, '1.5 MB'], [3e9, '3.0 GB']])('%i → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
