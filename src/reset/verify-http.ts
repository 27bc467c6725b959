/**
 * POST /reset-links/verify, framework-free: the HTTP server mounts the handler and passes it the
 * parsed JSON body and the client's IP; the handler answers a status and a JSON object.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/client';
import { verifyResetLink } from './verify-link';

export const verifyBodySchema = z.object({
  token: z.string().min(1).max(128),
  siret: z.string().min(1).max(64),
  nom: z.string().min(1).max(200),
  prenom: z.string().min(1).max(200),
});
export type VerifyBody = z.infer<typeof verifyBodySchema>;

export interface VerifyRequest {
  body: unknown;
  /** The client's address as the server sees it (after any trusted proxy header). */
  ip: string;
  /** The request's `Authorization` header, if any. */
  authorization?: string;
}

export interface VerifyResponse {
  status: number;
  json: object;
  /** Extra headers, e.g. Retry-After on 429. */
  headers?: Record<string, string>;
}

const WINDOW_MS = 60_000;
/** Beyond this many IPs tracked, finished windows are swept before a new IP is added. */
const MAX_TRACKED_IPS = 10_000;

/**
 * A fixed-window counter per key: at most `perWindow` hits in each window of `windowMs`
 * started by the key's first hit. In memory, per process.
 */
export function createFixedWindowLimiter(perWindow: number, windowMs = WINDOW_MS) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** Counts a hit; null when allowed, else the seconds until the window ends. */
    hit(key: string, nowMs: number): number | null {
      let w = windows.get(key);
      if (!w || nowMs - w.start >= windowMs) {
        if (!w && windows.size >= MAX_TRACKED_IPS) {
          for (const [k, v] of windows) if (nowMs - v.start >= windowMs) windows.delete(k);
          // still full of live windows: forget the oldest rather than grow without bound
          if (windows.size >= MAX_TRACKED_IPS) windows.delete(windows.keys().next().value!);
        }
        w = { start: nowMs, count: 0 };
        windows.delete(key);
        windows.set(key, w);
      }
      w.count++;
      return w.count > perWindow ? Math.max(1, Math.ceil((w.start + windowMs - nowMs) / 1000)) : null;
    },
    size: () => windows.size,
  };
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Whether `Authorization: Bearer <token>` carries the expected token; compared in constant time (as digests of one length). */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), expected);
}

/** `::ffff:192.0.2.1` and `192.0.2.1` are the same client. */
function clientKey(ip: string): string {
  const trimmed = ip.trim().toLowerCase();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}

/**
 * The handler of POST /reset-links/verify. Every request counts against its IP's limit of
 * `rateLimit.perMinute` per fixed minute, valid or not (429 with `Retry-After` beyond it). With an
 * `apiToken`, a request without that bearer token gets 401 `{ error: 'UNAUTHORIZED' }`.
 * A body that is not `{ token, siret, nom, prenom }` (strings, bounded lengths) gets 400
 * `{ error: 'INVALID_BODY' }`; otherwise the link is verified as the portal (actor 'portal') and
 * the answer is 200 `{ result }`, result one of valid, expired, already_used, mismatch, unknown —
 * nothing else (no ticket, no hint of which part of the triplet was wrong).
 * Database failures are thrown for the server to answer 500.
 */
export function createVerifyHandler(opts: {
  database: { db: Db };
  now: () => Date;
  rateLimit: { perMinute: number };
  maxFailedAttempts?: number;
  /** When set, only requests with `Authorization: Bearer <apiToken>` are served (401 otherwise). */
  apiToken?: string;
}): (req: VerifyRequest) => Promise<VerifyResponse> {
  const limiter = createFixedWindowLimiter(opts.rateLimit.perMinute);
  const expected = opts.apiToken ? digest(opts.apiToken) : null;
  return async (req): Promise<VerifyResponse> => {
    const now = opts.now();
    const retryAfter = limiter.hit(clientKey(req.ip), now.getTime());
    if (retryAfter !== null) {
      return { status: 429, json: { error: 'RATE_LIMITED', retryAfterSeconds: retryAfter }, headers: { 'Retry-After': String(retryAfter) } };
    }
    if (expected && !bearerMatches(req.authorization, expected)) {
      return { status: 401, json: { error: 'UNAUTHORIZED' }, headers: { 'WWW-Authenticate': 'Bearer' } };
    }
    const parsed = verifyBodySchema.safeParse(req.body);
    if (!parsed.success) {
      return { status: 400, json: { error: 'INVALID_BODY', fields: [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')).filter(Boolean))] } };
    }
    const { token, siret, nom, prenom } = parsed.data;
    const outcome = await verifyResetLink(opts.database.db, {
      token, siret, lastName: nom, firstName: prenom, now, actor: 'portal',
      ...(opts.maxFailedAttempts !== undefined ? { maxFailedAttempts: opts.maxFailedAttempts } : {}),
    });
    return { status: 200, json: { result: outcome.result } };
  };
}
