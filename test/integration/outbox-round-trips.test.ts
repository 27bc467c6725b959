import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { PGlite } from '@electric-sql/pglite';
import type { Sql } from 'postgres';
import type { Database, Db } from '../../src/db/client';
import * as schema from '../../src/db/schema';
import { claimDueMail, enqueueMail, markMailsSent, type ClaimedOutboxRow, type OutboxClaimer } from '../../src/db/outbox-queries';
import { createLogger } from '../../src/log';
import { createOutboxWorker } from '../../src/mail/outbox-worker';
import type { MailSender, OutgoingMail, SendResult } from '../../src/mail/smtp-transport';
import { outboxRowFor } from '../../src/outbox/outgoing-mail';
import { databaseForSuite, LogCapture, type DbKind } from './support/liquibot-harness';

const LEASE_MS = 180_000;
const rendered = { subject: 'Accusé de réception', text: 'Bonjour', html: null, templateName: 'acknowledgment' as const, templateVersion: 'v1' };

/**
 * The outbox's cost per mail is its round trips: a claim is one statement for a whole batch, sent marks
 * that finish together share one, and the answer's arrival comes with the claim. Statements are counted
 * by a second drizzle over the same connection, which logs every statement it sends.
 */
describe.each<DbKind>(['postgres', 'pglite'])('outbox round trips on %s', (kind) => {
  const db = databaseForSuite(kind);
  const me: OutboxClaimer = { instanceId: `me-${kind}`, staleSeconds: 15, held: [], kind };
  let n = 0;

  afterEach(async () => {
    // Nothing of one test is due in the next (on PGlite any unheld claim is a dead process's).
    await db.database.rows(sql`update outbox set status = 'sent', claimed_until = null where status in ('pending', 'sending')`);
  });

  function counting(): { database: Database; statements: string[] } {
    const statements: string[] = [];
    const logger = { logQuery: (query: string) => void statements.push(query) };
    const client = (db.database.db as unknown as { $client: unknown }).$client;
    const counted = (kind === 'postgres'
      ? drizzlePostgres(client as Sql, { schema, logger })
      : drizzlePglite(client as PGlite, { schema, logger })) as unknown as Db;
    return { database: { ...db.database, db: counted }, statements };
  }

  /** A pending outbox row; the fields given are then set as raw columns. */
  async function row(columns: ReturnType<typeof sql> | null = null): Promise<number> {
    n += 1;
    await db.database.db.transaction((tx) => enqueueMail(tx, outboxRowFor({
      purposeKey: `rt:${kind}:${n}`, kind: 'acknowledgment', ticketId: null, ticketRef: null, to: `rt${n}@etude.example.fr`, rendered,
      messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now: new Date(Date.now() - 60_000),
    })));
    const id = Number((await db.database.rows<{ id: number }>(sql`select max(id) as id from outbox`))[0]!.id);
    if (columns) await db.database.rows(sql`update outbox set ${columns} where id = ${id}`);
    return id;
  }

  it('claims a batch in one statement: due order, taken claims with their reason, and when the mail each answers arrived', async () => {
    const now = new Date();
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
    // The answered mail was stored twice (under two UIDs): the newest copy is its arrival.
    const asked = `<asked-${kind}@etude.example.fr>`;
    const newest = new Date(now.getTime() - 3_600_000);
    for (const [uid, at] of [[1, new Date(now.getTime() - 7_200_000)], [2, newest]] as const) {
      await db.database.rows(sql`insert into inbound_messages (mailbox, uid_validity, uid, sha256, size_bytes, message_id, received_at)
        values ('INBOX', 1, ${uid}, ${`${kind}${uid}`.padEnd(64, '0')}, 10, ${asked}, ${at.toISOString()}::timestamptz)`);
    }
    const answer = await row(sql`next_attempt_at = ${ago(1_000)}::timestamptz, in_reply_to = ${asked}`);
    const earliest = await row(sql`next_attempt_at = ${ago(10_000)}::timestamptz`);
    const unknownParent = await row(sql`next_attempt_at = ${ago(1_000)}::timestamptz, in_reply_to = '<not-stored@x>'`);
    const expired = await row(sql`status = 'sending', claimed_by = 'gone', claimed_until = ${ago(1)}::timestamptz, attempts = 1,
      next_attempt_at = ${ago(5_000)}::timestamptz`);
    const later = await row(sql`next_attempt_at = ${new Date(now.getTime() + 60_000).toISOString()}::timestamptz`);

    const { database, statements } = counting();
    const claimed = await claimDueMail(database.db, { now, limit: 10, leaseMs: LEASE_MS, claimer: me });
    expect(statements).toHaveLength(1);
    expect(claimed.map((r) => r.id)).toEqual([earliest, expired, answer, unknownParent]);
    for (const r of claimed) {
      expect(r).toMatchObject({ status: 'sending', claimedBy: me.instanceId, attempts: r.id === expired ? 2 : 1, references: [], attachments: [] });
      expect(r.claimedUntil).toEqual(new Date(now.getTime() + LEASE_MS));
      expect(r.createdAt).toBeInstanceOf(Date);
      expect(r.reclaimed).toEqual(r.id === expired ? { reason: 'lease_expired', claimedBy: 'gone' } : null);
    }
    const byId = new Map(claimed.map((r) => [r.id, r]));
    expect(byId.get(answer)!.answersArrivedAt).toEqual(newest);
    for (const id of [earliest, unknownParent, expired]) expect(byId.get(id)!.answersArrivedAt).toBeNull();
    expect(byId.has(later)).toBe(false);

    // Sent marks in one statement, each under its own claim: a lease end 1 ms off is not the claim.
    statements.length = 0;
    const marks = claimed.map((r) => ({
      id: r.id, claimedUntil: new Date(r.claimedUntil!.getTime() + (r.id === earliest ? 1 : 0)), sentAt: now,
    }));
    const recorded = await markMailsSent(database.db, marks);
    expect(statements).toHaveLength(1);
    expect([...recorded].sort((a, b) => a - b)).toEqual([expired, answer, unknownParent].sort((a, b) => a - b));
    const states = await db.database.rows<{ id: number; status: string; sent: boolean }>(sql`
      select id::int as id, status, sent_at is not null as sent from outbox where id in (${earliest}, ${expired}, ${answer}, ${unknownParent}) order by id`);
    expect(states.map((s) => [s.id, s.status, s.sent])).toEqual([[answer, 'sent', true], [earliest, 'sending', false], [unknownParent, 'sent', true], [expired, 'sent', true]]);
  });

  /**
   * A sender whose sends wait until `expected` of them are under way; then `meanwhile` runs and they all
   * succeed at once, in the order they were made: their sent marks are recorded at the same moment.
   */
  function heldSender(expected: number, meanwhile: (mails: OutgoingMail[]) => Promise<void>): MailSender {
    const waiting: { mail: OutgoingMail; release: (r: SendResult) => void }[] = [];
    return {
      send: (mail) => new Promise<SendResult>((release) => {
        waiting.push({ mail, release });
        if (waiting.length === expected) {
          void meanwhile(waiting.map((w) => w.mail)).then(() => {
            for (const w of waiting) w.release({ kind: 'sent', response: '250 ok' });
          });
        }
      }),
      close() {},
    };
  }

  // No claimer: only a lease that ran out frees a claim, so the row another instance took stays its.
  function worker(database: Database, sender: MailSender, log: LogCapture, settled: [ClaimedOutboxRow, string][]) {
    return createOutboxWorker({
      database, sender, log: createLogger({ level: 'info', destination: log }),
      from: { name: 'Liquibot', address: 'liquibot@support.example.fr' },
      maxAttempts: 3, pollMs: 60_000, retryBaseMs: 1000, leaseMs: LEASE_MS, concurrency: 3,
      onSettled: (r, result) => void settled.push([r, result]),
    });
  }
  const sentMarks = (statements: string[]) => statements.filter((s) => s.includes('v(id, claimed_until, sent_at)'));
  const entries = (log: LogCapture) => log.lines.map((l) => JSON.parse(l) as { msg: string; outboxId?: number; step?: string });

  it('records sends that finish together in fewer statements, each row with its own result', async () => {
    const ids = [await row(), await row(), await row()];
    const { database, statements } = counting();
    let taken: number | null = null;
    // While the three mails are being sent, another instance takes the last one's claim (its lease ran out).
    const sender = heldSender(3, async (mails) => {
      taken = Number((await db.database.rows<{ id: number }>(sql`select id::int as id from outbox where message_id = ${mails[2]!.messageId}`))[0]!.id);
      await db.database.rows(sql`update outbox set claimed_by = 'other', claimed_until = claimed_until + interval '1 minute' where id = ${taken}`);
    });
    const log = new LogCapture();
    const settled: [ClaimedOutboxRow, string][] = [];
    const w = worker(database, sender, log, settled);
    await w.drain();
    await w.stop();

    // The first mark is written at once, alone; the two made while it was in flight go together.
    expect(sentMarks(statements)).toHaveLength(2);
    const rows = await db.database.rows<{ id: number; status: string; claimed_by: string }>(sql`
      select id::int as id, status, claimed_by from outbox where id in (${ids[0]}, ${ids[1]}, ${ids[2]}) order by id`);
    expect(rows.map((r) => [r.id, r.status, r.claimed_by])).toEqual(ids.map((id) => [id, id === taken ? 'sending' : 'sent', id === taken ? 'other' : null]));
    const logged = entries(log);
    expect(logged.filter((e) => e.msg === 'mail sent').map((e) => e.outboxId).sort()).toEqual(ids.filter((id) => id !== taken).sort());
    expect(logged.filter((e) => e.msg.startsWith('outbox row no longer held')).map((e) => [e.outboxId, e.step])).toEqual([[taken, 'sent']]);
    // Settled once each, after its mark (the lost one too, as before: its mail went).
    expect(settled.map(([r, result]) => [r.id, result]).sort()).toEqual(ids.map((id) => [id, 'sent']).sort());
  });

  it('retries a failed group write, each row on its own, until every send is recorded', async () => {
    // The database refuses the first two sent-mark statements (a sequence is not rolled back with them).
    await db.database.rows(sql`create sequence refused_marks`);
    await db.database.rows(sql.raw(`create function refuse_marks() returns trigger language plpgsql as $$
      begin
        if new.status = 'sent' and nextval('refused_marks') <= 2 then raise exception 'refused for the test'; end if;
        return new;
      end $$`));
    await db.database.rows(sql`create trigger refuse_marks before update on outbox for each row execute function refuse_marks()`);
    try {
      const ids = [await row(), await row(), await row()];
      const { database, statements } = counting();
      const log = new LogCapture();
      const settled: [ClaimedOutboxRow, string][] = [];
      const w = worker(database, heldSender(3, async () => {}), log, settled);
      await w.drain();
      await w.stop();

      // Alone, then the two that waited: both refused; then the retries.
      expect(sentMarks(statements).length).toBeGreaterThanOrEqual(3);
      const rows = await db.database.rows<{ status: string }>(sql`select status from outbox where id in (${ids[0]}, ${ids[1]}, ${ids[2]})`);
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
      const logged = entries(log);
      const per = (msg: string) => logged.filter((e) => e.msg === msg).map((e) => e.outboxId).sort();
      expect(per('outbox outcome not recorded, retrying')).toEqual([...ids].sort());
      expect(per('outbox outcome recorded after database errors')).toEqual([...ids].sort());
      expect(per('mail sent')).toEqual([...ids].sort());
      expect(settled.map(([r, result]) => [r.id, result]).sort()).toEqual(ids.map((id) => [id, 'sent']).sort());
    } finally {
      await db.database.rows(sql`drop trigger refuse_marks on outbox`);
      await db.database.rows(sql`drop function refuse_marks`);
      await db.database.rows(sql`drop sequence refused_marks`);
    }
  });
});
