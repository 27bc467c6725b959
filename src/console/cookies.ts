/** The console's cookies: HttpOnly, SameSite=Lax, Path = the console's, Secure behind TLS. */

export const SESSION_COOKIE = 'liquibot_console';
/** Before login: the double-submit token of the login and invitation forms. */
export const LOGIN_COOKIE = 'liquibot_console_login';

export interface CookieOptions {
  path: string;
  secure: boolean;
  /** Seconds; absent: a browser-session cookie. 0: delete it. */
  maxAge?: number;
}

/** A Set-Cookie value. `value` is one of our base64url tokens (no character needs quoting). */
export function cookieHeader(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${opts.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAge))}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The value of a cookie in a Cookie header, or null (a value that is not a base64url token counts as none). */
export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : null;
  }
  return null;
}
