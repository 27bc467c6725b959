import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { postgresConnection } from './connection-url';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';
import { AppError } from '../errors';
import { PROJECT_ROOT } from '../project-root';
import { errorFields, type Logger } from '../log';

/** A drizzle database over either postgres.js or PGlite; queries are written once for both. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle: the same query surface as Db. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Rows of a raw SQL statement, whatever the driver. */
  rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]>;
  /**
   * Run fn while holding a session-level advisory lock (blocking until it is free).
   * On PGlite there is one process per data directory, so the lock is a no-op.
   */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /** Try to take a session-level advisory lock on a dedicated connection; null when another holds it. */
  tryHoldAdvisoryLock(key: number | bigint): Promise<HeldLock | null>;
  /**
   * A dedicated session: one connection of its own, never recycled, for what must live exactly as long
   * as one backend (heartbeats). It reconnects on the next query after a loss, with a new backend pid;
   * `onClose` says when a connection it had ended. PGlite: the one connection.
   */
  openSession(opts?: { onClose?: () => void }): Promise<DbSession>;
  close(): Promise<void>;
}

/** A dedicated session (see Database.openSession). */
export interface DbSession {
  rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A session-level advisory lock held on its own connection. It is held exactly as long as that
 * backend lives: a database restart, a terminated backend or a dropped connection lose it, and nothing
 * gives it back (postgres.js would silently open a new session, which holds nothing).
 */
export interface HeldLock {
  /** The backend that took the lock. */
  readonly backendPid: number | null;
  /** Unlock and close; a lock already lost is only closed. */
  release(): Promise<void>;
  /**
   * True while the lock is held: the same backend answers (its pid unchanged) and pg_locks shows it
   * holding the key. Once false, false for good: the connection is closed, no new session is opened.
   */
  alive(): Promise<boolean>;
  /** Called once, at once, when the lock is known lost (its connection closed, or a check failed), with why. */
  onLost(listener: (reason: string) => void): void;
  /** Why it was lost; null while held. */
  lostReason(): string | null;
}

/** How long a liveness check of a held lock may take before the lock counts as lost (a database that hangs). */
export const LOCK_CHECK_TIMEOUT_MS = 5_000;

export const MIGRATIONS_FOLDER = join(PROJECT_ROOT, 'drizzle');

/**
 * Advisory lock keys, one per purpose, so instances on one database coordinate. The mailbox leaders'
 * locks, one per mailbox, are 7301002 in the high 32 bits and a hash of the mailbox below
 * (mailboxLeaderLockKey in src/mail/mailbox-identity.ts). Before leaders were per mailbox, the lock
 * was the plain key 7301002, one leader per database.
 */
export const LOCK_KEYS = { migrate: 7301001, jobs: 7301003, siretApproval: 7301004 } as const;

/**
 * Open the database: PostgreSQL when a URL is given, otherwise an embedded PGlite under dataDir.
 */
export async function openDatabase(opts: { url?: string; dataDir: string; log?: Logger }): Promise<Database> {
  return opts.url ? openPostgres(opts.url, opts.log) : openPglite(opts.dataDir);
}

async function openPostgres(url: string, log?: Logger): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const connection = postgresConnection(url);
  const client = postgres(connection.url, {
    ...(connection.path ? { path: connection.path } : {}),
    max: 10,
    onnotice: () => {},
    connect_timeout: 10,
    // Stored raw mail is bytea; keep it a Buffer.
    types: {},
  });
  const db = drizzle(preparing(client), { schema }) as unknown as Db;
  // One connection of its own, never recycled: postgres.js ends a connection after max_lifetime (30 to 60
  // minutes by default) and opens another on the next query, which would silently drop a session-level lock.
  const dedicated = (onClose?: () => void): DedicatedClient => {
    const sessionClient = postgres(connection.url, {
      ...(connection.path ? { path: connection.path } : {}),
      max: 1, onnotice: () => {}, connect_timeout: 10, idle_timeout: 0, max_lifetime: null,
      ...(onClose ? { onclose: () => onClose() } : {}),
    });
    return { client: sessionClient, db: drizzle(sessionClient) as unknown as Db };
  };
  try {
    await client`select 1`;
  } catch (cause) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new AppError('DB_UNAVAILABLE', `database unreachable: ${(cause as Error).message}`, { cause });
  }
  return {
    db,
    kind: 'postgres',
    async rows<T>(query: ReturnType<typeof sql>) {
      return rowsOf<T>(await db.execute(query));
    },
    async withAdvisoryLock(key, fn) {
      const conn = await client.reserve();
      try {
        await conn`select pg_advisory_lock(${key})`;
        return await fn();
      } finally {
        await conn`select pg_advisory_unlock(${key})`.catch(() => {});
        conn.release();
      }
    },
    async tryHoldAdvisoryLock(key) {
      return holdAdvisoryLock(dedicated, key, log);
    },
    async openSession(sessionOpts = {}) {
      const session = dedicated(sessionOpts.onClose);
      return {
        async rows<T>(query: ReturnType<typeof sql>) {
          return rowsOf<T>(await session.db.execute(query));
        },
        async close() {
          await session.client.end({ timeout: 1 }).catch(() => {});
        },
      };
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const releaseLock = lockDataDir(dataDir);
  let client;
  try {
    removeTemporaryFiles(dir);
    client = await PGlite.create(dir);
  } catch (err) {
    releaseLock();
    throw err;
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    async rows<T>(query: ReturnType<typeof sql>) {
      return rowsOf<T>(await db.execute(query));
    },
    async withAdvisoryLock(_key, fn) {
      return fn();
    },
    async tryHoldAdvisoryLock() {
      // One process per data directory: the lock is this process's for its life.
      return { backendPid: null, async release() {}, async alive() { return true; }, onLost() {}, lostReason: () => null };
    },
    async openSession() {
      return {
        async rows<T>(query: ReturnType<typeof sql>) {
          return rowsOf<T>(await db.execute(query));
        },
        async close() {},
      };
    },
    async close() {
      await client.close();
      releaseLock();
    },
  };
}

/**
 * The postgres.js client as drizzle should use it: every statement prepared (named, once per connection).
 * Drizzle asks postgres.js for an unnamed statement unless a query is given a name, and postgres.js
 * then sends each statement with parameters in two round trips (Parse + Describe, wait for the
 * parameter types, then Bind + Execute) and PostgreSQL parses and plans it every time. Prepared, a
 * statement seen before on the connection is one round trip and no planning. Measured with issue 15's
 * bench: about 20 statements per request, each a socket write of about 0.15 ms on a loaded two-core
 * machine. postgres.js keeps one prepared statement per distinct query text on each connection
 * (connections are recycled after max_lifetime), and re-prepares one whose plan a migration changed.
 * Named prepared statements need a session per client connection: no PgBouncer in transaction mode
 * (the leader's session-level advisory lock rules it out already).
 */
function preparing(sql: import('postgres').Sql): import('postgres').Sql {
  return new Proxy(sql, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      switch (prop) {
        case 'unsafe':
          return (query: string, params?: unknown[], options?: Record<string, unknown>) =>
            (value as (...a: unknown[]) => unknown).call(target, query, params, { ...options, prepare: true });
        case 'begin':
        case 'savepoint':
          // The transaction's own client, handed to the callback (the last argument), prepares too.
          return (...args: unknown[]) => {
            const fn = args.pop() as (tx: import('postgres').Sql) => unknown;
            return (value as (...a: unknown[]) => unknown).call(target, ...args, (tx: import('postgres').Sql) => fn(preparing(tx)));
          };
        default:
          return value;
      }
    },
  });
}

interface DedicatedClient {
  client: import('postgres').Sql;
  db: Db;
}

/**
 * Take a session-level advisory lock on a dedicated connection, and watch that the session that took it
 * is the one that still holds it. The key's place in pg_locks: a bigint key is split into classid (high
 * 32 bits) and objid (low 32 bits), objsubid 1.
 */
async function holdAdvisoryLock(dedicated: (onClose?: () => void) => DedicatedClient, lockKey: number | bigint, log?: Logger): Promise<HeldLock | null> {
  // As text: a key above 2^53 does not survive a JavaScript number.
  const key = BigInt(lockKey).toString();
  let acquired = false;
  let lost: string | null = null;
  const listeners: ((reason: string) => void)[] = [];
  const markLost = (reason: string) => {
    if (lost !== null || !acquired) return;
    lost = reason;
    // Never reconnect: a new session would hold nothing, and a check on it would pass.
    void session.client.end({ timeout: 1 }).catch(() => {});
    for (const listener of listeners.splice(0)) {
      try {
        listener(reason);
      } catch (err) {
        log?.error(errorFields(err), 'lock loss listener failed');
      }
    }
  };
  const session = dedicated(() => markLost('connection closed'));
  let backendPid: number | null = null;
  try {
    const [row] = rowsOf<{ ok: boolean; pid: number }>(await session.db.execute(sql`select pg_try_advisory_lock(${key}::bigint) as ok, pg_backend_pid() as pid`));
    if (!row?.ok) {
      await session.client.end({ timeout: 1 });
      return null;
    }
    backendPid = Number(row.pid);
    acquired = true;
  } catch (err) {
    await session.client.end({ timeout: 1 }).catch(() => {});
    throw err;
  }
  const classid = (BigInt(lockKey) >> 32n).toString();
  const objid = (BigInt(lockKey) & 0xffffffffn).toString();
  return {
    backendPid,
    async release() {
      if (lost === null) {
        acquired = false; // a close we asked for is not a loss
        await session.db.execute(sql`select pg_advisory_unlock(${key}::bigint)`).catch(() => {});
      }
      await session.client.end({ timeout: 1 }).catch(() => {});
    },
    async alive() {
      if (lost !== null) return false;
      try {
        const check = session.db.execute(sql`select pg_backend_pid() as pid, exists (
            select 1 from pg_locks where locktype = 'advisory' and granted and pid = pg_backend_pid()
              and classid::bigint = ${classid}::bigint and objid::bigint = ${objid}::bigint and objsubid = 1) as held`);
        const [row] = rowsOf<{ pid: number; held: boolean }>(await withDeadline(check, LOCK_CHECK_TIMEOUT_MS));
        if (Number(row?.pid) !== backendPid) markLost(`session replaced (backend ${backendPid} gone, now ${row?.pid})`);
        else if (!row?.held) markLost('lock no longer in pg_locks');
      } catch (err) {
        log?.warn(errorFields(err), 'lock connection lost');
        markLost(`check failed: ${(err as Error).message}`);
      }
      return lost === null;
    },
    onLost(listener) {
      if (lost !== null) listener(lost);
      else listeners.push(listener);
    },
    lostReason: () => lost,
  };
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('DB_UNAVAILABLE', `no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Files of temporary tables (`base/<db>/t<backend>_<relfilenode>…`) and temporary files (`pgsql_tmp`) a killed
 * process left behind. PostgreSQL removes them when the server starts (RemovePgTempFiles); PGlite does not, so
 * each kill while a large mail was streamed (its pieces go to a temporary table) left up to the mail's size on
 * disk for ever. Called with the data directory locked: no other process can be using them.
 */
function removeTemporaryFiles(pgliteDir: string): void {
  const base = join(pgliteDir, 'base');
  if (!existsSync(base)) return;
  for (const db of readdirSync(base)) {
    const dbDir = join(base, db);
    if (db === 'pgsql_tmp') {
      rmSync(dbDir, { recursive: true, force: true });
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(dbDir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (/^t\d+_\d+(_(fsm|vm|init))?(\.\d+)?$/.test(name) || name === 'pgsql_tmp') rmSync(join(dbDir, name), { recursive: true, force: true });
    }
  }
}

/**
 * One process per embedded database: a lock file holding the owner's pid. A second process (the daemon
 * and a terminal command, say) gets a clear error instead of corrupting the data directory.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && isAlive(pid)) {
        throw new AppError('DB_UNAVAILABLE', `the embedded database in ${dataDir} is in use by process ${pid}: stop it first, or use PostgreSQL (DATABASE_URL)`);
      }
      // Left by a process that died: take it over.
      rmSync(file, { force: true });
    }
  }
  throw new AppError('DB_UNAVAILABLE', `cannot lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Rows of `tx.execute(...)`, whatever the driver (postgres.js returns an array, PGlite an object). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** Apply pending migrations from drizzle/, under an advisory lock so instances don't race. */
export async function migrateDatabase(database: Database): Promise<void> {
  try {
    await database.withAdvisoryLock(LOCK_KEYS.migrate, async () => {
      if (database.kind === 'postgres') {
        const { migrate } = await import('drizzle-orm/postgres-js/migrator');
        await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
      } else {
        const { migrate } = await import('drizzle-orm/pglite/migrator');
        await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
      }
    });
  } catch (cause) {
    throw new AppError('MIGRATION_FAILED', `migration failed: ${(cause as Error).message}`, { cause });
  }
}

/** Liveness probe used by /healthz and the watchers. */
export async function pingDatabase(database: Database): Promise<boolean> {
  try {
    await database.rows(sql`select 1 as ok`);
    return true;
  } catch {
    return false;
  }
}

/** A unique index refused the statement (PostgreSQL 23505), whether drizzle wrapped the driver's error or not. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
