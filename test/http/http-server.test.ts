import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningHttpServer } from '../../src/http/http-server';
import { createRouteTable, jsonResponse } from '../../src/http/route-table';
import { isAppError } from '../../src/errors';
import { silentLogger } from '../../src/log';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One raw HTTP exchange; `chunks` are written one by one (chunked encoding when no content-length). */
function call(port: number, method: string, path: string, opts: { chunks?: Buffer[]; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: opts.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    for (const chunk of opts.chunks ?? []) req.write(chunk);
    req.end();
  });
}

describe('http server over a route table', () => {
  let server: RunningHttpServer;
  const routes = createRouteTable([
    { method: 'GET', path: '/hello', handler: (req) => jsonResponse(200, { hello: req.query.get('name') ?? 'world' }) },
    { method: 'POST', path: '/echo', maxBodyBytes: 10, handler: (req) => ({ status: 200, body: req.body }) },
    { method: 'GET', path: '/boom', handler: () => { throw new Error('secret detail'); } },
  ]);

  beforeAll(async () => {
    server = await startHttpServer({ host: '127.0.0.1', port: 0, routes, log: silentLogger });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('binds a free port when asked for port 0', () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it.each([
    ['GET', '/hello?name=x', 200, '{"hello":"x"}'],
    ['GET', '/nowhere', 404, '{"error":"not found"}'],
    ['POST', '/hello', 405, '{"error":"method not allowed"}'],
    ['GET', '/boom', 500, '{"error":"internal error"}'],
  ])('%s %s → %i', async (method, path, status, body) => {
    const answer = await call(server.port, method, path);
    expect(answer.status).toBe(status);
    expect(answer.body.trim()).toBe(body);
  });

  it('names the allowed methods on 405', async () => {
    expect((await call(server.port, 'DELETE', '/echo')).headers.allow).toBe('POST');
    expect((await call(server.port, 'PUT', '/hello')).headers.allow).toBe('GET, HEAD');
  });

  it('answers HEAD like GET, without a body', async () => {
    const answer = await call(server.port, 'HEAD', '/hello');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    expect(Number(answer.headers['content-length'])).toBeGreaterThan(0);
  });

  it('reads a body within the limit', async () => {
    const answer = await call(server.port, 'POST', '/echo', { chunks: [Buffer.from('0123456789')] });
    expect(answer).toMatchObject({ status: 200, body: '0123456789' });
  });

  it.each([
    ['a declared length past the limit', { headers: { 'content-length': '11' }, chunks: [Buffer.from('01234567890')] }],
    ['a chunked body that grows past the limit', { chunks: [Buffer.from('012345'), Buffer.from('6789ab')] }],
  ])('refuses %s with 413', async (_what, opts) => {
    const answer = await call(server.port, 'POST', '/echo', opts);
    expect(answer.status).toBe(413);
  });

  it('fails to start with HTTP_FAILED when the port is taken', async () => {
    const error = await startHttpServer({ host: '127.0.0.1', port: server.port, routes, log: silentLogger }).catch((e: unknown) => e);
    expect(isAppError(error, 'HTTP_FAILED')).toBe(true);
    expect((error as Error).message).toContain('EADDRINUSE');
  });
});
