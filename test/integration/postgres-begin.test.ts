import { Socket } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabaseUrl } from '../helpers/fresh-database';

/**
 * patches/postgres+3.4.9.patch: a plain BEGIN on a free connection goes out with the transaction's first
 * statements instead of in a round trip of its own. Transactions keep their meaning.
 */
describe('postgres.js transactions with the BEGIN sent ahead', () => {
  let sql: postgres.Sql;
  beforeAll(async () => {
    sql = postgres(await freshDatabaseUrl('begin'), { max: 2, onnotice: () => {} });
    await sql`create table t (id int primary key, v text)`;
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
  });

  /** Socket writes made while `fn` runs. */
  async function writesDuring(fn: () => Promise<unknown>): Promise<number> {
    const spy = vi.spyOn(Socket.prototype, 'write');
    try {
      await fn();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }

  it('sends BEGIN and the first statement in one write: two writes for a one-statement transaction', async () => {
    await sql`select 1`; // the connection is open
    const writes = await writesDuring(() => sql.begin((tx) => tx`select 1 as one`));
    expect(writes).toBe(2); // BEGIN + select, then COMMIT
  });

  it('commits what the transaction wrote, and rolls all of it back when it throws', async () => {
    await sql.begin(async (tx) => {
      await tx`insert into t values (1, 'kept')`;
      await tx`insert into t values (2, 'kept')`;
    });
    await expect(sql.begin(async (tx) => {
      await tx`insert into t values (3, 'gone')`;
      await tx`insert into t values (1, 'duplicate key')`;
    })).rejects.toMatchObject({ code: '23505' });
    expect((await sql`select id from t order by id`).map((r) => r.id)).toEqual([1, 2]);
  });

  it('sees its own writes and isolates them from others until COMMIT', async () => {
    await sql.begin(async (tx) => {
      await tx`insert into t values (10, 'mine')`;
      expect((await tx`select v from t where id = 10`)[0]?.v).toBe('mine');
      expect(await sql`select v from t where id = 10`).toHaveLength(0);
    });
    expect(await sql`select v from t where id = 10`).toHaveLength(1);
  });

  it('waits for a connection as before when the pool is busy (more transactions than connections)', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => sql.begin(async (tx) => {
      await tx`insert into t values (${100 + i}, 'busy')`;
      await tx`select pg_sleep(0.01)`;
    })));
    expect((await sql`select count(*)::int as n from t where v = 'busy'`)[0]?.n).toBe(12);
  });

  it('awaits a BEGIN with options alone (it could fail), and a failed one fails the transaction with nothing written', async () => {
    expect(await sql.begin('read write', (tx) => tx`select 2 as two`)).toEqual([{ two: 2 }]);
    await expect(sql.begin('isolation level nonsense', async (tx) => {
      await tx`insert into t values (200, 'never')`;
    })).rejects.toMatchObject({ code: '42601' });
    expect(await sql`select id from t where id = 200`).toHaveLength(0);
  });
});
