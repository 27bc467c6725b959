import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { buildRequestMail, sampleSiret } from '../support/sample-mails';
import { DONE_KEYWORD } from '../../src/mail/mailbox-watcher';
import { migrateDatabase, openDatabase } from '../../src/db/client';
import { ensureSystemUser } from '../support/sandbox/system-user';
import { createHarness, type Harness } from './support/liquibot-harness';
import { startChildDaemon, type ChildDaemon } from './support/child-daemon';
import { freshMailbox, type FreshMailbox } from '../helpers/fresh-mailbox';
import { startSink } from '../helpers/smtp-sink';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { findFreePort } from '../support/sandbox/find-free-port';
import { startPostgresCluster, type PostgresCluster } from '../support/sandbox/postgres-cluster';
import { mountSmallDisk, type SmallDisk } from './support/small-disk';
import { countOf, deliveriesByRecipient, incompressiblePdf, logLines, waitFor } from './support/fault-support';

/**
 * The disk of the database fills up. PostgreSQL: the database lives in a tablespace on a small tmpfs, the WAL
 * stays on the cluster's own disk, as when a data volume fills up: writes fail with SQLSTATE 53100 ("could
 * not extend file …: No space left on device"), reads work, the server does not PANIC. Expected: every
 * mail is refused and retried (unflagged on IMAP, nothing half-stored, never quarantined), the failure is
 * logged and shown in /healthz, and once space is back every request is answered once.
 * PGlite: its whole data directory (WAL included) on the small tmpfs, `liquibot run` as a child process.
 * PGlite reports 53100 when a data file cannot grow, but wedges when its WAL cannot (see the last case), so
 * liquibot refuses to store a mail into it before the disk is that full (DISK_FULL, src/intake/disk-room.ts).
 */

interface Health { status: string; reasons: string[] }

const requestsFrom = (tag: string, n: number, offset: number) => Array.from({ length: n }, (_, i) => ({
  from: `${tag}${i}@etude.example.fr`,
  messageId: `<${tag}-${i}@custhelp.example.net>`,
  raw: buildRequestMail({ from: `${tag}${i}@etude.example.fr`, siret: sampleSiret(offset + i), messageId: `<${tag}-${i}@custhelp.example.net>` }),
}));

describe('the database disk is full (PostgreSQL, tablespace on a full tmpfs)', () => {
  let disk: SmallDisk;
  let h: Harness | undefined;
  const name = `full_${process.pid}_${randomBytes(3).toString('hex')}`;
  let admin: postgres.Sql;
  let url: string;
  let cluster: PostgresCluster | undefined;

  beforeAll(async () => {
    disk = mountSmallDisk(40);
    // A cluster of its own: while the tablespace is full, any backend of the cluster that evicts one of its
    // dirty pages fails to write it, and the test files running beside this one (creating their databases
    // in the shared cluster) would fail with it.
    cluster = await startPostgresCluster();
    const adminUrl = cluster.url('postgres');
    admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    // The tablespace's directory belongs to the server's user (the cluster runs as it, never as root).
    const owner = await ensureSystemUser(['postgres'], 'liquibot-pg');
    const location = join(disk.path, 'ts');
    mkdirSync(location);
    chownSync(location, owner.uid, owner.gid);
    await admin.unsafe(`create tablespace ${name} location '${location}'`);
    await admin.unsafe(`create database ${name} tablespace ${name}`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    const d = await openDatabase({ url, dataDir: disk.path });
    await migrateDatabase(d);
    await d.close();
  });
  afterAll(async () => {
    try {
      await h?.close();
    } finally {
      try {
        await admin?.unsafe(`drop database if exists ${name} with (force)`);
        await admin?.unsafe(`drop tablespace if exists ${name}`);
        await admin?.end({ timeout: 5 });
      } finally {
        await cluster?.stop();
        disk?.unmount();
      }
    }
  });

  it('refuses and retries while full, says so, and answers every request once when space is back', async () => {
    h = await createHarness({ joinDatabase: url, env: { RESYNC_CRON: '*/2 * * * * *' } });
    const daemon = await h.start();
    const health = async (): Promise<Health> => (await fetch(`http://127.0.0.1:${daemon.operations.http!.port}/healthz`)).json() as Promise<Health>;
    const first = requestsFrom('avant', 1, 0)[0]!;
    await h.deliver(first.raw);

    const filled = disk.fill();
    const fullAt = Date.now();
    const mails = requestsFrom('plein', 8, 10);
    for (const m of mails) await h.mailbox.append(m.raw);
    // Retried, not dropped: at least two passes over them failed.
    await waitFor('two failed passes', () => logLines(h!.logs.lines, 'message not handled, will retry').length >= 2 * mails.length, 60_000);
    const failures = logLines(h.logs.lines, 'message not handled, will retry');
    const codes = new Set(failures.map((l) => l.code));
    const report = await health();

    // Nothing half-stored or quarantined; flagged on IMAP exactly what was committed, and answered only that
    // (a transaction that fits in the free room of pages already allocated may still commit: then it is done).
    const flagged = (await h.mailbox.list()).filter((m) => m.flags.includes(DONE_KEYWORD)).map((m) => m.messageId).sort();
    const committed = (await h.database.rows<{ id: string }>(sql`select message_id as id from inbound_messages where status = 'processed'`)).map((r) => r.id).sort();
    expect(flagged).toEqual(committed);
    const answered = mails.filter((x) => h!.sink.messages.some((m) => m.envelope.to.includes(x.from)));
    for (const x of answered) expect(committed, x.from).toContain(x.messageId);
    expect(flagged.length).toBeLessThan(mails.length);
    expect(await countOf(h.database, sql`select count(*)::int as n from inbound_messages where status = 'quarantined'`)).toBe(0);
    // A row stored before the processing failed is whole (its bytes hash to its SHA-256), waiting to be processed.
    expect(await countOf(h.database, sql`select count(*)::int as n from inbound_messages where raw is null or encode(sha256(raw), 'hex') <> sha256`)).toBe(0);
    expect([...codes]).toEqual(['53100']);
    expect(report.status).toBe('failing');
    expect(report.reasons).toContain('DATABASE_WRITE_FAILED');

    disk.free();
    const freedAt = Date.now();
    await waitFor('every request answered', async () =>
      (await countOf(h!.database, sql`select count(*)::int as n from inbound_messages where status = 'processed'`)) === mails.length + 1
      && (await countOf(h!.database, sql`select count(*)::int as n from outbox where status <> 'sent'`)) === 0
      && (await h!.mailbox.list()).every((m) => m.flags.includes(DONE_KEYWORD)), 60_000, 100);
    const recoveredMs = Date.now() - freedAt;
    await h.daemon!.outbox.drain();
    await new Promise((r) => setTimeout(r, 1000)); // a second answer would show up now

    const by = deliveriesByRecipient(h.sink.messages);
    for (const m of [first, ...mails]) expect(by.get(m.from), m.from).toEqual({ deliveries: 1, ids: expect.any(Set) });
    expect(by.get('agents@support.example.fr')?.deliveries).toBe(mails.length + 1);
    expect(await countOf(h.database, sql`select count(*)::int as n from inbound_messages`)).toBe(mails.length + 1);
    expect(await countOf(h.database, sql`select count(*)::int as n from inbound_messages where status <> 'processed'`)).toBe(0);
    expect(await countOf(h.database, sql`select count(*)::int as n from tickets`)).toBe(mails.length + 1);
    await waitFor('health ok again', async () => (await health()).status === 'ok', 30_000);
    console.info(`[fault-disk-full postgres] filled ${(filled / 1048576).toFixed(1)} MiB; ${failures.length} refusals (codes ${[...codes].join(',')}) in ${Date.now() - fullAt} ms; ${flagged.length - 1} of ${mails.length} committed while full; /healthz ${report.status} ${report.reasons.join(',')}; all answered ${recoveredMs} ms after space was freed`);
  }, 120_000);
});

/**
 * `liquibot run` on PGlite, its whole data directory on a small tmpfs of its own (unmounted after, even on
 * failure), watching a fresh mailbox and sending to a sink; the first request answered before the test fills
 * the disk. `recover()` frees the disk and checks what every case expects after: each request answered once,
 * every mail flagged, health ok again, a clean stop.
 */
function pgliteOnSmallDisk(sizeMiB: number, prefix: string) {
  const t = {} as { disk: SmallDisk; mailbox: FreshMailbox; sink: SmtpSink; child: ChildDaemon | null; port: number; dataDir: string };
  t.child = null;
  beforeAll(async () => {
    t.disk = mountSmallDisk(sizeMiB);
    t.mailbox = freshMailbox(prefix);
    t.sink = await startSink();
  });
  afterAll(async () => {
    try {
      await t.child?.kill('SIGKILL');
      await t.sink?.stop();
    } finally {
      t.disk?.unmount();
    }
  });
  const answered = (from: string) => t.sink.messages.filter((m) => m.envelope.to.includes(from)).length;
  // A daemon whose event loop is blocked does not answer: a bounded wait, then a failure that says so.
  const health = async (): Promise<Health> =>
    (await fetch(`http://127.0.0.1:${t.port}/healthz`, { signal: AbortSignal.timeout(10_000) })).json() as Promise<Health>;
  return {
    t, answered, health,
    async start(): Promise<ChildDaemon> {
      t.port = await findFreePort('127.0.0.1');
      t.dataDir = join(t.disk.path, 'data');
      t.child = startChildDaemon({
        IMAP_URL: t.mailbox.imapUrl, SMTP_URL: `${t.sink.url}?starttls=never`, DATABASE_URL: '', DATA_DIR: t.dataDir,
        MAIL_FROM: 'liquibot@support.example.fr', AGENTS_ADDRESS: 'agents@support.example.fr', DOCUMENT_READING: 'false', LOG_LEVEL: 'info',
        OUTBOX_POLL_MS: '100', HTTP_PORT: String(t.port), RESYNC_CRON: '*/2 * * * * *',
        RESET_LINK_SECRET: 'full-secret-0123456789-0123456789-abcdef',
      });
      const first = requestsFrom('avant', 1, 0)[0]!;
      await t.mailbox.append(first.raw);
      await waitFor('the first answer', () => answered(first.from) === 1, 90_000);
      return t.child;
    },
    /** Frees the disk; returns how long until every request was answered. */
    async recover(mails: { from: string }[]): Promise<number> {
      t.disk.free();
      const freedAt = Date.now();
      await waitFor('every request answered', async () =>
        mails.every((m) => answered(m.from) >= 1) && t.sink.messages.filter((m) => m.envelope.to.includes('agents@support.example.fr')).length >= mails.length + 1
        && (await t.mailbox.list()).every((m) => m.flags.includes(DONE_KEYWORD)), 60_000, 100);
      const recoveredMs = Date.now() - freedAt;
      await waitFor('health ok again', async () => (await health()).status === 'ok', 30_000);
      await new Promise((r) => setTimeout(r, 1000));
      await t.child!.kill('SIGTERM');
      expect(t.child!.process.exitCode).toBe(0);
      t.child = null;
      const by = deliveriesByRecipient(t.sink.messages);
      for (const m of [{ from: 'avant0@etude.example.fr' }, ...mails]) expect(by.get(m.from), m.from).toEqual({ deliveries: 1, ids: expect.any(Set) });
      expect(by.get('agents@support.example.fr')?.deliveries).toBe(mails.length + 1);
      return recoveredMs;
    },
  };
}

describe('the database disk is full (PGlite, its data directory on a full tmpfs)', () => {
  const daemon = pgliteOnSmallDisk(96, 'full-pglite');
  const { t, answered, health } = daemon;

  it('refuses and retries while full, says so, and answers every request once when space is back', async () => {
    const child = await daemon.start();
    const filled = t.disk.fill();
    const fullAt = Date.now();
    const mails = requestsFrom('plein', 6, 10);
    for (const m of mails) await t.mailbox.append(m.raw);
    await waitFor('two failed passes', () => logLines(child.lines, 'message not handled, will retry').length >= 2 * mails.length, 60_000);
    const failures = logLines(child.lines, 'message not handled, will retry');
    const codes = new Set(failures.map((l) => l.code));
    const report = await health();
    expect(mails.map((m) => answered(m.from))).toEqual(mails.map(() => 0));
    // The database is the daemon's while it runs: what it committed is checked after it stops.
    const flagged = (await t.mailbox.list()).filter((m) => m.flags.includes(DONE_KEYWORD)).map((m) => m.messageId);
    expect(flagged.length).toBeLessThan(mails.length);
    // liquibot refuses before PGlite meets the full disk (src/intake/disk-room.ts).
    expect([...codes]).toEqual(['DISK_FULL']);
    expect(logLines(child.lines, 'processing failed, message quarantined')).toEqual([]);
    expect(report.status).toBe('failing');
    expect(report.reasons).toContain('DATABASE_WRITE_FAILED');

    const recoveredMs = await daemon.recover(mails);
    // The data directory opens again; every mail stored once, whole, processed; nothing quarantined or pending.
    const d = await openDatabase({ dataDir: t.dataDir });
    try {
      expect(await countOf(d, sql`select count(*)::int as n from inbound_messages`)).toBe(mails.length + 1);
      expect(await countOf(d, sql`select count(*)::int as n from inbound_messages where status <> 'processed'`)).toBe(0);
      expect(await countOf(d, sql`select count(*)::int as n from inbound_messages where raw is null or encode(sha256(raw), 'hex') <> sha256`)).toBe(0);
      expect(await countOf(d, sql`select count(*)::int as n from tickets`)).toBe(mails.length + 1);
      expect(await countOf(d, sql`select count(*)::int as n from outbox where status <> 'sent'`)).toBe(0);
    } finally {
      await d.close();
    }
    console.info(`[fault-disk-full pglite] filled ${(filled / 1048576).toFixed(1)} MiB; ${failures.length} refusals (codes ${[...codes].join(',')}) in ${Date.now() - fullAt} ms; ${flagged.length - 1} of ${mails.length} committed while full; /healthz ${report.status} ${report.reasons.join(',')}; all answered ${recoveredMs} ms after space was freed`);
  }, 150_000);
});

/**
 * PGlite with room left for data but not for a new WAL segment (16 MiB): found by hand, a write that needs
 * one fails with 53100 ("could not write to file pg_wal/xlogtemp…") and the next statement then spins inside
 * PGlite for ever, blocking the daemon's event loop: no health, no mail, no exit for systemd to restart.
 * liquibot must refuse to store a mail before that point, and answer it once the disk has room again.
 */
describe('the embedded database\'s disk nearly full (PGlite: no room for a new WAL segment)', () => {
  const daemon = pgliteOnSmallDisk(160, 'nearly-full');
  const { t, answered, health } = daemon;

  it('refuses to store while room is short, stays responsive, and answers every request once when space is back', async () => {
    const child = await daemon.start();
    t.disk.fillLeaving(12 * 1024 * 1024);
    // Scans of 5 MiB (6.7 MiB mails): each needs more WAL than the current segment has left.
    const mails = Array.from({ length: 3 }, (_, i) => ({
      from: `scan${i}@etude.example.fr`,
      raw: buildRequestMail({
        from: `scan${i}@etude.example.fr`, siret: sampleSiret(20 + i), messageId: `<scan-${i}@custhelp.example.net>`,
        attachment: { filename: 'jugement.pdf', content: incompressiblePdf(5 * 1024 * 1024), contentType: 'application/pdf' },
      }),
    }));
    for (const m of mails) await t.mailbox.append(m.raw);
    await waitFor('refusals', () => logLines(child.lines, 'message not handled, will retry').length >= 2 * mails.length, 60_000);
    const report = await health();
    const failures = logLines(child.lines, 'message not handled, will retry');
    expect(report.status).toBe('failing');
    expect(report.reasons).toContain('DATABASE_WRITE_FAILED');
    expect(mails.map((m) => answered(m.from))).toEqual(mails.map(() => 0));

    const recoveredMs = await daemon.recover(mails);
    const d = await openDatabase({ dataDir: t.dataDir });
    try {
      expect(await countOf(d, sql`select count(*)::int as n from inbound_messages where status <> 'processed'`)).toBe(0);
      expect(await countOf(d, sql`select count(*)::int as n from inbound_messages`)).toBe(mails.length + 1);
      expect(await countOf(d, sql`select count(*)::int as n from inbound_messages where raw is null or encode(sha256(raw), 'hex') <> sha256`)).toBe(0);
    } finally {
      await d.close();
    }
    console.info(`[fault-disk-full pglite nearly full] ${failures.length} refusals (codes ${[...new Set(failures.map((l) => l.code))].join(',')}); /healthz ${report.status} ${report.reasons.join(',')}; all answered ${recoveredMs} ms after space was freed`);
  }, 150_000);
});
