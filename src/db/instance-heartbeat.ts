import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type { Database, DbSession } from './client';
import { errorFields, type Logger } from '../log';

/** This process among the instances sharing the database. */
export interface InstanceIdentity {
  /** Unique per process start: `host:pid:random`. */
  id: string;
  host: string;
  pid: number;
}

export function newInstanceIdentity(): InstanceIdentity {
  const host = hostname();
  return { id: `${host}:${process.pid}:${randomUUID().slice(0, 8)}`, host, pid: process.pid };
}

export interface InstanceHeartbeat {
  readonly instance: InstanceIdentity;
  /** Seconds without a beat after which this instance's claims count as dead (for the claim query). */
  readonly staleSeconds: number;
  /** False until the first beat is written, and while beats fail. */
  beating(): boolean;
  stop(): Promise<void>;
}

/** Rows of instances gone for this long are removed (their claims, if any, count as dead anyway). */
const FORGET_AFTER = '1 day';

/**
 * Beats for this instance every `intervalMs` on a dedicated session, on the database's clock:
 * `beat_at`, and the session's backend pid and the server's start time. Another instance reading the
 * row knows this one is alive while the beat is fresh and, while the server that recorded it still runs,
 * while that backend is still in pg_stat_activity: a SIGKILLed process's session ends with it, so its
 * claims are known dead within a poll, not after their lease. A graceful stop deletes the row.
 */
export async function startInstanceHeartbeat(opts: {
  database: Database;
  instance: InstanceIdentity;
  intervalMs: number;
  staleSeconds: number;
  log: Logger;
}): Promise<InstanceHeartbeat> {
  const log = opts.log.child({ component: 'heartbeat', instanceId: opts.instance.id });
  const { id, host, pid } = opts.instance;
  let session: DbSession | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let ok = false;
  let failing = false;
  let current: Promise<void> | null = null;
  const postgres = opts.database.kind === 'postgres';

  async function beat(): Promise<void> {
    session ??= await opts.database.openSession();
    // PGlite has no other process: pg_stat_activity and the server's start time mean nothing there.
    await session.rows(postgres
      ? sql`insert into instance_heartbeats (instance_id, host, pid, beat_at, backend_pid, server_started_at)
          values (${id}, ${host}, ${pid}, now(), pg_backend_pid(), pg_postmaster_start_time())
          on conflict (instance_id) do update set beat_at = now(), backend_pid = pg_backend_pid(), server_started_at = pg_postmaster_start_time()`
      : sql`insert into instance_heartbeats (instance_id, host, pid, beat_at) values (${id}, ${host}, ${pid}, now())
          on conflict (instance_id) do update set beat_at = now()`);
  }

  async function beatLogged(): Promise<void> {
    try {
      await beat();
      if (failing) log.info('instance heartbeat works again');
      ok = true;
      failing = false;
    } catch (err) {
      ok = false;
      if (!failing) log.warn(errorFields(err), 'instance heartbeat failed');
      failing = true;
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = beatLogged().finally(() => {
        current = null;
        schedule();
      });
    }, opts.intervalMs);
  };

  // The first beat before anything is claimed, so no other instance ever sees our claims without our row.
  await beat();
  ok = true;
  await opts.database.rows(sql`delete from instance_heartbeats where beat_at < now() - ${FORGET_AFTER}::interval`).catch(() => {});
  log.info({ intervalMs: opts.intervalMs, staleSeconds: opts.staleSeconds }, 'instance heartbeat started');
  schedule();

  return {
    instance: opts.instance,
    staleSeconds: opts.staleSeconds,
    beating: () => ok,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (current) await current;
      // Gone: whatever this instance still claims is free for the others at once.
      await opts.database.rows(sql`delete from instance_heartbeats where instance_id = ${id}`).catch(() => {});
      await session?.close();
    },
  };
}
