import { AppError } from '../errors';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The HTTP routes liquibot answers, as a table of method + exact path → handler. Other parts of the
 * daemon register theirs (e.g. `POST /reset-links/verify`) with `add` before or after the server starts.
 */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface HttpRequest {
  method: string;
  /** The path without the query string, e.g. `/healthz`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The request body, at most the route's maxBodyBytes (the server answers 413 beyond). */
  body: Buffer;
  remoteAddress: string | null;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export type RouteHandler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

export interface Route {
  method: HttpMethod;
  /** Exact path, starting with `/`. */
  path: string;
  handler: RouteHandler;
  /** Largest accepted body; default DEFAULT_MAX_BODY_BYTES. GET routes take none worth reading. */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

export type RouteMatch =
  | { kind: 'found'; route: Route }
  /** The path exists under other methods: answer 405 with an Allow header. */
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

export interface RouteTable {
  /** Register a route; a second route for the same method and path is a programmer error. */
  add(route: Route): void;
  match(method: string, path: string): RouteMatch;
  list(): readonly Route[];
}

/** Make a route table, optionally with routes. HEAD is answered by the GET route of the path. */
export function createRouteTable(initial: Route[] = []): RouteTable {
  const byPath = new Map<string, Map<string, Route>>();
  const table: RouteTable = {
    add(route) {
      if (!route.path.startsWith('/')) throw new AppError('INTERNAL', `route path must start with /: ${route.path}`);
      const methods = byPath.get(route.path) ?? new Map<string, Route>();
      if (methods.has(route.method)) throw new AppError('INTERNAL', `route registered twice: ${route.method} ${route.path}`);
      methods.set(route.method, route);
      byPath.set(route.path, methods);
    },
    match(method, path) {
      const methods = byPath.get(path);
      if (!methods) return { kind: 'not-found' };
      const route = methods.get(method) ?? (method === 'HEAD' ? methods.get('GET') : undefined);
      if (route) return { kind: 'found', route };
      const allow = [...methods.keys()];
      if (methods.has('GET')) allow.push('HEAD');
      return { kind: 'method-not-allowed', allow: allow.sort() };
    },
    list() {
      return [...byPath.values()].flatMap((m) => [...m.values()]);
    },
  };
  for (const route of initial) table.add(route);
  return table;
}

/** A JSON response. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: `${JSON.stringify(value)}\n`,
  };
}
