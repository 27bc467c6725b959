import type { Context } from 'hono';
import { deleteSession, insertSession, recordAudit, recordLogin } from '../db/console-queries';
import type { ConsoleUser } from '../db/schema';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { cookieHeader, readCookie, SESSION_COOKIE } from './cookies';
import { seeOther } from './responses';
import { randomToken, sha256Hex } from './secrets';

/** Whether cookies must be Secure for this request: it came over TLS, or the console's public address is https. */
export function secureFor(deps: ConsoleDeps, c: Context<ConsoleEnv>): boolean {
  return c.get('client').https || (deps.config.CONSOLE_PUBLIC_URL ?? '').toLowerCase().startsWith('https:');
}

/**
 * A signed-in account gets a new session (never the one the browser came with: no fixation), its last
 * login and the audit line (`method`: password or oidc), then goes to `next` (a path checked by the caller).
 */
export async function openSession(deps: ConsoleDeps, c: Context<ConsoleEnv>, user: ConsoleUser, method: 'password' | 'oidc', next: string): Promise<Response> {
  const db = deps.database.db;
  const now = deps.now();
  const ip = c.get('client').ip;
  const previous = readCookie(c.req.header('cookie'), SESSION_COOKIE);
  if (previous) await deleteSession(db, sha256Hex(previous));
  const token = randomToken();
  await insertSession(db, {
    tokenHash: sha256Hex(token), userId: user.id, csrfToken: randomToken(), now,
    expiresAt: new Date(now.getTime() + deps.config.CONSOLE_SESSION_MAX_HOURS * 3_600_000),
    ip, userAgent: (c.req.header('user-agent') ?? '').slice(0, 300) || null,
  });
  await recordLogin(db, user.id, now);
  await recordAudit(db, { at: now, actor: `console:${user.email}`, action: 'login', target: user.email, ip, detail: { method } });
  return seeOther(next, { 'set-cookie': cookieHeader(SESSION_COOKIE, token, { path: deps.base, secure: secureFor(deps, c) }) });
}
