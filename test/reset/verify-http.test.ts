import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client';
import { createFixedWindowLimiter, createVerifyHandler } from '../../src/reset/verify-http';

/** A database that must not be reached: these tests cover what happens before the lookup. */
const unreachable = { db: new Proxy({}, { get: () => { throw new Error('database used'); } }) as Db };
const valid = { token: 't', siret: '73282932000074', nom: 'Dupont', prenom: 'Jean' };

describe('createFixedWindowLimiter', () => {
  it('allows perWindow hits per key and window, then says how long to wait', () => {
    const limiter = createFixedWindowLimiter(2, 60_000);
    expect(limiter.hit('a', 0)).toBeNull();
    expect(limiter.hit('a', 1_000)).toBeNull();
    expect(limiter.hit('a', 1_500)).toBe(59);
    expect(limiter.hit('b', 1_500)).toBeNull();
    expect(limiter.hit('a', 59_999)).toBe(1);
    expect(limiter.hit('a', 60_000)).toBeNull();
  });

  it('keeps a bounded number of keys', () => {
    const limiter = createFixedWindowLimiter(1, 60_000);
    for (let i = 0; i < 25_000; i++) limiter.hit(`10.0.${i >> 8}.${i & 255}`, i);
    expect(limiter.size()).toBeLessThanOrEqual(10_000);
  });
});

describe('createVerifyHandler (before the database)', () => {
  it.each([
    ['no body', undefined, []],
    ['not an object', 'token=x', []],
    ['an array', [valid], []],
    ['missing nom', { ...valid, nom: undefined }, ['nom']],
    ['empty token', { ...valid, token: '' }, ['token']],
    ['a number for siret', { ...valid, siret: 73282932000074 }, ['siret']],
    ['an overlong token', { ...valid, token: 'x'.repeat(129) }, ['token']],
    ['an overlong prenom', { ...valid, prenom: 'x'.repeat(201) }, ['prenom']],
  ])('400 for %s', async (_name, body, fields) => {
    const handler = createVerifyHandler({ database: unreachable, now: () => new Date(0), rateLimit: { perMinute: 10 } });
    expect(await handler({ body, ip: '192.0.2.1' })).toEqual({ status: 400, json: { error: 'INVALID_BODY', fields } });
  });

  it('429 with Retry-After past the per-IP limit, bad requests included; other IPs unaffected', async () => {
    let nowMs = Date.parse('2026-11-26T10:00:00Z');
    const handler = createVerifyHandler({ database: unreachable, now: () => new Date(nowMs), rateLimit: { perMinute: 3 } });
    for (let i = 0; i < 3; i++) expect((await handler({ body: null, ip: '192.0.2.1' })).status).toBe(400);
    nowMs += 15_000;
    expect(await handler({ body: valid, ip: '192.0.2.1' })).toEqual({
      status: 429, json: { error: 'RATE_LIMITED', retryAfterSeconds: 45 }, headers: { 'Retry-After': '45' },
    });
    expect((await handler({ body: valid, ip: '::ffff:192.0.2.1' })).status).toBe(429);
    expect((await handler({ body: null, ip: '192.0.2.2' })).status).toBe(400);
    nowMs += 45_000;
    expect((await handler({ body: null, ip: '192.0.2.1' })).status).toBe(400);
  });

  it('with an API token: 401 without it or with another, counted against the limit; served with it', async () => {
    const apiToken = 'portal-token-0123456789-0123456789-abcdef';
    const handler = createVerifyHandler({ database: unreachable, now: () => new Date(0), rateLimit: { perMinute: 5 }, apiToken });
    const unauthorized = { status: 401, json: { error: 'UNAUTHORIZED' }, headers: { 'WWW-Authenticate': 'Bearer' } };
    expect(await handler({ body: valid, ip: '192.0.2.9' })).toEqual(unauthorized);
    expect(await handler({ body: valid, ip: '192.0.2.9', authorization: `Bearer ${apiToken}x` })).toEqual(unauthorized);
    expect(await handler({ body: valid, ip: '192.0.2.9', authorization: `Basic ${apiToken}` })).toEqual(unauthorized);
    expect(await handler({ body: valid, ip: '192.0.2.9', authorization: 'Bearer' })).toEqual(unauthorized);
    // Past the checks, the body is read (this one is bad: 400, so the database is never reached).
    expect((await handler({ body: null, ip: '192.0.2.9', authorization: `bearer  ${apiToken}` })).status).toBe(400);
    expect((await handler({ body: null, ip: '192.0.2.9', authorization: `Bearer ${apiToken}` })).status).toBe(429);
  });
});
