import type { Database } from '../db/client';
import { pingDatabase } from '../db/client';
import { outboxHealth, type OutboxHealth } from '../db/ops-queries';
import { withTimeout } from '../metrics/daemon-metrics';
import { evaluateHealth, type HealthReport } from './health';

export interface HealthProbeOptions {
  database: Database;
  /** The mailbox watcher's state. */
  imapState: () => string;
  maxOutboxAgeSeconds: number;
  now: () => Date;
  /** A database that does not answer within this is unreachable. Default 3 s. */
  timeoutMs?: number;
}

/**
 * Gathers what /healthz needs (IMAP state, a database ping, the outbox's oldest unsent row) and
 * evaluates it. Concurrent calls share one probe, so a burst of checks is one round of queries.
 */
export function createHealthProbe(opts: HealthProbeOptions): () => Promise<HealthReport> {
  let inflight: Promise<HealthReport> | null = null;
  const timeoutMs = opts.timeoutMs ?? 3_000;

  async function probe(): Promise<HealthReport> {
    let outbox: OutboxHealth | null = null;
    const reachable = await withTimeout(pingDatabase(opts.database), timeoutMs).catch(() => false);
    if (reachable) outbox = await withTimeout(outboxHealth(opts.database.db), timeoutMs).catch(() => null);
    const now = opts.now();
    return evaluateHealth({
      imap: opts.imapState(),
      databaseReachable: reachable && outbox !== null,
      unsentOutbox: outbox?.unsent ?? null,
      oldestUnsentOutboxSeconds: outbox?.oldestUnsentAt ? Math.max(0, Math.round((now.getTime() - outbox.oldestUnsentAt.getTime()) / 1000)) : null,
      failedOutbox: outbox?.failed ?? null,
    }, { maxOutboxAgeSeconds: opts.maxOutboxAgeSeconds });
  }

  return () => {
    inflight ??= probe().finally(() => {
      inflight = null;
    });
    return inflight;
  };
}
