import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config';
import { startDaemon, type Daemon } from '../../src/daemon';
import { migrateDatabase, openDatabase, type Database } from '../../src/db/client';
import { createLogger } from '../../src/log';
import { buildRequestMail, sampleSiret } from '../support/sample-mails';
import { startDovecot, type DovecotSandbox } from '../support/sandbox/dovecot';
import { startPostgresCluster, type PostgresCluster } from '../support/sandbox/postgres-cluster';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { startSink } from '../helpers/smtp-sink';
import { freshMailbox } from '../helpers/fresh-mailbox';
import { LogCapture } from './support/liquibot-harness';

/** Private servers for a test that restarts them (the shared ones serve other files meanwhile). */
interface Rig {
  dovecot?: DovecotSandbox;
  cluster?: PostgresCluster;
  sink: SmtpSink;
  database: Database;
  daemon: Daemon | null;
  logs: LogCapture;
}
let rig: Rig | null = null;
afterEach(async () => {
  await rig?.daemon?.stop().catch(() => {});
  await rig?.database.close().catch(() => {});
  await rig?.sink.stop();
  await rig?.dovecot?.stop();
  await rig?.cluster?.stop();
  rig = null;
});

const until = async (predicate: () => Promise<boolean>, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if (await predicate()) return true;
    } catch {
      // the database may be down: try again
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

async function daemonOn(imapUrl: string, databaseUrl: string, sink: SmtpSink, logs: LogCapture, database: Database, env: Record<string, string> = {}) {
  const config = loadConfig({
    IMAP_URL: imapUrl, SMTP_URL: `${sink.url}?starttls=never`, DATABASE_URL: databaseUrl, MAIL_FROM: 'liquibot@support.example.fr',
    RESET_LINK_SECRET: 'faults-secret-0123456789-0123456789-abcdef', HTTP_PORT: '0', OUTBOX_POLL_MS: '100',
    OUTBOX_RETRY_BASE_MS: '200', RECONNECT_MAX_SECONDS: '1', LEADER_RETRY_SECONDS: '0.5', RESYNC_CRON: '*/2 * * * * *', ...env,
  }, ['IMAP_URL', 'SMTP_URL']);
  return startDaemon({ config, database, log: createLogger({ level: 'info', destination: logs }) });
}

const answeredOnce = (sink: SmtpSink, prefix: string, n: number) => {
  const per = new Map<string, Set<string>>();
  for (const m of sink.messages) for (const to of m.envelope.to) per.set(to, (per.get(to) ?? new Set()).add(m.messageId!));
  for (let i = 0; i < n; i += 1) expect(per.get(`${prefix}${i}@etude.example.fr`)?.size, `${prefix}${i}`).toBe(1);
};

describe('faults', () => {
  it('Dovecot restarted mid-batch: liquibot reconnects and resumes, nothing lost', async () => {
    const dovecot = await startDovecot();
    dovecot.addUser('support', 'pw');
    const sink = await startSink();
    const { freshDatabaseUrl } = await import('../helpers/fresh-database');
    const url = await freshDatabaseUrl('faults');
    const database = await openDatabase({ url, dataDir: '/tmp' });
    await migrateDatabase(database);
    rig = { dovecot, sink, database, daemon: null, logs: new LogCapture() };
    for (let i = 0; i < 40; i += 1) await dovecot.appendMessage('support', 'pw', buildRequestMail({ from: `dc${i}@etude.example.fr`, attachment: 'none' }));
    rig.daemon = await daemonOn(dovecot.imapUrl('support', 'pw'), url, sink, rig.logs, database);
    const processed = async () => Number((await database.rows<{ n: number }>(sql`select count(*)::int as n from inbound_messages where status <> 'stored'`))[0]!.n);
    expect(await until(async () => (await processed()) >= 5, 20_000)).toBe(true);
    const restartedAt = Date.now();
    await dovecot.restart();
    expect(await until(async () => rig!.daemon!.leadership.state() === 'connected' && (await processed()) === 40, 30_000)).toBe(true);
    const resumedWithin = Date.now() - restartedAt;
    expect(await until(async () => sink.messages.length >= 40, 20_000)).toBe(true);
    answeredOnce(sink, 'dc', 40);
    expect(rig.logs.text()).toContain('imap state changed');
    console.info(`[faults] Dovecot restart: batch finished ${resumedWithin} ms after the restart`);
  }, 90_000);

  it('PostgreSQL restarted: liquibot waits, logs, resumes; no crash, nothing lost', async () => {
    const cluster = await startPostgresCluster();
    const url = await cluster.createDatabase('faults');
    const sink = await startSink();
    const mailbox = freshMailbox('pgfault');
    const database = await openDatabase({ url, dataDir: '/tmp' });
    await migrateDatabase(database);
    rig = { cluster, sink, database, daemon: null, logs: new LogCapture() };
    rig.daemon = await daemonOn(mailbox.imapUrl, url, sink, rig.logs, database);
    expect(await until(async () => rig!.daemon!.leadership.state() === 'connected', 20_000)).toBe(true);
    for (let i = 0; i < 20; i += 1) await mailbox.append(buildRequestMail({ from: `pg${i}@etude.example.fr`, attachment: 'none' }));
    const processed = async () => Number((await database.rows<{ n: number }>(sql`select count(*)::int as n from inbound_messages where status <> 'stored'`))[0]!.n);
    expect(await until(async () => (await processed()) >= 3, 20_000)).toBe(true);
    await cluster.restart();
    // Mail arriving while it was down is not lost either.
    for (let i = 20; i < 30; i += 1) await mailbox.append(buildRequestMail({ from: `pg${i}@etude.example.fr`, attachment: 'none' }));
    expect(await until(async () => (await processed()) === 30, 60_000)).toBe(true);
    expect(await until(async () => sink.messages.length >= 30, 30_000)).toBe(true);
    answeredOnce(sink, 'pg', 30);
    expect((await mailbox.list()).every((m) => m.flags.includes('$LiquibotDone'))).toBe(true);
  }, 120_000);

  it('FIRST_START=skip leaves the existing backlog for humans and handles what arrives next', async () => {
    const mailbox = freshMailbox('skip');
    const sink = await startSink();
    const { freshDatabaseUrl } = await import('../helpers/fresh-database');
    const url = await freshDatabaseUrl('skip');
    const database = await openDatabase({ url, dataDir: '/tmp' });
    await migrateDatabase(database);
    rig = { sink, database, daemon: null, logs: new LogCapture() };
    for (let i = 0; i < 25; i += 1) await mailbox.append(buildRequestMail({ from: `old${i}@etude.example.fr`, siret: sampleSiret(i) }));
    rig.daemon = await daemonOn(mailbox.imapUrl, url, sink, rig.logs, database, { FIRST_START: 'skip' });
    expect(await until(async () => rig!.daemon!.leadership.state() === 'connected', 20_000)).toBe(true);
    await mailbox.append(buildRequestMail({ from: 'new@etude.example.fr' }));
    await sink.waitFor((m) => m.envelope.to[0] === 'new@etude.example.fr', 20_000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(sink.messages.filter((m) => m.envelope.to[0]!.startsWith('old'))).toHaveLength(0);
    const stored = Number((await database.rows<{ n: number }>(sql`select count(*)::int as n from inbound_messages`))[0]!.n);
    expect(stored).toBe(1);
    expect(rig.logs.text()).toContain('first start: existing messages skipped');
  }, 60_000);
});
