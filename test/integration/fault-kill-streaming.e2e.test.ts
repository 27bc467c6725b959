import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { buildRequestMail, sampleSiret } from '../support/sample-mails';
import { DONE_KEYWORD } from '../../src/mail/mailbox-watcher';
import { openDatabase, type Database } from '../../src/db/client';
import { parseMail } from '../../src/mail/parse-mail';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { freshMailbox, type FreshMailbox } from '../helpers/fresh-mailbox';
import { startSink } from '../helpers/smtp-sink';
import { resendsByKill } from '../helpers/resends';
import { SMTP_POOL_SIZE } from '../../src/mail/smtp-transport';
import { freshDatabase, type DbKind } from './support/liquibot-harness';
import { startChildDaemon, type ChildDaemon } from './support/child-daemon';
import { appendAll, countOf, deliveriesByRecipient, incompressiblePdf, logLines, waitFor } from './support/fault-support';

/**
 * `liquibot run` SIGKILLed while a large mail (over STREAMED_FETCH_BYTES, so fetched in pieces and written to
 * the session's temporary table in the transaction that stores it) is being stored, on PostgreSQL and on the
 * embedded PGlite (which runs inside the daemon's process: the kill stops it in the middle of its writes).
 * After each kill: no half-stored row, no leftover pieces, the data directory opens again; after the last
 * restart the large mail and the small ones around it are each answered once and the document reaches the
 * agents whole. With PGlite, small requests are also killed mid-transaction, and what was acknowledged
 * before a kill (flagged on IMAP, accepted by SMTP) is checked to be in the database after it.
 */

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const AGENTS = 'agents@localhost.localdomain';
const BIG_FROM = 'gros@etude.example.fr';

/** Bytes of the temporary tables (PGlite's files `t<backend>_<relfilenode>` under base/): the pieces of a streamed mail. */
function temporaryBytes(pgliteDir: string): number {
  let total = 0;
  const base = join(pgliteDir, 'base');
  for (const db of readdirSync(base)) {
    for (const f of readdirSync(join(base, db))) {
      if (/^t\d+_\d+/.test(f)) total += statSync(join(base, db, f)).size;
    }
  }
  return total;
}

describe.each<DbKind>(['postgres', 'pglite'])('SIGKILL while a large mail is streamed into the database (%s)', (kind) => {
  let mailbox: FreshMailbox;
  let sink: SmtpSink;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let child: ChildDaemon | null = null;
  /** PGlite: one process at a time, so the test opens the data directory only while no daemon runs. */
  let probe: Database | null = null;

  beforeAll(async () => {
    mailbox = freshMailbox(`kill-${kind}`);
    sink = await startSink();
    db = await freshDatabase(kind);
    if (kind === 'pglite') await db.database.close();
  });
  afterAll(async () => {
    await child?.kill('SIGKILL');
    await probe?.close().catch(() => {});
    await sink?.stop();
    await db?.cleanup();
  });

  const env = () => ({
    IMAP_URL: mailbox.imapUrl,
    SMTP_URL: `${sink.url}?starttls=never`,
    DATABASE_URL: kind === 'postgres' ? db.url! : '',
    DATA_DIR: db.dataDir,
    MAIL_FROM: 'liquibot@support.example.fr',
    DOCUMENT_READING: 'false',
    LOG_LEVEL: 'info',
    OUTBOX_POLL_MS: '100', OUTBOX_LEASE_SECONDS: '3',
    HTTP_PORT: 'off',
    RESET_LINK_SECRET: 'kill-secret-0123456789-0123456789-abcdef',
  });
  /** The database as the test sees it: PostgreSQL through its own pool, PGlite opened after the daemon died. */
  async function withDb<T>(fn: (d: Database) => Promise<T>): Promise<T> {
    if (kind === 'postgres') return fn(db.database);
    probe = await openDatabase({ dataDir: db.dataDir });
    try {
      return await fn(probe);
    } finally {
      await probe.close();
      probe = null;
    }
  }

  it('stores the large mail once, whole, and answers every mail once', async () => {
    const small = Array.from({ length: kind === 'pglite' ? 30 : 4 }, (_, i) => ({
      from: `petit${i}@etude.example.fr`,
      raw: buildRequestMail({ from: `petit${i}@etude.example.fr`, siret: sampleSiret(100 + i), messageId: `<petit-${i}@custhelp.example.net>` }),
    }));
    // About 33 MiB on the wire (22 MiB with PGlite, which is slower), base64-encoded random bytes: a scan does not compress.
    const big = buildRequestMail({
      from: BIG_FROM, siret: sampleSiret(1), messageId: '<gros@custhelp.example.net>',
      attachment: { filename: 'jugement.pdf', content: incompressiblePdf((kind === 'pglite' ? 16 : 24) * 1024 * 1024), contentType: 'application/pdf' },
    });
    const bigBytes = Buffer.byteLength(big);
    expect(bigBytes).toBeGreaterThan(20 * 1024 * 1024);
    // Small ones first (PGlite: they are the ones killed mid-transaction), the large one, two after it.
    const before = small.slice(0, small.length - 2);
    const after = small.slice(small.length - 2);
    await appendAll(mailbox, [...before.map((m) => m.raw), big, ...after.map((m) => m.raw)]);
    const total = small.length + 1;

    const killTimes: number[] = [];
    const report: string[] = [];
    // PGlite: kills among the small requests first, at a random moment after the daemon processed a few.
    if (kind === 'pglite') {
      for (let k = 0; k < 3; k += 1) {
        child = startChildDaemon(env());
        const seen = (): number => logLines(child!.lines, 'mail processed').length;
        await waitFor('some small requests processed', () => seen() >= 3, 60_000, 5);
        // The last kill once a chunk was flagged on IMAP: acknowledged mail exists to be checked.
        if (k === 2) await waitFor('a chunk flagged', async () => (await mailbox.list()).some((m) => m.flags.includes(DONE_KEYWORD)), 60_000, 50);
        await new Promise((r) => setTimeout(r, Math.random() * 150));
        killTimes.push(Date.now());
        await child.kill('SIGKILL');
        child = null;
        // Nothing acknowledged is lost: every message flagged on IMAP is processed in the database, and every
        // mail the SMTP server accepted is an outbox row (sent, or to be sent again with its Message-ID).
        const flagged = (await mailbox.list()).filter((m) => m.flags.includes(DONE_KEYWORD)).map((m) => m.messageId);
        const sinkIds = sink.messages.map((m) => m.messageId);
        await withDb(async (d) => {
          const processed = new Set((await d.rows<{ id: string }>(sql`select message_id as id from inbound_messages where status = 'processed'`)).map((r) => r.id));
          expect(flagged.filter((id) => !processed.has(id!))).toEqual([]);
          const queued = new Set((await d.rows<{ id: string }>(sql`select message_id as id from outbox`)).map((r) => r.id));
          expect(sinkIds.filter((id) => !queued.has(id!))).toEqual([]);
          report.push(`kill ${k + 1} mid-batch: ${flagged.length} flagged, ${processed.size} processed rows, ${sinkIds.length} mails sent before it`);
        });
      }
    }

    // Kills while the large mail is being streamed: twice, then a run to the end.
    for (let k = 0; k < 2; k += 1) {
      child = startChildDaemon(env());
      let streamedBytes = 0;
      if (kind === 'postgres') {
        // Its session is inside the storing transaction, between two pieces or writing one.
        await waitFor('the large mail being streamed', async () => (await countOf(db.database, sql`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and state in ('active', 'idle in transaction')
            and query ilike '%insert into liquibot_raw_pieces%'`)) > 0, 60_000, 5);
      } else {
        const dir = join(db.dataDir, 'pglite');
        await waitFor('the large mail being streamed', () => {
          try {
            streamedBytes = temporaryBytes(dir);
          } catch {
            streamedBytes = 0;
          }
          return streamedBytes > 4 * 1024 * 1024;
        }, 60_000, 5);
      }
      killTimes.push(Date.now());
      await child.kill('SIGKILL');
      child = null;
      await withDb(async (d) => {
        // The dead session's transaction is rolled back: no row of the large mail, whole or not; its pieces went
        // with the session (PostgreSQL drops a dead backend's temporary table once it notices the client gone).
        const bigRows = await d.rows<{ n: number }>(sql`select count(*)::int as n from inbound_messages where size_bytes > 8388608 or length(raw) > 8388608`);
        expect(bigRows[0]!.n).toBe(0);
        if (kind === 'postgres') {
          await waitFor('the dead session gone', async () => (await countOf(d, sql`select count(*)::int as n from pg_class where relname = 'liquibot_raw_pieces'`)) === 0, 30_000);
        }
        expect(await countOf(d, sql`select count(*)::int as n from inbound_messages where status = 'stored'`)).toBe(0);
      });
      if (kind === 'pglite') {
        // The restart's recovery throws away the dead process's temporary files too.
        report.push(`kill mid-stream ${k + 1}: ${(streamedBytes / 1048576).toFixed(1)} MiB of pieces written`);
      } else {
        report.push(`kill mid-stream ${k + 1}`);
      }
    }

    const restartedAt = Date.now();
    child = startChildDaemon(env());
    await waitFor('every mail processed and answered', async () => {
      if (kind === 'pglite') {
        // The database is the daemon's: judge by the mailbox and the sink.
        const listed = await mailbox.list();
        const answered = deliveriesByRecipient(sink.messages);
        return listed.every((m) => m.flags.includes(DONE_KEYWORD)) && [...small.map((m) => m.from), BIG_FROM].every((f) => answered.has(f))
          && (answered.get(AGENTS)?.ids.size ?? 0) >= total && logLines(child!.lines, 'mail sent').length > 0;
      }
      return (await countOf(db.database, sql`select count(*)::int as n from inbound_messages where status = 'processed'`)) === total
        && (await countOf(db.database, sql`select count(*)::int as n from outbox where status <> 'sent'`)) === 0
        && (await mailbox.list()).every((m) => m.flags.includes(DONE_KEYWORD));
    }, 120_000, 200);
    const recoveredMs = Date.now() - restartedAt;
    // A stray second pass would show up as a second answer.
    await new Promise((r) => setTimeout(r, 1500));
    await child.kill('SIGTERM');
    expect(child.process.exitCode).toBe(0);
    child = null;

    await withDb(async (d) => {
      const rows = await d.rows<{ status: string; size: number; sha: string; raw: Buffer | null }>(
        sql`select status, size_bytes as size, sha256 as sha, case when size_bytes > 8388608 then raw end as raw from inbound_messages order by uid`,
      );
      expect(rows).toHaveLength(total);
      expect(rows.every((r) => r.status === 'processed')).toBe(true);
      const bigRow = rows.find((r) => r.size > 8 * 1024 * 1024)!;
      expect(bigRow.size).toBe(bigBytes);
      expect(bigRow.sha).toBe(sha(big));
      expect(sha(Buffer.from(bigRow.raw!))).toBe(sha(big));
      expect(await countOf(d, sql`select count(*)::int as n from tickets`)).toBe(total);
      expect(await countOf(d, sql`select count(*)::int as n from outbox where status <> 'sent'`)).toBe(0);
      const outboxIds = new Set((await d.rows<{ id: string }>(sql`select message_id as id from outbox`)).map((r) => r.id));
      expect(new Set(sink.messages.map((m) => m.messageId))).toEqual(outboxIds);
    });

    // No orphan: the pieces the killed processes had written (PGlite's temporary files) are gone too.
    if (kind === 'pglite') expect(temporaryBytes(join(db.dataDir, 'pglite'))).toBe(0);

    // One answer (one Message-ID) per requester; a same-ID resend only where a kill explains it.
    const by = deliveriesByRecipient(sink.messages);
    for (const from of [...small.map((m) => m.from), BIG_FROM]) expect(by.get(from)?.ids.size, from).toBe(1);
    expect(by.get(AGENTS)?.ids.size).toBe(total);
    const resends = resendsByKill(sink.messages, killTimes);
    expect(resends.unexplained).toEqual([]);
    for (const n of resends.perKill) expect(n).toBeLessThanOrEqual(SMTP_POOL_SIZE);
    // The court document reached the agents whole.
    const original = await parseMail(Buffer.from(big));
    const forwarded = await Promise.all(sink.messages.filter((m) => m.envelope.to.includes(AGENTS)).map(async (m) => (await parseMail(m.raw)).attachments.map((a) => a.sha256)));
    expect(forwarded.filter((shas) => shas.includes(original.attachments[0]!.sha256)).length).toBeGreaterThanOrEqual(1);
    expect((await mailbox.list()).filter((m) => !m.flags.includes(DONE_KEYWORD))).toEqual([]);
    console.info(`[fault-kill-streaming ${kind}] ${report.join('; ')}; after the last restart every mail answered within ${recoveredMs} ms; ${sink.messages.length} deliveries, ${resends.resends.length} same-ID resends`);
  }, 240_000);
});
