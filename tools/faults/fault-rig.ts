import postgres from 'postgres';
import { migrateDatabase, openDatabase } from '../../src/db/client';
import { MAILBOX_LEADER_LOCK_CLASS } from '../../src/mail/mailbox-identity';
import { startDovecot, type DovecotSandbox } from '../../test/support/sandbox/dovecot';
import { withImapSession } from '../../test/support/sandbox/imap-seed';
import { startPostgresCluster, type PostgresCluster } from '../../test/support/sandbox/postgres-cluster';
import { durableCommits } from '../../test/helpers/pg-immediate-restart';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFaultSink, type FaultSink } from './fault-sink';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/liquibot');

/** `liquibot run` as a child process, its JSON log lines kept. */
export interface ChildDaemon {
  process: ChildProcess;
  lines: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function startChildDaemon(env: Record<string, string>): ChildDaemon {
  const child = spawn(BIN, ['run'], { env: { ...process.env, LOG_PRETTY: 'false', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    lines,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface Instance {
  name: string;
  child: ChildDaemon;
  alive(): boolean;
  /** The port of its /metrics and /healthz (read from its log). */
  port(): number | null;
  /** A gauge of its /metrics, or null when it does not answer. */
  gauge(name: string): Promise<number | null>;
}

export interface FaultRig {
  cluster: PostgresCluster;
  dovecot: DovecotSandbox;
  sink: FaultSink;
  sql: postgres.Sql;
  databaseUrl: string;
  instances: Instance[];
  start(name: string): Instance;
  append(raws: string[]): Promise<void>;
  /** Backends holding the mailbox leader lock (pg_locks). */
  lockHolders(): Promise<number>;
  count(query: string): Promise<number>;
  stop(): Promise<void>;
}

const USER = 'support';
const PASSWORD = 'fault-run-password';

/** A private PostgreSQL (commits durable, as in production), Dovecot and SMTP sink, and liquibot instances as child processes. */
export async function startFaultRig(env: Record<string, string>): Promise<FaultRig> {
  const [cluster, dovecot, sink] = await Promise.all([startPostgresCluster(), startDovecot(), startFaultSink()]);
  await durableCommits(cluster);
  const databaseUrl = await cluster.createDatabase('faults');
  const migrating = await openDatabase({ url: databaseUrl, dataDir: '/tmp' });
  await migrateDatabase(migrating);
  await migrating.close();
  dovecot.addUser(USER, PASSWORD);
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const instances: Instance[] = [];
  const baseEnv = {
    IMAP_URL: dovecot.imapUrl(USER, PASSWORD), SMTP_URL: `smtp://127.0.0.1:${sink.port}?starttls=never`, DATABASE_URL: databaseUrl,
    HTTP_PORT: '0', MAIL_FROM: 'liquibot@support.example.fr', AGENTS_ADDRESS: 'agents@support.example.fr', LOG_LEVEL: 'info', DOCUMENT_READING: 'false',
    RESET_LINK_SECRET: 'faults-run-secret-0123456789-0123456789-abcdef', ...env,
  };
  return {
    cluster, dovecot, sink, sql, databaseUrl, instances,
    start(name) {
      const child = startChildDaemon(baseEnv);
      const port = () => {
        for (const line of child.lines) {
          if (!line.includes('"http server listening"')) continue;
          return Number((JSON.parse(line) as { port: number }).port);
        }
        return null;
      };
      const instance: Instance = {
        name, child, port,
        alive: () => child.process.exitCode === null && child.process.signalCode === null,
        async gauge(metric) {
          const p = port();
          if (!p || !instance.alive()) return null;
          try {
            const text = await (await fetch(`http://127.0.0.1:${p}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
            const m = new RegExp(`^${metric} (\\S+)$`, 'm').exec(text);
            return m ? Number(m[1]) : null;
          } catch {
            return null;
          }
        },
      };
      instances.push(instance);
      return instance;
    },
    async append(raws) {
      await withImapSession({ host: dovecot.host, port: dovecot.port, user: USER, password: PASSWORD }, async (client) => {
        for (const raw of raws) await client.append('INBOX', raw);
      });
    },
    async lockHolders() {
      const rows = await sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and granted
        and classid = ${MAILBOX_LEADER_LOCK_CLASS} and objsubid = 1`;
      return Number(rows[0]!.n);
    },
    async count(query) {
      const rows = await sql.unsafe(query);
      return Number(rows[0]!.n);
    },
    async stop() {
      // Graceful first; a stop that hangs would say something too, so it is bounded.
      await Promise.all(instances.map((i) => Promise.race([
        i.child.kill('SIGTERM'),
        new Promise<void>((resolve) => setTimeout(resolve, 20_000)).then(() => i.child.kill('SIGKILL')),
      ])));
      await sql.end({ timeout: 2 }).catch(() => {});
      await Promise.allSettled([sink.stop(), dovecot.stop(), cluster.stop()]);
    },
  };
}
