import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { startDovecot, type DovecotSandbox } from '../test/support/sandbox/dovecot';
import { withImapSession, type ImapLogin } from '../test/support/sandbox/imap-seed';
import { startPostgresCluster, type PostgresCluster } from '../test/support/sandbox/postgres-cluster';
import { startSmtpSink, type SmtpSink } from '../test/support/sandbox/smtp-sink';
import { findSystemUser } from '../test/support/sandbox/system-user';
import { sleep } from '../test/support/sandbox/wait-until';
import type { DaemonChild } from './daemon-child';
import type { Owner } from './maildir-drop';

export interface BenchSandbox {
  postgres: PostgresCluster;
  dovecot: DovecotSandbox;
  sink: SmtpSink;
  /** The system user Dovecot's mail belongs to. */
  mailOwner: Owner;
  stop(): Promise<void>;
}

/** Dovecot, a PostgreSQL cluster and an in-process SMTP sink, all on 127.0.0.1, for one run. */
export async function startBenchSandbox(): Promise<BenchSandbox> {
  const [pg, dc, sk] = await Promise.allSettled([startPostgresCluster(), startDovecot(), startSmtpSink()]);
  const stopAll = async () => {
    await Promise.allSettled([
      pg.status === 'fulfilled' ? pg.value.stop() : null,
      dc.status === 'fulfilled' ? dc.value.stop() : null,
      sk.status === 'fulfilled' ? sk.value.stop() : null,
    ]);
  };
  if (pg.status === 'rejected' || dc.status === 'rejected' || sk.status === 'rejected') {
    await stopAll();
    const failed = [pg, dc, sk].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    throw failed.reason;
  }
  const owner = await findSystemUser('dovecot');
  if (!owner) {
    await stopAll();
    throw new Error('system user dovecot is missing: run scripts/setup.sh');
  }
  return { postgres: pg.value, dovecot: dc.value, sink: sk.value, mailOwner: { uid: owner.uid, gid: owner.gid }, stop: stopAll };
}

/** One scenario's own mailbox (a fresh Dovecot user) and database: nothing carries over between scenarios. */
export interface ScenarioPlace {
  login: ImapLogin;
  imapUrl: string;
  maildir: string;
  databaseUrl: string;
  /** A small client on the scenario's database, for readiness and checks. */
  sql: postgres.Sql;
  close(): Promise<void>;
}

export async function scenarioPlace(sandbox: BenchSandbox, name: string): Promise<ScenarioPlace> {
  const user = `bench-${name}-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  sandbox.dovecot.addUser(user, password);
  const databaseUrl = await sandbox.postgres.createDatabase(`bench_${name.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`);
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  return {
    login: { host: sandbox.dovecot.host, port: sandbox.dovecot.port, user, password },
    imapUrl: sandbox.dovecot.imapUrl(user, password),
    maildir: sandbox.dovecot.maildirOf(user),
    databaseUrl,
    sql,
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * Open INBOX read-write once so Dovecot indexes what was dropped into the Maildir (moves new/ to
 * cur/, assigns UIDs), and return how many messages it holds. Part of setup, not of any figure.
 */
export async function syncMailbox(login: ImapLogin, folder = 'INBOX'): Promise<number> {
  return withImapSession(login, async (client) => {
    const box = await client.mailboxOpen(folder);
    return box.exists;
  });
}

/**
 * Resolve once the daemon has opened the mailbox: its onMailboxOpened writes the mailbox_state row
 * (after migrating), so the row's presence means "connected, first pass under way". No hook needed.
 */
export async function waitForDaemonReady(sql: postgres.Sql, child: DaemonChild, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await Promise.race([
      sql`select 1 from mailbox_state limit 1`.then((rows) => rows.length > 0, () => false),
      child.died,
    ]);
    if (ready) return;
    const fatal = /^liquibot: .*$/m.exec(child.stderrTail());
    if (fatal) throw new Error(fatal[0]);
    if (Date.now() > deadline) throw new Error(`liquibot did not open the mailbox within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Counts that say whether anything was lost or doubled, from the scenario's database. */
export async function databaseCounts(sql: postgres.Sql): Promise<{ inbound: Record<string, number>; outbox: Record<string, number>; tickets: number }> {
  const inbound = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from inbound_messages group by status`;
  const outbox = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from outbox group by status`;
  const [t] = await sql<{ n: number }[]>`select count(*)::int as n from tickets`;
  return {
    inbound: Object.fromEntries(inbound.map((r) => [r.status, r.n])),
    outbox: Object.fromEntries(outbox.map((r) => [r.status, r.n])),
    tickets: t?.n ?? 0,
  };
}

/** Messages still without liquibot's done keyword (must be 0 after a complete run: nothing lost). */
export async function unflaggedCount(login: ImapLogin, keyword: string, folder = 'INBOX'): Promise<number> {
  return withImapSession(login, async (client) => {
    await client.mailboxOpen(folder, { readOnly: true });
    const uids = await client.search({ unKeyword: keyword }, { uid: true });
    return (uids || []).length;
  });
}
