import type { Route } from '../http/route-table';
import type { Database } from '../db/client';
import { createVerifyHandler } from './verify-http';

/**
 * POST /reset-links/verify: the portal asks whether a link is valid for SIRET / NOM / PRÉNOM.
 * JSON in ({ token, siret, nom, prenom }), JSON out ({ result }); consumes the link when valid.
 */
export function resetLinkVerifyRoute(opts: { database: Database; now: () => Date; perMinute: number; apiToken?: string }): Route {
  const handle = createVerifyHandler({ database: opts.database, now: opts.now, rateLimit: { perMinute: opts.perMinute }, ...(opts.apiToken ? { apiToken: opts.apiToken } : {}) });
  return {
    method: 'POST',
    path: '/reset-links/verify',
    maxBodyBytes: 4096,
    async handler(req) {
      let body: unknown;
      try {
        body = JSON.parse(req.body.toString('utf8'));
      } catch {
        return { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'INVALID_JSON' }) };
      }
      const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
      const res = await handle({ body, ip: req.remoteAddress ?? 'unknown', ...(authorization ? { authorization } : {}) });
      return {
        status: res.status,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...res.headers },
        body: JSON.stringify(res.json),
      };
    },
  };
}
