import postgres from 'postgres';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { buildRequestMail } from '../support/sample-mails';
import { findFreePort } from '../support/sandbox/find-free-port';
import { createHarness, type Harness } from './support/liquibot-harness';
import '../helpers/provided-context';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Health { status: string; reasons: string[]; imap: string; database: string; oldestUnsentOutboxSeconds: number | null; unsentOutbox: number | null }

async function get(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string; allow: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, body: await res.text(), allow: res.headers.get('allow') };
}

/** Poll /healthz until it answers `status` (and the predicate holds), or fail with the last answer. */
async function healthUntil(port: number, status: number, ok: (h: Health) => boolean = () => true, timeoutMs = 20_000): Promise<Health> {
  const end = Date.now() + timeoutMs;
  let last: { status: number; body: string } | null = null;
  while (Date.now() < end) {
    last = await get(port, '/healthz');
    if (last.status === status && ok(JSON.parse(last.body) as Health)) return JSON.parse(last.body) as Health;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`healthz never answered ${status}; last: ${last?.status} ${last?.body}`);
}

const portOf = (harness: Harness) => harness.daemon!.operations.http!.port;

describe('/healthz', () => {
  it('answers 200 once IMAP is connected, 404 and 405 elsewhere', async () => {
    h = await createHarness();
    await h.start();
    // 'standby' (healthy too) until this instance has taken the mailbox leadership.
    const health = await healthUntil(portOf(h), 200, (x) => x.imap === 'connected');
    expect(health).toMatchObject({ status: 'ok', imap: 'connected', database: 'reachable', reasons: [], unsentOutbox: 0, oldestUnsentOutboxSeconds: null });
    expect(await get(portOf(h), '/nope')).toMatchObject({ status: 404 });
    expect(await get(portOf(h), '/healthz', 'POST')).toMatchObject({ status: 405, allow: 'GET, HEAD' });
  });

  it('answers 503 DATABASE_UNREACHABLE while PostgreSQL refuses connections, and recovers', async () => {
    h = await createHarness();
    await h.start();
    const port = portOf(h);
    await healthUntil(port, 200, (x) => x.imap === 'connected');
    const name = new URL(h.config.DATABASE_URL!).pathname.slice(1);
    const admin = postgres(inject('sandboxPostgres').adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin`alter database ${admin(name)} allow_connections false`;
      await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name}`;
      const down = await healthUntil(port, 503);
      // The leadership lock lives on a database session too: the instance may drop to standby meanwhile.
      expect(down).toMatchObject({ status: 'failing', database: 'unreachable', reasons: ['DATABASE_UNREACHABLE'] });
      expect(['connected', 'standby']).toContain(down.imap);
      const metrics = await get(port, '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^liquibot_database_up 0$/m);
      expect(metrics.body).not.toContain('liquibot_tickets{');
    } finally {
      await admin`alter database ${admin(name)} allow_connections true`;
      await admin.end({ timeout: 5 });
    }
    await healthUntil(port, 200, (x) => x.imap === 'connected');
  });

  it('answers 503 IMAP_NOT_CONNECTED when the IMAP server is not there', async () => {
    const deadPort = await findFreePort();
    h = await createHarness({ env: { IMAP_URL: `imap://nobody:nothing@127.0.0.1:${deadPort}/INBOX` } });
    await h.start();
    const health = await healthUntil(portOf(h), 503, (x) => x.imap === 'backoff');
    expect(health).toMatchObject({ reasons: ['IMAP_NOT_CONNECTED'], database: 'reachable' });
    expect((await get(portOf(h), '/metrics')).body).toMatch(/^liquibot_imap_connected 0$/m);
  });

  it('answers 503 OUTBOX_STALE when an answer waits longer than HEALTH_MAX_OUTBOX_AGE_SECONDS', async () => {
    h = await createHarness({ env: { HEALTH_MAX_OUTBOX_AGE_SECONDS: '2' } });
    h.sink.setFailPlan({ code: 451 });
    await h.mailbox.append(buildRequestMail({ from: 'stale@etude.example.fr' }));
    await h.start();
    await h.waitForProcessed(1);
    const health = await healthUntil(portOf(h), 503, (x) => x.reasons.includes('OUTBOX_STALE'));
    expect(health.reasons).toEqual(['OUTBOX_STALE']);
    expect(health.unsentOutbox).toBeGreaterThanOrEqual(1);
    expect(health.oldestUnsentOutboxSeconds).toBeGreaterThan(2);
    h.sink.setFailPlan(undefined);
    h.daemon!.outbox.kick();
    await healthUntil(portOf(h), 200, (x) => x.unsentOutbox === 0);
  });
});
