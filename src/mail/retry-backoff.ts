/**
 * Delay before retry number `attempt` (1-based): capped exponential backoff with full jitter.
 * `random` is injected so the function stays pure and testable.
 */
export function backoffDelayMs(attempt: number, opts: { baseMs: number; maxMs: number; random?: () => number }): number {
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: never zero, never in lock-step with another instance.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Why a connection to a mail server does not work: the server refused our login, or it could not be reached. */
export type ConnectionTroubleKind = 'auth_failed' | 'unreachable';

/** What a connection that keeps failing reports for /healthz, `liquibot status` and the logs. */
export interface ConnectionTrouble {
  kind: ConnectionTroubleKind;
  /** The error of the last attempt, one line, addresses masked. */
  error: string;
  /** First failure of this run of failures. */
  since: Date;
  lastAttemptAt: Date;
  /** Failed attempts in a row. */
  attempts: number;
  /** When the next attempt is due; null when none is planned. */
  nextAttemptAt: Date | null;
}

/** A refused login is retried from this delay up, doubling (with jitter). */
export const AUTH_RETRY_BASE_MS = 30_000;
/** …up to this (or the network cap, when that is longer). */
export const AUTH_RETRY_MAX_MS = 10 * 60_000;

/**
 * Delay before reconnection attempt `attempt` (1-based) after a failure of `kind`. A network failure
 * starts at `baseMs` (default 1 s) and is capped at `maxMs`. A refused login will be refused again until
 * someone changes the password, and servers lock accounts or ban addresses that keep failing: it starts at
 * 30 s and is capped at 10 minutes (or `maxMs` when longer), never shorter than a network retry.
 */
export function reconnectDelayMs(
  kind: ConnectionTroubleKind, attempt: number, opts: { maxMs: number; baseMs?: number; random?: () => number },
): number {
  if (kind === 'unreachable') return backoffDelayMs(attempt, { baseMs: opts.baseMs ?? 1_000, maxMs: opts.maxMs, random: opts.random });
  return backoffDelayMs(attempt, { baseMs: AUTH_RETRY_BASE_MS, maxMs: Math.max(AUTH_RETRY_MAX_MS, opts.maxMs), random: opts.random });
}

/** An error's text as a connection trouble keeps it: one line, at most 300 characters, e-mail addresses masked. */
export function troubleText(text: string): string {
  return text.split('\n')[0]!.replace(/[^\s<>()[\]"',;:@]+@[^\s<>()[\]"',;:@]+/g, '[address]').slice(0, 300);
}
