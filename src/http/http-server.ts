import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors';
import { errorFields, type Logger } from '../log';
import { DEFAULT_MAX_BODY_BYTES, jsonResponse, type HttpResponse, type Route, type RouteTable } from './route-table';

export interface HttpServerOptions {
  host: string;
  /** 0: a free port chosen by the system. */
  port: number;
  routes: RouteTable;
  log: Logger;
}

export interface RunningHttpServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  host: string;
  routes: RouteTable;
  close(): Promise<void>;
}

/** Whole request, headers included, must arrive within this; slow clients are cut off. */
const REQUEST_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 5_000;

class BodyTooLarge extends Error {}

/**
 * A small node:http server over a route table: 404 for unknown paths, 405 (with Allow) for a
 * known path under another method, 413 past the route's body limit, 500 when a handler throws.
 * Resolves once listening; a port in use is an AppError HTTP_FAILED.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const log = opts.log.child({ component: 'http' });
  const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS }, (req, res) => {
    const started = Date.now();
    void respond(req, opts.routes, log).then(
      (response) => send(res, req, response),
      (err) => {
        log.error(errorFields(err), 'http handler failed');
        send(res, req, jsonResponse(500, { error: 'internal error' }));
      },
    ).finally(() => {
      // The path only: a query string may carry a token.
      log.debug({ method: req.method, path: pathOf(req.url), status: res.statusCode, ms: Date.now() - started }, 'http request');
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(new AppError('HTTP_FAILED', `HTTP server cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log.error(errorFields(err), 'http server error'));
  const port = (server.address() as AddressInfo).port;
  log.info({ host: opts.host, port }, 'http server listening');
  return {
    port,
    host: opts.host,
    routes: opts.routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q >= 0 ? raw.slice(0, q) : raw;
}

async function respond(req: IncomingMessage, routes: RouteTable, log: Logger): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return jsonResponse(400, { error: 'bad request' });
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const match = routes.match(method, url.pathname);
  if (match.kind === 'not-found') return jsonResponse(404, { error: 'not found' });
  if (match.kind === 'method-not-allowed') return jsonResponse(405, { error: 'method not allowed' }, { allow: match.allow.join(', ') });
  const target = match.kind === 'found' ? match.route : match.mount;
  let body: Buffer;
  try {
    body = await readBody(req, target);
  } catch (err) {
    if (err instanceof BodyTooLarge) return jsonResponse(413, { error: 'body too large' }, { connection: 'close' });
    log.debug(errorFields(err), 'http request body unreadable');
    return jsonResponse(400, { error: 'bad request' }, { connection: 'close' });
  }
  return target.handler({
    method, path: url.pathname, query: url.searchParams, headers: req.headers, body, remoteAddress: req.socket.remoteAddress ?? null,
  });
}

/** Read the body up to the route's limit; a declared or actual size past it is refused without buffering it. */
function readBody(req: IncomingMessage, route: Pick<Route, 'maxBodyBytes'>): Promise<Buffer> {
  const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, req: IncomingMessage, response: HttpResponse): void {
  if (res.headersSent) return;
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.status, { 'content-length': String(body.length), ...response.headers });
  // Node writes no body for HEAD by itself; the length still tells what GET would send.
  res.end(req.method === 'HEAD' ? undefined : body);
  if (response.headers?.connection === 'close') res.on('finish', () => req.socket.destroy());
}
