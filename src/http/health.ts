/**
 * /healthz as a pure function of what the daemon observes, so each failing reason is testable
 * without servers. The probe that gathers the inputs lives in health-probe.ts.
 */

/** Why /healthz answers 503, in the order they are checked. Documented in docs/operations.md. */
export const HEALTH_REASONS = ['IMAP_NOT_CONNECTED', 'DATABASE_UNREACHABLE', 'OUTBOX_STALE'] as const;
export type HealthReason = (typeof HEALTH_REASONS)[number];

/** Watcher states that count as healthy. */
// 'standby': another instance leads the mailbox; this one is healthy and ready to take over.
export const HEALTHY_IMAP_STATES: ReadonlySet<string> = new Set(['connected', 'standby']);

export interface HealthInputs {
  /** The mailbox watcher's state: connected, connecting, backoff, stopped. */
  imap: string;
  databaseReachable: boolean;
  /** Rows pending or being sent; null when the database could not say. */
  unsentOutbox: number | null;
  /** Age of the oldest of them in seconds; null when there is none or the database could not say. */
  oldestUnsentOutboxSeconds: number | null;
  failedOutbox: number | null;
}

export interface HealthReport {
  status: 'ok' | 'failing';
  httpStatus: 200 | 503;
  reasons: HealthReason[];
  imap: string;
  database: 'reachable' | 'unreachable';
  unsentOutbox: number | null;
  oldestUnsentOutboxSeconds: number | null;
  failedOutbox: number | null;
  maxOutboxAgeSeconds: number;
}

/**
 * Healthy when IMAP is connected, the database answers and no outgoing mail has waited longer than
 * maxOutboxAgeSeconds (SMTP down, or mail stuck in retries). Failed mails (5xx) do not fail health:
 * they are final and visible in metrics and on their ticket.
 */
export function evaluateHealth(inputs: HealthInputs, opts: { maxOutboxAgeSeconds: number }): HealthReport {
  const reasons: HealthReason[] = [];
  if (!HEALTHY_IMAP_STATES.has(inputs.imap)) reasons.push('IMAP_NOT_CONNECTED');
  if (!inputs.databaseReachable) reasons.push('DATABASE_UNREACHABLE');
  if (inputs.oldestUnsentOutboxSeconds !== null && inputs.oldestUnsentOutboxSeconds > opts.maxOutboxAgeSeconds) {
    reasons.push('OUTBOX_STALE');
  }
  const ok = reasons.length === 0;
  return {
    status: ok ? 'ok' : 'failing',
    httpStatus: ok ? 200 : 503,
    reasons,
    imap: inputs.imap,
    database: inputs.databaseReachable ? 'reachable' : 'unreachable',
    unsentOutbox: inputs.unsentOutbox,
    oldestUnsentOutboxSeconds: inputs.oldestUnsentOutboxSeconds,
    failedOutbox: inputs.failedOutbox,
    maxOutboxAgeSeconds: opts.maxOutboxAgeSeconds,
  };
}
