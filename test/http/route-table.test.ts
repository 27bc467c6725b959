import { describe, expect, it } from 'vitest';
import { createRouteTable, jsonResponse, type Route } from '../../src/http/route-table';

const ok = () => jsonResponse(200, { ok: true });
const routes: Route[] = [
  { method: 'GET', path: '/healthz', handler: ok },
  { method: 'GET', path: '/metrics', handler: ok },
  { method: 'POST', path: '/reset-links/verify', handler: ok, maxBodyBytes: 4096 },
];

describe('route table', () => {
  const table = createRouteTable(routes);

  it.each([
    ['GET', '/healthz', 'found', 'GET /healthz'],
    ['HEAD', '/metrics', 'found', 'GET /metrics'],
    ['POST', '/reset-links/verify', 'found', 'POST /reset-links/verify'],
    ['POST', '/healthz', 'method-not-allowed', 'GET, HEAD'],
    ['GET', '/reset-links/verify', 'method-not-allowed', 'POST'],
    ['DELETE', '/metrics', 'method-not-allowed', 'GET, HEAD'],
    ['GET', '/', 'not-found', ''],
    ['GET', '/healthz/', 'not-found', ''],
    ['GET', '/HEALTHZ', 'not-found', ''],
  ])('%s %s → %s (%s)', (method, path, kind, detail) => {
    const m = table.match(method, path);
    expect(m.kind).toBe(kind);
    if (m.kind === 'found') expect(`${m.route.method} ${m.route.path}`).toBe(detail);
    if (m.kind === 'method-not-allowed') expect(m.allow.join(', ')).toBe(detail);
  });

  it('lets routes be added after creation, and refuses a second route for the same method and path', () => {
    const t = createRouteTable();
    expect(t.match('GET', '/x').kind).toBe('not-found');
    t.add({ method: 'GET', path: '/x', handler: ok });
    expect(t.match('GET', '/x').kind).toBe('found');
    expect(() => t.add({ method: 'GET', path: '/x', handler: ok })).toThrow(/registered twice/);
    expect(() => t.add({ method: 'GET', path: 'x', handler: ok })).toThrow(/must start with/);
    expect(t.list()).toHaveLength(1);
  });
});
