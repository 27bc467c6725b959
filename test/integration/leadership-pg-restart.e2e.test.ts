import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config';
import { startDaemon, type Daemon } from '../../src/daemon';
import { migrateDatabase, openDatabase, type Database } from '../../src/db/client';
import { mailboxIdentity, mailboxLeaderLockKey } from '../../src/mail/mailbox-identity';
import { createLogger } from '../../src/log';
import { buildRequestMail } from '../support/sample-mails';
import { startPostgresCluster, type PostgresCluster } from '../support/sandbox/postgres-cluster';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { freshMailbox, type FreshMailbox } from '../helpers/fresh-mailbox';
import { durableCommits, immediateRestart } from '../helpers/pg-immediate-restart';
import { startSink } from '../helpers/smtp-sink';
import { until } from '../helpers/until';
import { LogCapture } from './support/liquibot-harness';

/**
 * Issue 13, point 1. Two instances on one PostgreSQL, `pg_ctl -m immediate stop && pg_ctl start`
 * (about a second down): every session dies, the leader's advisory lock with it. Before the fix, the
 * leader's liveness check ran `select 1` on a silently reopened session (which held nothing), so it kept
 * watching while the standby took the free lock: two leaders. Now exactly one instance leads within
 * seconds, and it is the one whose session pg_locks shows holding the key.
 * A private cluster: restarting the run's shared one would break the other test files.
 */
describe('one mailbox leader after a PostgreSQL immediate restart', () => {
  let cluster: PostgresCluster;
  let url: string;
  let observer: Database;
  let mailbox: FreshMailbox;
  let sink: SmtpSink;
  const daemons: { daemon: Daemon; logs: LogCapture }[] = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    await durableCommits(cluster);
    url = await cluster.createDatabase('leadership');
    observer = await openDatabase({ url, dataDir: '/tmp' });
    await migrateDatabase(observer);
    mailbox = freshMailbox('leader');
    sink = await startSink();
  });
  afterAll(async () => {
    for (const { daemon } of daemons) await daemon.stop().catch(() => {});
    await observer?.close().catch(() => {});
    await sink?.stop();
    await cluster?.stop();
  });

  async function startInstance(): Promise<void> {
    const logs = new LogCapture();
    const config = loadConfig({
      IMAP_URL: mailbox.imapUrl, SMTP_URL: `${sink.url}?starttls=never`, DATABASE_URL: url, MAIL_FROM: 'liquibot@support.example.fr',
      RESET_LINK_SECRET: 'leader-secret-0123456789-0123456789-abcdef', HTTP_PORT: 'off', OUTBOX_POLL_MS: '200',
      LEADER_RETRY_SECONDS: '1', RECONNECT_MAX_SECONDS: '1', RESYNC_CRON: '*/2 * * * * *', LOG_LEVEL: 'info',
    }, ['IMAP_URL', 'SMTP_URL']);
    // Each opens its own connections, as two processes would.
    const daemon = await startDaemon({ config, log: createLogger({ level: 'info', destination: logs }) });
    daemons.push({ daemon, logs });
  }

  /** Backends holding the mailbox's leader lock, as PostgreSQL sees them (a bigint key: high half in classid, low in objid). */
  const lockHolders = async () => {
    const key = mailboxLeaderLockKey(mailboxIdentity(mailbox.imapUrl).key);
    return (await observer.rows<{ pid: number }>(sql`select pid from pg_locks where locktype = 'advisory' and granted
      and classid::bigint = ${String(key >> 32n)}::bigint and objid::bigint = ${String(key & 0xffffffffn)}::bigint and objsubid = 1`)).map((r) => Number(r.pid));
  };
  /** liquibot_mailbox_leader of each instance, as Prometheus would scrape it. */
  const leaderGauges = async () => Promise.all(daemons.map(async ({ daemon }) => {
    const text = await daemon.metrics.render();
    return Number(/^liquibot_mailbox_leader (\d+)/m.exec(text)?.[1] ?? NaN);
  }));
  /** One leader: one lock holder, one gauge at 1, and the instance reporting it is the lock's session. */
  async function oneLeader(): Promise<boolean> {
    const [holders, gauges] = await Promise.all([lockHolders(), leaderGauges()]);
    const leading = daemons.filter(({ daemon }) => daemon.leadership.isLeader());
    return holders.length === 1 && gauges.reduce((a, b) => a + b, 0) === 1 && leading.length === 1
      && leading[0]!.daemon.leadership.backendPid() === holders[0];
  }

  it('exactly one leader within seconds, checked on pg_locks and on liquibot_mailbox_leader; the loss is logged', async () => {
    await startInstance();
    await startInstance();
    expect(await until(oneLeader, 20_000)).toBe(true);
    const before = daemons.findIndex(({ daemon }) => daemon.leadership.isLeader());

    const { stoppedAt, backAt } = await immediateRestart(cluster);
    expect(await until(oneLeader, 15_000, 100)).toBe(true);
    const settledMs = Date.now() - backAt;
    // And it stays so: no second leader appears once the other instance retries (every second).
    const samples: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      const gauges = await leaderGauges();
      samples.push(gauges.reduce((a, b) => a + b, 0));
      expect((await lockHolders()).length).toBeLessThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Math.max(...samples)).toBe(1);
    expect(await oneLeader()).toBe(true);

    // The instance that led before the restart lost its lock with its session, and said so.
    const lost = daemons[before]!.logs.lines.filter((l) => l.includes('"mailbox leadership lost"'));
    expect(lost.length).toBeGreaterThanOrEqual(1);
    // No instance claimed to release a lock it no longer held.
    expect(daemons.flatMap((d) => d.logs.lines).filter((l) => l.includes('"mailbox leadership released"'))).toEqual([]);

    // And the mailbox is watched: a request sent now is answered, once.
    expect(await until(() => daemons.some(({ daemon }) => daemon.leadership.state() === 'connected'), 20_000)).toBe(true);
    await mailbox.append(buildRequestMail({ from: 'after-restart@etude.example.fr', attachment: 'none' }));
    await sink.waitFor((m) => m.envelope.to.includes('after-restart@etude.example.fr'), 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.messages.filter((m) => m.envelope.to.includes('after-restart@etude.example.fr'))).toHaveLength(1);
    console.info(`[leadership] PostgreSQL down ${backAt - stoppedAt} ms; one leader (pg_locks and gauges agreeing) ${settledMs} ms after it was back`);
  }, 120_000);

  it('keeps its lock session past postgres.js max_lifetime (which recycles pooled connections every 30 to 60 min)', async () => {
    for (const { daemon } of daemons.splice(0)) await daemon.stop();
    // postgres.js reads its default max_lifetime from PGMAX_LIFETIME: 2 s instead of 30 to 60 minutes.
    process.env.PGMAX_LIFETIME = '2';
    try {
      await startInstance();
      await startInstance();
      expect(await until(oneLeader, 20_000)).toBe(true);
      const leader = daemons.find(({ daemon }) => daemon.leadership.isLeader())!;
      const pid = leader.daemon.leadership.backendPid();
      // Several lifetimes later: the same leader, on the same backend, and never two.
      for (let i = 0; i < 40; i += 1) {
        expect((await leaderGauges()).reduce((a, b) => a + b, 0)).toBe(1);
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(await oneLeader()).toBe(true);
      expect(leader.daemon.leadership.backendPid()).toBe(pid);
      expect(leader.logs.lines.filter((l) => l.includes('"mailbox leadership lost"'))).toEqual([]);
    } finally {
      delete process.env.PGMAX_LIFETIME;
    }
  }, 60_000);
});
