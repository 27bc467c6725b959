import type { Config } from '../config';
import type { Database } from '../db/client';
import { createHealthProbe } from '../http/health-probe';
import { startHttpServer, type RunningHttpServer } from '../http/http-server';
import { registerOpsRoutes } from '../http/ops-routes';
import { createRouteTable, type RouteTable } from '../http/route-table';
import type { Logger } from '../log';
import type { DaemonMetrics, WatchedMailbox } from '../metrics/daemon-metrics';
import { schedulePurgeJob } from './purge-job';
import type { SlotGuard } from './job-slots';

export interface OperationsOptions {
  config: Pick<Config, 'HTTP_HOST' | 'HTTP_PORT' | 'HEALTH_MAX_OUTBOX_AGE_SECONDS' | 'PURGE_CRON' | 'TIMEZONE' | 'RETENTION_DAYS'>;
  log: Logger;
  database: Database;
  watcher: WatchedMailbox;
  metrics: DaemonMetrics;
  now: () => Date;
  /** Routes of other parts of the daemon, served next to /healthz and /metrics. */
  routes?: RouteTable;
  /** Each scheduled slot once, across instances and clock jumps (job_slots). */
  guard?: SlotGuard;
}

export interface Operations {
  /** null when HTTP_PORT=off. */
  http: RunningHttpServer | null;
  stop(): Promise<void>;
}

/**
 * What the daemon runs for its operators: the HTTP server (health, metrics and any registered route)
 * and the scheduled retention purge. Throws AppError HTTP_FAILED when the port cannot be bound.
 */
export async function startOperations(opts: OperationsOptions): Promise<Operations> {
  const { config, log } = opts;
  opts.metrics.watch(opts.watcher);
  let http: RunningHttpServer | null = null;
  if (config.HTTP_PORT !== null) {
    const routes = opts.routes ?? createRouteTable();
    const health = createHealthProbe({
      database: opts.database, imapState: () => opts.watcher.state(), maxOutboxAgeSeconds: config.HEALTH_MAX_OUTBOX_AGE_SECONDS, now: opts.now,
    });
    registerOpsRoutes(routes, { health, metrics: opts.metrics, startedAt: new Date() });
    http = await startHttpServer({ host: config.HTTP_HOST, port: config.HTTP_PORT, routes, log });
  }
  const purgeJob = schedulePurgeJob({
    config, database: opts.database, log, now: opts.now, onRun: (report) => opts.metrics.recordPurge(report),
    ...(opts.guard ? { guard: opts.guard } : {}),
  });
  return {
    http,
    async stop() {
      await purgeJob?.stop();
      await http?.close();
    },
  };
}
