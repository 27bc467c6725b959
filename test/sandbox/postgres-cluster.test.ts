import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgresCluster, type PostgresCluster } from '../support/sandbox/postgres-cluster';
import { freshDatabaseUrl } from '../helpers/fresh-database';

describe('shared PostgreSQL cluster (global setup)', () => {
  it('hands out empty, separate databases', async () => {
    const [first, second] = await Promise.all([freshDatabaseUrl('a'), freshDatabaseUrl('b')]);
    expect(first).not.toBe(second);
    const sql = postgres(first, { max: 1, onnotice: () => {} });
    try {
      await sql`create table t (id int primary key)`;
      await sql`insert into t values (1), (2)`;
      expect(await sql`select count(*)::int as n from t`).toEqual([{ n: 2 }]);
      const [settings] = await sql`select current_setting('fsync') as fsync, current_setting('server_encoding') as enc`;
      expect(settings).toEqual({ fsync: 'off', enc: 'UTF8' });
    } finally {
      await sql.end({ timeout: 5 });
    }
    const other = postgres(second, { max: 1, onnotice: () => {} });
    try {
      expect(await other`select to_regclass('t') as t`).toEqual([{ t: null }]);
    } finally {
      await other.end({ timeout: 5 });
    }
  });
});

describe('own PostgreSQL cluster', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('creates a database and keeps its data across restart, on the same port', async () => {
    const url = await cluster.createDatabase('kept');
    expect(url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/kept`);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`create table t (v text)`;
    await sql`insert into t values ('before')`;

    await cluster.restart();

    // The old connection was terminated by the shutdown; postgres.js reconnects on the next query.
    expect(await sql`select v from t`).toEqual([{ v: 'before' }]);
    await sql.end({ timeout: 5 });
  });

  it('fails a query in flight during stop/start with a connection error', async () => {
    const sql = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    const slow = sql`select pg_sleep(30)`.catch((err: unknown) => err);
    await waitForQueryRunning(cluster.url(), 'select pg_sleep(30)');
    await cluster.restart();
    const err = (await slow) as { code?: string };
    // What a daemon sees when the database goes away under it: postgres.js reports the
    // dropped socket (CONNECTION_CLOSED); 57P01 admin_shutdown if it read the FATAL first.
    expect(['CONNECTION_CLOSED', '57P01']).toContain(err.code);
    // Without a timeout, end() never resolves after a server-side disconnect mid-query
    // (postgres.js 3.4.9, porsager/postgres#1097): always bound it.
    await sql.end({ timeout: 1 });
  });
});

async function waitForQueryRunning(url: string, query: string): Promise<void> {
  const probe = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (let i = 0; i < 200; i += 1) {
      const rows = await probe`select 1 from pg_stat_activity where query = ${query} and state = 'active'`;
      if (rows.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`query never started: ${query}`);
  } finally {
    await probe.end({ timeout: 1 });
  }
}
