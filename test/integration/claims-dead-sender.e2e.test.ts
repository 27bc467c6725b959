import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config';
import { startDaemon, type Daemon } from '../../src/daemon';
import { migrateDatabase, openDatabase, type Database } from '../../src/db/client';
import { createLogger } from '../../src/log';
import { buildRequestMail } from '../support/sample-mails';
import { startPostgresCluster, type PostgresCluster } from '../support/sandbox/postgres-cluster';
import { freshDatabase } from './support/liquibot-harness';
import { startChildDaemon, type ChildDaemon } from './support/child-daemon';
import { freshMailbox, type FreshMailbox } from '../helpers/fresh-mailbox';
import { startHoldingSink, type HoldingSink } from '../helpers/holding-sink';
import { durableCommits, immediateStop, startAgain } from '../helpers/pg-immediate-restart';
import { resendsByKill } from '../helpers/resends';
import { until } from '../helpers/until';
import { LogCapture } from './support/liquibot-harness';

const TO = 'inflight@etude.example.fr';

/**
 * Issue 13, point 2. An instance killed while the SMTP server has its mail but has not answered yet:
 * the mail may have been accepted. Before, the row stayed claimed until its lease (OUTBOX_LEASE_SECONDS,
 * 180 s) ran out. Now the other instance sees the claimer dead (its heartbeat session ended with the
 * process) and sends it again within seconds, with the same Message-ID, saying so in its log.
 * The lease is left at its default, 180 s: only the dead claimer's detection can explain a quick resend.
 */
describe('mail in flight when its sender is killed', () => {
  let mailbox: FreshMailbox;
  let sink: HoldingSink;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const children: ChildDaemon[] = [];

  beforeAll(async () => {
    mailbox = freshMailbox('claims');
    sink = await startHoldingSink((to) => to === TO);
    db = await freshDatabase('postgres');
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    sink?.release();
    await sink?.stop();
    await db?.cleanup();
  });

  const env = () => ({
    IMAP_URL: mailbox.imapUrl, SMTP_URL: `${sink.url}?starttls=never`, DATABASE_URL: db.url, HTTP_PORT: '0',
    MAIL_FROM: 'liquibot@support.example.fr', AGENTS_ADDRESS: 'agents@support.example.fr', LOG_LEVEL: 'info',
    OUTBOX_POLL_MS: '200', LEADER_RETRY_SECONDS: '1', RESET_LINK_SECRET: 'claims-secret-0123456789-0123456789-abcdef',
  });

  it('is sent again within seconds by the surviving instance, with the same Message-ID, and logged', async () => {
    const a = startChildDaemon(env());
    children.push(a);
    expect(await until(() => a.messages().includes('mailbox leadership acquired'), 30_000)).toBe(true);
    await mailbox.append(buildRequestMail({ from: TO, attachment: 'none' }));
    // A has sent the notice's bytes; the server keeps its 250.
    const first = await sink.held;

    const b = startChildDaemon(env());
    children.push(b);
    expect(await until(() => b.messages().includes('database ready'), 30_000)).toBe(true);
    // B is up and polling the outbox: A is alive, so B leaves A's claim alone.
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.messages.filter((m) => m.envelope.to.includes(TO))).toHaveLength(1);

    const killedAt = Date.now();
    await a.kill('SIGKILL');
    expect(await until(() => sink.messages.filter((m) => m.envelope.to.includes(TO)).length >= 2, 20_000)).toBe(true);
    const copies = sink.messages.filter((m) => m.envelope.to.includes(TO));
    const resendMs = copies[1]!.receivedAt.getTime() - killedAt;
    expect(resendMs).toBeLessThan(5_000);

    // One mail as far as anyone can tell: the same Message-ID, and the kill explains the second copy.
    expect(new Set(copies.map((m) => m.messageId))).toEqual(new Set([first.messageId]));
    expect(resendsByKill(sink.messages, [killedAt]).unexplained).toEqual([]);
    const [row] = await db.database.rows<{ id: number; status: string; attempts: number }>(
      sql`select id, status, attempts from outbox where to_address = ${TO}`,
    );
    expect(await until(async () => (await db.database.rows<{ status: string }>(sql`select status from outbox where id = ${row!.id}`))[0]!.status === 'sent', 10_000)).toBe(true);
    const said = b.lines.map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'possible resend of an accepted mail, same Message-ID');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ outboxId: Number(row!.id), messageId: first.messageId, reason: 'claimer_dead' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.messages.filter((m) => m.envelope.to.includes(TO))).toHaveLength(2);
    console.info(`[claims] in-flight mail of a SIGKILLed instance resent by the other ${resendMs} ms after the kill (lease 180 s)`);
  }, 120_000);
});

/**
 * The other half of point 2: the SMTP server accepts a mail while PostgreSQL is down, so "sent" cannot be
 * recorded. Before, the row failed "unexpectedly" (ECONNREFUSED) and was sent again once its 180 s lease
 * ran out. Now the sender, which knows the mail went, records it as soon as the database is back: no resend.
 * A private cluster, since it is stopped.
 */
describe('a mail accepted while PostgreSQL is down', () => {
  let cluster: PostgresCluster;
  let database: Database;
  let daemon: Daemon | null = null;
  let sink: HoldingSink;
  const logs = new LogCapture();

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    await durableCommits(cluster);
    sink = await startHoldingSink((to) => to === TO);
  });
  afterAll(async () => {
    await daemon?.stop().catch(() => {});
    await database?.close().catch(() => {});
    sink?.release();
    await sink?.stop();
    await cluster?.stop();
  });

  it('is recorded as sent once the database is back, and not sent again', async () => {
    const url = await cluster.createDatabase('accepted');
    database = await openDatabase({ url, dataDir: '/tmp' });
    await migrateDatabase(database);
    const mailbox = freshMailbox('accepted');
    const config = loadConfig({
      IMAP_URL: mailbox.imapUrl, SMTP_URL: `${sink.url}?starttls=never`, DATABASE_URL: url, MAIL_FROM: 'liquibot@support.example.fr',
      RESET_LINK_SECRET: 'accepted-secret-0123456789-0123456789-abcdef', HTTP_PORT: 'off', OUTBOX_POLL_MS: '200', LOG_LEVEL: 'info',
    }, ['IMAP_URL', 'SMTP_URL']);
    daemon = await startDaemon({ config, database, log: createLogger({ level: 'info', destination: logs }) });
    await mailbox.append(buildRequestMail({ from: TO, attachment: 'none' }));
    const first = await sink.held;

    await immediateStop(cluster);
    sink.release(); // 250 while the database is down
    await new Promise((r) => setTimeout(r, 1500));
    await startAgain(cluster);
    const backAt = Date.now();

    const status = async () => (await database.rows<{ status: string }>(sql`select status from outbox where to_address = ${TO}`))[0]?.status;
    const ok = await until(async () => (await status()) === 'sent', 20_000, 100);
    if (!ok) console.log(logs.lines.filter((l) => !l.includes('"level":30')).slice(-30).join('\n'));
    expect(ok).toBe(true);
    const recordedMs = Date.now() - backAt;
    await new Promise((r) => setTimeout(r, 2000));
    const copies = sink.messages.filter((m) => m.envelope.to.includes(TO));
    expect(copies.map((m) => m.messageId)).toEqual([first.messageId]);
    expect(logs.text()).toContain('outbox outcome recorded after database errors');
    expect(logs.text()).not.toContain('outbox row failed unexpectedly');
    console.info(`[claims] mail accepted while PostgreSQL was down: recorded as sent ${recordedMs} ms after it was back, not resent`);
  }, 120_000);
});
