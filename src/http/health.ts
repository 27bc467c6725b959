/**
 * /healthz as a pure function of what the daemon observes, so each failing reason is testable
 * without servers. The probe that gathers the inputs lives in health-probe.ts.
 */
import type { ConnectionTrouble } from '../mail/retry-backoff';
import type { DatabaseWriteTrouble } from '../intake/write-trouble';

/**
 * Why /healthz is not "ok", in the order they are checked. The first five fail it (503: mail is not
 * read, or answers are stuck); the SMTP ones degrade it (200: mail is read and recorded, answers wait in
 * the outbox until the server works; past HEALTH_MAX_OUTBOX_AGE_SECONDS, OUTBOX_STALE fails it).
 * Documented in docs/operations.md.
 */
export const HEALTH_REASONS = [
  'IMAP_AUTH_FAILED', 'IMAP_NOT_CONNECTED', 'DATABASE_UNREACHABLE', 'DATABASE_WRITE_FAILED', 'OUTBOX_STALE', 'SMTP_AUTH_FAILED', 'SMTP_UNREACHABLE',
] as const;
export type HealthReason = (typeof HEALTH_REASONS)[number];
const DEGRADING: ReadonlySet<HealthReason> = new Set(['SMTP_AUTH_FAILED', 'SMTP_UNREACHABLE']);

/** Watcher states that count as healthy. */
// 'standby': another instance leads the mailbox; this one is healthy and ready to take over.
export const HEALTHY_IMAP_STATES: ReadonlySet<string> = new Set(['connected', 'standby']);

export interface HealthInputs {
  /** The mailbox watcher's state: connected, connecting, backoff, auth_failed, stopped, standby. */
  imap: string;
  /** Why the last IMAP sessions failed (null when connected). */
  imapTrouble?: ConnectionTrouble | null;
  /** The SMTP server: ok, unknown (not tried yet), unreachable, auth_failed. */
  smtp?: string;
  smtpTrouble?: ConnectionTrouble | null;
  databaseReachable: boolean;
  /** The database answers but refuses to store mail (disk full…): see src/intake/write-trouble.ts. */
  databaseWriteTrouble?: DatabaseWriteTrouble | null;
  /** Rows pending or being sent; null when the database could not say. */
  unsentOutbox: number | null;
  /** Age of the oldest of them in seconds; null when there is none or the database could not say. */
  oldestUnsentOutboxSeconds: number | null;
  failedOutbox: number | null;
}

/** A connection's trouble as /healthz shows it. */
export interface TroubleReport {
  kind: ConnectionTrouble['kind'];
  error: string;
  since: string;
  lastAttemptAt: string;
  attempts: number;
  nextAttemptAt: string | null;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'failing';
  httpStatus: 200 | 503;
  reasons: HealthReason[];
  imap: string;
  imapError: TroubleReport | null;
  smtp: string;
  smtpError: TroubleReport | null;
  database: 'reachable' | 'unreachable';
  /** Why mail is refused by a database that answers; null when it is not. */
  databaseError: { error: string; code: string; since: string; lastAttemptAt: string; attempts: number } | null;
  unsentOutbox: number | null;
  oldestUnsentOutboxSeconds: number | null;
  failedOutbox: number | null;
  maxOutboxAgeSeconds: number;
}

function troubleReport(t: ConnectionTrouble | null | undefined): TroubleReport | null {
  if (!t) return null;
  return {
    kind: t.kind, error: t.error, since: t.since.toISOString(), lastAttemptAt: t.lastAttemptAt.toISOString(),
    attempts: t.attempts, nextAttemptAt: t.nextAttemptAt?.toISOString() ?? null,
  };
}

/**
 * Ok when IMAP is connected, the database answers, no outgoing mail has waited longer than
 * maxOutboxAgeSeconds and the SMTP server works. Failing (503) when mail is not read (IMAP down or
 * refusing our login, database gone) or answers are stuck; degraded (200) when only SMTP does not work:
 * at once, not only once the outbox is stale. Failed mails (5xx) change nothing: they are final and
 * visible in metrics and on their ticket.
 */
export function evaluateHealth(inputs: HealthInputs, opts: { maxOutboxAgeSeconds: number }): HealthReport {
  const reasons: HealthReason[] = [];
  if (inputs.imap === 'auth_failed') reasons.push('IMAP_AUTH_FAILED');
  else if (!HEALTHY_IMAP_STATES.has(inputs.imap)) reasons.push('IMAP_NOT_CONNECTED');
  if (!inputs.databaseReachable) reasons.push('DATABASE_UNREACHABLE');
  else if (inputs.databaseWriteTrouble) reasons.push('DATABASE_WRITE_FAILED');
  if (inputs.oldestUnsentOutboxSeconds !== null && inputs.oldestUnsentOutboxSeconds > opts.maxOutboxAgeSeconds) {
    reasons.push('OUTBOX_STALE');
  }
  if (inputs.smtp === 'auth_failed') reasons.push('SMTP_AUTH_FAILED');
  else if (inputs.smtp === 'unreachable') reasons.push('SMTP_UNREACHABLE');
  const failing = reasons.some((r) => !DEGRADING.has(r));
  const status = failing ? 'failing' : reasons.length > 0 ? 'degraded' : 'ok';
  return {
    status,
    httpStatus: failing ? 503 : 200,
    reasons,
    imap: inputs.imap,
    imapError: HEALTHY_IMAP_STATES.has(inputs.imap) ? null : troubleReport(inputs.imapTrouble),
    smtp: inputs.smtp ?? 'unknown',
    smtpError: troubleReport(inputs.smtpTrouble),
    database: inputs.databaseReachable ? 'reachable' : 'unreachable',
    databaseError: inputs.databaseReachable && inputs.databaseWriteTrouble ? {
      error: inputs.databaseWriteTrouble.error, code: inputs.databaseWriteTrouble.code, since: inputs.databaseWriteTrouble.since.toISOString(),
      lastAttemptAt: inputs.databaseWriteTrouble.lastAttemptAt.toISOString(), attempts: inputs.databaseWriteTrouble.attempts,
    } : null,
    unsentOutbox: inputs.unsentOutbox,
    oldestUnsentOutboxSeconds: inputs.oldestUnsentOutboxSeconds,
    failedOutbox: inputs.failedOutbox,
    maxOutboxAgeSeconds: opts.maxOutboxAgeSeconds,
  };
}

/** What the daemon knows in-process about its two mail connections. */
export interface ConnectionsHealth {
  imap: string;
  imapTrouble: ConnectionTrouble | null;
  smtp: string;
  smtpTrouble: ConnectionTrouble | null;
  /** The database refusing mail while it answers (the intake's last failures). */
  databaseWriteTrouble?: DatabaseWriteTrouble | null;
}

/**
 * A report evaluated again with the connections' states: the probe (health-probe.ts) reads the
 * database; the connections are known to the daemon's metrics, which /healthz is served with.
 */
export function withConnections(report: HealthReport, c: ConnectionsHealth): HealthReport {
  return evaluateHealth({
    imap: c.imap, imapTrouble: c.imapTrouble, smtp: c.smtp, smtpTrouble: c.smtpTrouble,
    databaseReachable: report.database === 'reachable', databaseWriteTrouble: c.databaseWriteTrouble ?? null, unsentOutbox: report.unsentOutbox,
    oldestUnsentOutboxSeconds: report.oldestUnsentOutboxSeconds, failedOutbox: report.failedOutbox,
  }, { maxOutboxAgeSeconds: report.maxOutboxAgeSeconds });
}
