import type { Config } from '../config';
import type { Database } from '../db/client';
import { deleteDeadSessions } from '../db/console-queries';
import type { HealthReport } from '../http/health';
import { startHttpServer, type RunningHttpServer } from '../http/http-server';
import { createRouteTable, type HttpRequest, type HttpResponse, type RouteTable } from '../http/route-table';
import { errorFields, type Logger } from '../log';
import { startTemplateVersionSync } from '../templates/db-versions';
import { openTemplateStore } from '../templates/open-store';
import type { PipelineDeps } from '../workflow/context';
import { createPipelineDeps } from '../workflow/deps';
import { trustedProxies } from './client-address';
import { createConsoleApp } from './console-app';

/** Forms and the CSRF header are small; nothing larger is ever posted to the console. */
export const CONSOLE_MAX_BODY_BYTES = 64 * 1024;

export interface ConsoleOptions {
  config: Config;
  database: Database;
  log: Logger;
  now?: () => Date;
  /** The daemon's pipeline; absent: the console builds its own, as the terminal commands do. */
  pipeline?: PipelineDeps;
  /** Wakes the outbox after a decision or a replay queued mail (else it sends at its next poll). */
  kick?: () => void;
  /** The daemon's HTTP routes: the console mounts itself there, unless CONSOLE_PORT gives it a server of its own. */
  routes?: RouteTable | null;
  /** After a template was saved in the console: the daemon's templates reload now (absent: the console's own store). */
  refreshTemplates?: () => Promise<void>;
  /** The daemon's health report; absent: read from the routes' GET /healthz, when there is one. */
  health?: () => Promise<HealthReport | null>;
}

export interface RunningConsole {
  /** Where it answers, e.g. http://127.0.0.1:8080/console */
  url: string;
  close(): Promise<void>;
}

/**
 * The web console (CONSOLE_ENABLED), mounted under CONSOLE_PATH on the daemon's HTTP server, or served
 * on CONSOLE_HOST:CONSOLE_PORT by a server of its own. Null when turned off, or when there is no server
 * to mount it on (HTTP_PORT=off and no CONSOLE_PORT): then it says so in the log.
 */
export async function startConsole(opts: ConsoleOptions): Promise<RunningConsole | null> {
  const { config, log } = opts;
  if (!config.CONSOLE_ENABLED) return null;
  const clog = log.child({ component: 'console' });
  const now = opts.now ?? (() => new Date());
  let closeTemplates = () => {};
  let pipeline = opts.pipeline;
  let refreshTemplates = opts.refreshTemplates ?? (async () => {});
  if (!pipeline) {
    const templates = await openTemplateStore(config, log);
    const sync = await startTemplateVersionSync({ database: opts.database, store: templates, log });
    refreshTemplates = () => sync.refresh();
    closeTemplates = () => {
      sync.stop();
      templates.close?.();
    };
    pipeline = createPipelineDeps({ config, database: opts.database, templates, log, now });
  }
  const base = config.CONSOLE_PATH;
  const routes = opts.routes ?? null;
  const app = createConsoleApp({
    config, database: opts.database, log: clog, now, pipeline, base,
    kick: opts.kick ?? (() => {}),
    refreshTemplates,
    health: opts.health ?? (() => healthFromRoutes(routes)),
    proxies: trustedProxies(config.CONSOLE_TRUSTED_PROXIES),
  });
  const handler = (req: HttpRequest) => serveWith(app.fetch, req);

  let own: RunningHttpServer | null = null;
  let url: string;
  if (config.CONSOLE_PORT !== undefined) {
    const table = createRouteTable();
    table.mount({ prefix: base, handler, maxBodyBytes: CONSOLE_MAX_BODY_BYTES });
    own = await startHttpServer({ host: config.CONSOLE_HOST ?? config.HTTP_HOST, port: config.CONSOLE_PORT, routes: table, log: clog });
    url = `http://${hostForUrl(own.host)}:${own.port}${base}`;
  } else if (routes && config.HTTP_PORT !== null) {
    routes.mount({ prefix: base, handler, maxBodyBytes: CONSOLE_MAX_BODY_BYTES });
    url = `http://${hostForUrl(config.HTTP_HOST)}:${config.HTTP_PORT}${base}`;
  } else {
    clog.warn('console not served: HTTP_PORT=off and no CONSOLE_PORT');
    closeTemplates();
    return null;
  }
  // Dead sessions go every hour (an expired one is refused anyway; this only keeps the table small).
  const sweep = setInterval(() => {
    const at = now();
    deleteDeadSessions(opts.database.db, at, new Date(at.getTime() - config.CONSOLE_SESSION_IDLE_MINUTES * 60_000))
      .catch((err) => clog.warn(errorFields(err), 'console sessions not swept'));
  }, 3_600_000);
  sweep.unref();
  clog.info({ path: base, ownServer: own !== null }, 'console served');
  return {
    url,
    async close() {
      clearInterval(sweep);
      await own?.close();
      closeTemplates();
    },
  };
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The daemon's own /healthz report, when the console shares its route table. */
async function healthFromRoutes(routes: RouteTable | null): Promise<HealthReport | null> {
  const match = routes?.match('GET', '/healthz');
  if (!match || match.kind !== 'found') return null;
  const res = await match.route.handler({ method: 'GET', path: '/healthz', query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0), remoteAddress: null });
  const parsed: unknown = JSON.parse(typeof res.body === 'string' ? res.body : res.body.toString('utf8'));
  return isHealthReport(parsed) ? parsed : null;
}

function isHealthReport(v: unknown): v is HealthReport {
  return typeof v === 'object' && v !== null && 'status' in v && 'reasons' in v && 'imap' in v && 'smtp' in v && 'database' in v;
}

/** The route table's request as a fetch Request for Hono, and its Response back (one Set-Cookie at most). */
export async function serveWith(
  fetch: (request: Request, env: { remoteAddress: string | null }) => Response | Promise<Response>, req: HttpRequest,
): Promise<HttpResponse> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const query = req.query.toString();
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body.length > 0;
  const request = new Request(`http://console.invalid${req.path}${query ? `?${query}` : ''}`, {
    method: req.method, headers, ...(hasBody ? { body: new Uint8Array(req.body) } : {}),
  });
  const response = await fetch(request, { remoteAddress: req.remoteAddress });
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies[cookies.length - 1]!;
  return { status: response.status, headers: out, body: Buffer.from(await response.arrayBuffer()) };
}
