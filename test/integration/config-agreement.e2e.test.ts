import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { hostname } from 'node:os';
import { sharedConfigDigests } from '../../src/config-agreement';
import { AppError } from '../../src/errors';
import { sampleSiret } from '../support/sample-mails';
import { conformingRequest, harnessesPerTest, type Harness } from './support/liquibot-harness';

/**
 * Instances sharing a database must agree on the settings that decide what any of them does with the
 * shared tickets and outbox (src/config-agreement.ts): an instance that disagrees with a live one
 * refuses to start, naming the settings and the instance, never the values.
 */

const harness = harnessesPerTest();

const otherSecret = 'other-secret-0123456789-0123456789-abcdef';
const heartbeatRows = async (h: Harness) => (await h.database.rows<{ n: number }>(sql`select count(*)::int as n from instance_heartbeats`))[0]!.n;

async function refusal(h: Harness): Promise<AppError> {
  const error = await h.start().then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('instances sharing a database agree on their shared settings', () => {
  it('refuses to start beside a live instance with another sender and secret, and starts once it is gone', async () => {
    const first = await harness({ db: 'postgres' });
    await first.start();
    const url = first.config.DATABASE_URL!;

    const second = await harness({ joinDatabase: url, env: { MAIL_FROM: 'other@support.example.fr', RESET_LINK_SECRET: otherSecret } });
    const error = await refusal(second);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^configuration: MAIL_FROM, RESET_LINK_SECRET differ from an instance running on this database: /);
    expect(error.message).toContain(`${hostname()} pid ${process.pid} (MAIL_FROM, RESET_LINK_SECRET)`);
    for (const value of [otherSecret, first.config.RESET_LINK_SECRET!, 'other@support.example.fr', 'liquibot@support.example.fr']) {
      expect(error.message).not.toContain(value);
      expect(second.logs.text()).not.toContain(value);
    }
    expect(second.logs.text()).toContain('configuration differs from a running instance on this database, not starting');
    expect(second.daemon).toBeNull();
    // It left nothing behind: its heartbeat row is gone, and the first instance still works alone.
    expect(await heartbeatRows(first)).toBe(1);
    const { ticket } = await conformingRequest(first, { requester: 'etude@mandataires.example.fr', liquidator: 'liq@mandataires.example.fr', siret: sampleSiret(1) });
    expect(ticket.status).toBe('awaiting_approval');

    // Settings of the machine (document reading, concurrency, ports) may differ.
    const third = await harness({ joinDatabase: url, env: { DOCUMENT_READING: 'true', PROCESS_CONCURRENCY: '2' } });
    await third.start();
    expect(await heartbeatRows(first)).toBe(2);

    // The documented way to change a shared setting: stop every instance, then start with the new one.
    await third.stopDaemon();
    await first.stopDaemon();
    await second.start();
    expect(second.daemon).not.toBeNull();
  });

  it('compares only live instances that publish their settings', async () => {
    const first = await harness({ db: 'postgres' });
    const theirs = JSON.stringify(sharedConfigDigests({ ...first.config, RESET_LINK_SECRET: otherSecret }));
    // A dead instance's row (its beat an hour old) and a live one of a release that published nothing.
    await first.database.rows(sql`insert into instance_heartbeats (instance_id, host, pid, beat_at, shared_config)
      values ('gone:1:dead', 'gone', 1, now() - interval '1 hour', ${theirs}::text::jsonb),
             ('old:2:release', 'old', 2, now(), null)`);
    await first.start();
    expect(first.daemon).not.toBeNull();

    // A killed instance: its beat is fresh but its heartbeat session has ended (a backend pid that is not
    // in pg_stat_activity, recorded under the running server's start time).
    await first.database.rows(sql`insert into instance_heartbeats (instance_id, host, pid, beat_at, backend_pid, server_started_at, shared_config)
      values ('killed:3:x', 'killed', 3, now(), 2147483646, pg_postmaster_start_time(), ${theirs}::text::jsonb)`);
    const second = await harness({ joinDatabase: first.config.DATABASE_URL! });
    await second.start();
    expect(second.daemon).not.toBeNull();

    // The same row alive (its session exists: ours) blocks an instance that disagrees with it.
    await first.database.rows(sql`update instance_heartbeats set backend_pid = pg_backend_pid() where instance_id = 'killed:3:x'`);
    const third = await harness({ joinDatabase: first.config.DATABASE_URL! });
    const error = await refusal(third);
    expect(error.message).toContain('killed pid 3 (RESET_LINK_SECRET)');
  });
});
