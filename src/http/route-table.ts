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

/**
 * A handler for a whole subtree (`/console` and everything under it, any method): an application with
 * its own router (the web console). Exact routes win over a mount.
 */
export interface Mount {
  /** Starts with `/`, no trailing slash: `/console` serves `/console` and `/console/…`, not `/consoles`. */
  prefix: string;
  handler: RouteHandler;
  /** Largest accepted body; default DEFAULT_MAX_BODY_BYTES. */
  maxBodyBytes?: number;
}

export type RouteMatch =
  | { kind: 'found'; route: Route }
  | { kind: 'mounted'; mount: Mount }
  /** The path exists under other methods: answer 405 with an Allow header. */
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

export interface RouteTable {
  /** Register a route; a second route for the same method and path is a programmer error. */
  add(route: Route): void;
  /** Hand a subtree to one handler; a second mount on the same or an overlapping prefix is a programmer error. */
  mount(mount: Mount): void;
  match(method: string, path: string): RouteMatch;
  list(): readonly Route[];
}

/** Make a route table, optionally with routes. HEAD is answered by the GET route of the path. */
export function createRouteTable(initial: Route[] = []): RouteTable {
  const byPath = new Map<string, Map<string, Route>>();
  const mounts: Mount[] = [];
  const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  const table: RouteTable = {
    add(route) {
      if (!route.path.startsWith('/')) throw new AppError('INTERNAL', `route path must start with /: ${route.path}`);
      const methods = byPath.get(route.path) ?? new Map<string, Route>();
      if (methods.has(route.method)) throw new AppError('INTERNAL', `route registered twice: ${route.method} ${route.path}`);
      methods.set(route.method, route);
      byPath.set(route.path, methods);
    },
    mount(mount) {
      if (!/^(?:\/[^/]+)+$/.test(mount.prefix)) throw new AppError('INTERNAL', `mount prefix must start with / and not end with one: ${mount.prefix}`);
      if (mounts.some((m) => under(m.prefix, mount.prefix) || under(mount.prefix, m.prefix))) {
        throw new AppError('INTERNAL', `mount overlaps another: ${mount.prefix}`);
      }
      mounts.push(mount);
    },
    match(method, path) {
      const methods = byPath.get(path);
      if (!methods) {
        const mount = mounts.find((m) => under(path, m.prefix));
        return mount ? { kind: 'mounted', mount } : { kind: 'not-found' };
      }
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
