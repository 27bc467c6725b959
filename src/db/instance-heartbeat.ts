import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql, type SQL } from 'drizzle-orm';
import type { Database, DbSession } from './client';
import { errorFields, type Logger } from '../log';
import { disagreeingSettings, type Disagreement, type SharedConfigDigests } from '../config-agreement';

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
  /** Published with every beat (a row re-created after a long outage carries it again). */
  sharedConfig: SharedConfigDigests;
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
  const sharedConfig = JSON.stringify(opts.sharedConfig);

  async function beat(): Promise<void> {
    session ??= await opts.database.openSession();
    // PGlite has no other process: pg_stat_activity and the server's start time mean nothing there.
    await session.rows(postgres
      ? sql`insert into instance_heartbeats (instance_id, host, pid, beat_at, backend_pid, server_started_at, shared_config)
          values (${id}, ${host}, ${pid}, now(), pg_backend_pid(), pg_postmaster_start_time(), ${sharedConfig}::text::jsonb)
          on conflict (instance_id) do update set beat_at = now(), backend_pid = pg_backend_pid(), server_started_at = pg_postmaster_start_time()`
      : sql`insert into instance_heartbeats (instance_id, host, pid, beat_at, shared_config) values (${id}, ${host}, ${pid}, now(), ${sharedConfig}::text::jsonb)
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

/**
 * On PostgreSQL, whether the heartbeat row `h` is an instance alive: its beat is fresh, and its heartbeat
 * session still exists while the server that recorded it still runs (a killed process's backend ends with
 * its connection). The one definition for the outbox's dead claims and the configuration check.
 * `afterServerRestart: 'grace'`: after a server restart every session is new, and an instance that has
 * not beaten since counts as alive for `staleSeconds` from the restart (the outbox releases nothing of a
 * live instance for a quick restart); 'none' reads the beat alone (the configuration check: a row left
 * by an instance that died with the server must not block a start for those seconds).
 */
export function heartbeatLive(staleSeconds: SQL, afterServerRestart: 'grace' | 'none'): SQL {
  const beat = afterServerRestart === 'grace' ? sql`greatest(h.beat_at, pg_postmaster_start_time())` : sql`h.beat_at`;
  return sql`(${beat} > now() - make_interval(secs => ${staleSeconds})
    and (h.server_started_at is distinct from pg_postmaster_start_time() or h.backend_pid is null
      or exists (select 1 from pg_stat_activity a where a.pid = h.backend_pid)))`;
}

/** An instance alive on this database, as its heartbeat row shows it. */
export interface LiveInstance {
  instanceId: string;
  host: string;
  pid: number;
  startedAt: Date;
  beatAt: Date;
  /** Its published digests (src/config-agreement.ts); null for a release that publishes none. */
  sharedConfig: SharedConfigDigests | null;
}

/**
 * The live instances on this database, oldest first: a fresh beat and, on PostgreSQL, a heartbeat
 * session that still exists (heartbeatLive, without the grace after a server restart), so a killed
 * instance's row is not counted.
 */
export async function liveInstances(database: Database, opts: { staleSeconds: number; except?: string }): Promise<LiveInstance[]> {
  const stale = sql`${Math.ceil(opts.staleSeconds)}::integer`;
  const rows = await database.rows<{ instance_id: string; host: string; pid: number; started_at: unknown; beat_at: unknown; shared_config: unknown }>(
    sql`select h.instance_id, h.host, h.pid, h.started_at, h.beat_at, h.shared_config from instance_heartbeats h
      where h.instance_id <> ${opts.except ?? ''}
        and ${database.kind === 'postgres' ? heartbeatLive(stale, 'none') : sql`h.beat_at > now() - make_interval(secs => ${stale})`}
      order by h.started_at, h.instance_id`);
  return rows.map((row) => {
    const published = typeof row.shared_config === 'string' ? (JSON.parse(row.shared_config) as unknown) : row.shared_config;
    return {
      instanceId: row.instance_id, host: row.host, pid: Number(row.pid),
      startedAt: asDate(row.started_at), beatAt: asDate(row.beat_at),
      sharedConfig: published && typeof published === 'object' ? (published as SharedConfigDigests) : null,
    };
  });
}

const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/**
 * The live instances on this database whose published configuration disagrees with `mine`
 * (src/config-agreement.ts). Instances of releases that publish nothing are not compared.
 */
export async function disagreeingInstances(
  database: Database, opts: { self: string; staleSeconds: number; mine: SharedConfigDigests },
): Promise<Disagreement[]> {
  const found: Disagreement[] = [];
  for (const other of await liveInstances(database, { staleSeconds: opts.staleSeconds, except: opts.self })) {
    const settings = other.sharedConfig ? disagreeingSettings(opts.mine, other.sharedConfig) : [];
    if (settings.length > 0) found.push({ instanceId: other.instanceId, host: other.host, pid: other.pid, settings });
  }
  return found;
}
