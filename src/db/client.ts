import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  tryHoldAdvisoryLock(key: number): Promise<{ release(): Promise<void>; alive(): Promise<boolean> } | null>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = join(PROJECT_ROOT, 'drizzle');

/** Advisory lock keys, one per purpose, so instances on one database coordinate. */
export const LOCK_KEYS = { migrate: 7301001, mailboxLeader: 7301002, jobs: 7301003, siretApproval: 7301004 } as const;

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
  const db = drizzle(client, { schema }) as unknown as Db;
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
      // A dedicated connection: the lock lives exactly as long as this session.
      const lockClient = postgres(connection.url, { ...(connection.path ? { path: connection.path } : {}), max: 1, onnotice: () => {}, connect_timeout: 10, idle_timeout: 0 });
      try {
        const [row] = await lockClient`select pg_try_advisory_lock(${key}) as ok`;
        if (!row?.ok) {
          await lockClient.end({ timeout: 1 });
          return null;
        }
      } catch (err) {
        await lockClient.end({ timeout: 1 }).catch(() => {});
        throw err;
      }
      return {
        async release() {
          await lockClient`select pg_advisory_unlock(${key})`.catch(() => {});
          await lockClient.end({ timeout: 1 }).catch(() => {});
        },
        async alive() {
          try {
            await lockClient`select 1`;
            return true;
          } catch (err) {
            log?.warn(errorFields(err), 'leader lock connection lost');
            return false;
          }
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
      return { async release() {}, async alive() { return true; } };
    },
    async close() {
      await client.close();
      releaseLock();
    },
  };
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
