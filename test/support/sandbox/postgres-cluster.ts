import { appendFileSync, chmodSync, chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { findFreePort } from './find-free-port';
import { guardAgainstOrphans, removeDirQuietly, type OrphanGuard } from './orphan-guard';
import { findPostgresBinDir } from './postgres-binaries';
import { isProcessAlive, killAndWait, readPidFile } from './process-alive';
import { readTail } from './read-tail';
import { isRoot, runCommand } from './run-command';
import { ensureSystemUser, type SystemUser } from './system-user';
import { waitUntil } from './wait-until';

export interface PostgresClusterOptions {
  /** Parent of the cluster's temp dir (default: the OS temp dir). Must be traversable by the server user. */
  baseDir?: string;
  /** TCP port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Keep the data dir after stop() (for post-mortems). Also enabled by LIQUIBOT_SANDBOX_KEEP=1. */
  keep?: boolean;
}

export interface PostgresCluster {
  readonly host: string;
  readonly port: number;
  /** The cluster's temp dir; holds data/, the unix socket and postgres.log. */
  readonly baseDir: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** Connection URL for a database of this cluster (superuser `postgres`, trust auth). */
  url(dbName?: string): string;
  /** CREATE DATABASE `name` and return its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stop and start again on the same data dir and port (for fault tests). */
  restart(): Promise<void>;
  /** Stop the server (fast shutdown) and delete its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const SUPERUSER = 'postgres';

/**
 * Start a throwaway PostgreSQL cluster: initdb into a temp dir (trust auth, C locale, UTF8,
 * no fsync) and run it on 127.0.0.1. As root it runs as the `postgres` user (or a created
 * `liquibot-pg` system user) because PostgreSQL refuses to run as root.
 */
export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = findPostgresBinDir();
  const owner = isRoot() ? await ensureSystemUser(['postgres'], 'liquibot-pg') : undefined;
  const baseDir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'liquibot-pg-'));
  const dataDir = join(baseDir, 'data');
  const logFile = join(baseDir, 'postgres.log');
  const keep = options.keep ?? process.env.LIQUIBOT_SANDBOX_KEEP === '1';
  let guard: OrphanGuard | undefined;

  try {
    const port = options.port ?? (await findFreePort(HOST));
    prepareBaseDir(baseDir, owner);
    const asOwner = { user: owner?.name, cwd: baseDir };
    await runCommand(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--no-sync', '--locale=C', '--encoding=UTF8'],
      asOwner,
    );
    appendFileSync(join(dataDir, 'postgresql.conf'), serverSettings(port, baseDir));

    const url = (dbName = 'postgres'): string => `postgres://${SUPERUSER}@${HOST}:${port}/${encodeURIComponent(dbName)}`;
    const pidFile = join(dataDir, 'postmaster.pid');

    const start = async (): Promise<void> => {
      await runCommand(join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'], asOwner);
      await waitUntil(`PostgreSQL on port ${port}`, () => ping(url()), { timeoutMs: 30_000 });
    };
    const shutdown = async (): Promise<void> => {
      const pid = readPidFile(pidFile);
      // SIGINT is PostgreSQL's "fast" shutdown: abort sessions, then a clean checkpoint.
      if (pid !== undefined && isProcessAlive(pid)) await killAndWait(pid, 'SIGINT', 30_000);
    };

    guard = guardAgainstOrphans({ pidFile, signal: 'SIGINT', removeDir: keep ? undefined : baseDir });
    await start();

    let stopped = false;
    return {
      host: HOST,
      port,
      baseDir,
      dataDir,
      logFile,
      url,
      async createDatabase(name) {
        const sql = postgres(url(), { max: 1, onnotice: () => {} });
        try {
          await sql`create database ${sql(name)}`;
        } finally {
          await sql.end({ timeout: 5 });
        }
        return url(name);
      },
      async restart() {
        await shutdown();
        await start();
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await shutdown();
        guard?.disarm();
        if (!keep) removeDirQuietly(baseDir);
      },
    };
  } catch (err) {
    const pid = readPidFile(join(dataDir, 'postmaster.pid'));
    if (pid !== undefined) await killAndWait(pid, 'SIGQUIT', 5_000);
    guard?.disarm();
    const log = readTail(logFile); // pg_ctl only says "examine the log output"
    if (!keep) removeDirQuietly(baseDir);
    throw new Error(`could not start a PostgreSQL sandbox in ${baseDir}: ${(err as Error).message}\n${log}`, { cause: err });
  }
}

function prepareBaseDir(baseDir: string, owner: SystemUser | undefined): void {
  if (!owner) return;
  chownSync(baseDir, owner.uid, owner.gid);
  chmodSync(baseDir, 0o700);
}

function serverSettings(port: number, socketDir: string): string {
  // Durability off: the cluster is thrown away, speed matters more.
  return `
# liquibot sandbox
listen_addresses = '${HOST}'
port = ${port}
unix_socket_directories = '${socketDir}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 32MB
log_min_messages = warning
`;
}

async function ping(url: string): Promise<true | undefined> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
