import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { purgeCommand } from '../../src/cli/purge-command';
import { loadConfig } from '../../src/config';
import { PURGED_BODY } from '../../src/db/ops-queries';
import { inboundMessages, outbox, tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { buildAutoReply, buildRequestMail, buildUnrelatedMail } from '../support/sample-mails';
import { silentLogger } from '../../src/log';
import { runRetentionPurge, type PurgeReport } from '../../src/jobs/retention-purge';
import type { TicketCheck } from '../../src/workflow/ticket-check';
import { createHarness, type DbKind, type Harness } from './support/liquibot-harness';

const DAY = 86_400_000;
/** The daemon lives 120 days in the past: what it processes is old enough for RETENTION_DAYS=90. */
const past = () => new Date(Date.now() - 120 * DAY);

/**
 * `liquibot purge … --json` on PostgreSQL. On PGlite the command would open a second instance of the
 * data directory in this process (one per directory only), so the harness's database is used directly.
 */
async function purge(h: Harness, args: string[]): Promise<PurgeReport> {
  if (h.database.kind === 'pglite') {
    const days = args.includes('--days') ? Number(args[args.indexOf('--days') + 1]) : 90;
    const report = await runRetentionPurge({ database: h.database, log: silentLogger, now: new Date(), days, dryRun: args.includes('--dry-run') });
    return JSON.parse(JSON.stringify(report)) as PurgeReport;
  }
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
  const config = loadConfig({ DATABASE_URL: h.config.DATABASE_URL ?? '', DATA_DIR: h.config.DATA_DIR, HTTP_PORT: 'off' });
  expect(await purgeCommand([...args, '--json'], io, config, silentLogger)).toBe(0);
  return JSON.parse(out.join('\n')) as PurgeReport;
}

async function snapshot(h: Harness) {
  const inbound = await h.database.db.select().from(inboundMessages).orderBy(inboundMessages.id);
  const mails = await h.database.db.select().from(outbox).orderBy(outbox.id);
  const [events] = await h.database.rows<{ n: number }>(sql`select count(*)::int as n from ticket_events`);
  return {
    inbound: inbound.map((r) => ({ id: r.id, ticketId: r.ticketId, raw: r.raw?.length ?? null, sha256: r.sha256, size: r.sizeBytes, status: r.status })),
    outbox: mails.map((m) => ({ id: m.id, text: m.textBody, html: m.htmlBody, subject: m.subject })),
    events: events!.n,
  };
}

describe.each<DbKind>(['postgres', 'pglite'])('retention purge on %s', (db) => {
  let h: Harness;
  let closedTicketId: number;
  let subjectsBefore: string[] = [];
  let openTicketId: number;
  let staleTicketId: number;
  beforeAll(async () => {
    h = await createHarness({ db, now: past, env: { MAX_MESSAGE_BYTES: '3000', PURGE_CRON: 'off' } });
    await h.mailbox.append(buildRequestMail({ from: 'closed@etude.example.fr' }));
    await h.mailbox.append(buildRequestMail({ from: 'open@etude.example.fr', attachment: 'none' }));
    await h.mailbox.append(buildAutoReply('away@etude.example.fr'));
    await h.mailbox.append(buildUnrelatedMail('compta@entreprise.example.fr'));
    await h.mailbox.append(buildRequestMail({ from: 'big@etude.example.fr', pdfPadBytes: 5000 }));
    await h.mailbox.append(buildRequestMail({ from: 'stale@etude.example.fr', attachment: 'none', siret: '55203253400646' }));
    await h.start();
    await h.waitForProcessed(6);
    await h.stopDaemon();
    const [closed] = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'closed@etude.example.fr'));
    const [open] = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'open@etude.example.fr'));
    const [stale] = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'stale@etude.example.fr'));
    closedTicketId = closed!.id;
    openTicketId = open!.id;
    staleTicketId = stale!.id;
    // The open one's requester wrote again 10 days ago; the stale one's never answered its notice (120 days).
    await h.database.db.update(tickets).set({ updatedAt: new Date(Date.now() - 10 * DAY) }).where(eq(tickets.id, openTicketId));
    // What the approval flow does at the end: the ticket is resolved (100 days ago, here).
    await h.database.db.update(tickets).set({ status: 'resolved', updatedAt: new Date(Date.now() - 100 * DAY) }).where(eq(tickets.id, closedTicketId));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('--dry-run counts what would go and changes nothing', async () => {
    const before = await snapshot(h);
    const report = await purge(h, ['--dry-run']);
    expect(report.dryRun).toBe(true);
    // The resolved ticket's request, the stale non-conforming one, the auto-reply, the unrelated mail and the quarantined one.
    expect(report.tickets).toEqual({ abandoned: 1 });
    expect(report.raw.purged).toBe(5);
    expect(report.raw.kept).toEqual({ 'ticket-open': 1 });
    const closedRaw = before.inbound.filter((r) => r.status !== 'stored' && r.raw !== null);
    expect(report.raw.bytes).toBe(closedRaw.reduce((n, r) => n + r.size, 0) - closedRaw.find((r) => r.ticketId === openTicketId)!.size);
    expect(report.outboxBodies.purged).toBe(before.outbox.length);
    expect(report.outboxBodies.bytes).toBeGreaterThan(0);
    expect(await snapshot(h)).toEqual(before);
  });

  it('removes the raw sources of closed tickets and ticketless mail, keeping hashes and documents in history', async () => {
    const before = await snapshot(h);
    subjectsBefore = before.outbox.map((m) => m.subject);
    const report = await purge(h, []);
    expect(report.tickets).toEqual({ abandoned: 1 });
    expect(report.raw).toMatchObject({ purged: 5, kept: { 'ticket-open': 1 } });
    const after = await snapshot(h);
    for (const [i, row] of after.inbound.entries()) {
      expect(row.sha256).toBe(before.inbound[i]!.sha256);
      expect(row.size).toBe(before.inbound[i]!.size);
      expect(row.status).toBe(before.inbound[i]!.status);
    }
    const inbound = await h.database.db.select().from(inboundMessages).orderBy(inboundMessages.id);
    const rawOf = (ticketId: number | null) => inbound.filter((r) => r.ticketId === ticketId).map((r) => r.raw);
    expect(rawOf(openTicketId).every((raw) => raw !== null && raw.length > 0)).toBe(true);
    expect(rawOf(closedTicketId)).toEqual([null]);
    expect(rawOf(staleTicketId)).toEqual([null]);
    // The stale request is closed as abandoned; its last change stays the date retention counted from.
    const [stale] = await h.database.db.select().from(tickets).where(eq(tickets.id, staleTicketId));
    expect(stale!.status).toBe('abandoned');
    expect(stale!.updatedAt.getTime()).toBeLessThan(Date.now() - 100 * DAY);
    const staleEvents = await eventsOfTicket(h.database.db, staleTicketId);
    expect(staleEvents.filter((e) => e.kind === 'status_changed').at(-1)).toMatchObject({ fromStatus: 'non_conforming', toStatus: 'abandoned', actor: 'liquibot', detail: { reason: 'not-completed', retentionDays: 90 } });
    expect(staleEvents.filter((e) => e.kind === 'retention_purged')).toHaveLength(1);
    const [open] = await h.database.db.select().from(tickets).where(eq(tickets.id, openTicketId));
    expect(open!.status).toBe('non_conforming');
    // Senders are processed side by side: compare without order.
    expect(inbound.filter((r) => r.ticketId === null).map((r) => [r.outcome, r.raw]).sort()).toEqual([
      ['ignored:auto-reply', null], ['quarantined', null], ['unrelated', null],
    ]);

    const closed = (await h.database.db.select().from(tickets).where(eq(tickets.id, closedTicketId)))[0]!;
    const source = inbound.find((r) => r.ticketId === closedTicketId)!;
    const purged = (await eventsOfTicket(h.database.db, closedTicketId)).filter((e) => e.kind === 'retention_purged');
    expect(purged).toHaveLength(1);
    const documents = (closed.check).documents;
    expect(documents.length).toBe(1);
    expect(purged[0]!.detail).toEqual({
      inboundMessageId: source.id, sha256: source.sha256, sizeBytes: source.sizeBytes, retentionDays: 90,
      documents: documents.map(({ filename, kind, size, sha256 }) => ({ filename, kind, size, sha256 })),
    });
    expect((await eventsOfTicket(h.database.db, openTicketId)).filter((e) => e.kind === 'retention_purged')).toEqual([]);
  });

  it('empties the bodies of old outgoing mails and keeps their subject', async () => {
    const mails = await h.database.db.select().from(outbox).orderBy(outbox.id);
    expect(mails.length).toBeGreaterThan(0);
    for (const m of mails) {
      expect(m.textBody).toBe(PURGED_BODY);
      expect(m.htmlBody).toBeNull();
    }
    expect(mails.map((m) => m.subject)).toEqual(subjectsBefore);
    expect(subjectsBefore.every((subject) => subject.length > 0)).toBe(true);
  });

  it('is idempotent: a second run finds nothing and writes no event', async () => {
    const before = await snapshot(h);
    const report = await purge(h, []);
    expect(report.tickets.abandoned).toBe(0);
    expect(report.raw.purged).toBe(0);
    expect(report.outboxBodies.purged).toBe(0);
    expect(await snapshot(h)).toEqual(before);
  });

  it('keeps everything younger than --days', async () => {
    const report = await purge(h, ['--days', '200', '--dry-run']);
    expect(report.raw).toEqual({ purged: 0, bytes: 0, kept: {} });
    expect(report.tickets).toEqual({ abandoned: 0 });
  });

  it('reads a late answer on an abandoned request as a new request, checked anew', async () => {
    const notice = h.mailsTo('stale@etude.example.fr')[0]!;
    h.sink.clear();
    h.processed.length = 0;
    await h.mailbox.append(buildRequestMail({
      from: 'stale@etude.example.fr', subject: 'RE: LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE', siret: null, liquidatorEmail: null,
      inReplyTo: notice.messageId, references: [notice.messageId!],
    }));
    await h.start();
    await h.waitForProcessed(1);
    await h.stopDaemon();
    const mine = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'stale@etude.example.fr')).orderBy(tickets.id);
    expect(mine.map((t) => t.status)).toEqual(['abandoned', 'non_conforming']);
    // It brings only the court document. Merged with the closed request (SIRET and address) it would
    // conform; checked on its own, its notice asks for what it lacks.
    expect(h.mailsTo('stale@etude.example.fr')).toHaveLength(1);
    expect((mine[1]!.check).problems.map((p) => p.code).sort()).toEqual(['LIQUIDATOR_EMAIL_MISSING', 'SIRET_MISSING']);
  });
});
