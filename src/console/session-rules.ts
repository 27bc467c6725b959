/**
 * When a console session ends, and when logins wait: pure functions of the stored facts and the time.
 */

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export type SessionState = 'valid' | 'idle' | 'expired';

/** 'expired' past its absolute end (CONSOLE_SESSION_MAX_HOURS after login), 'idle' after idleMs without a request. */
export function sessionState(s: SessionTimes, now: Date, idleMs: number): SessionState {
  if (now.getTime() >= s.expiresAt.getTime()) return 'expired';
  if (now.getTime() - s.lastSeenAt.getTime() >= idleMs) return 'idle';
  return 'valid';
}

/** A request refreshes last_seen_at only when the stored one is this old: one write a minute at most per session. */
export const TOUCH_AFTER_MS = 60_000;

export function needsTouch(s: Pick<SessionTimes, 'lastSeenAt'>, now: Date): boolean {
  return now.getTime() - s.lastSeenAt.getTime() >= TOUCH_AFTER_MS;
}

/** The window over which failed logins are counted. */
export const LOGIN_WINDOW_MS = 15 * 60_000;

/**
 * Whether a login attempt must wait: too many failures within LOGIN_WINDOW_MS for the address typed
 * (slows guessing one account's password) or from the client's address (slows trying many accounts).
 * While it waits the password is not even checked, so a correct guess is not confirmed either.
 */
export function loginThrottled(
  failures: { account: number; ip: number }, limits: { perAccount: number; perIp: number },
): 'account' | 'ip' | null {
  if (failures.account >= limits.perAccount) return 'account';
  if (failures.ip >= limits.perIp) return 'ip';
  return null;
}
