import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../helpers/fresh-database';

/**
 * What patches/postgres+3.4.9.patch changes in how postgres.js writes to the server's socket: a
 * transaction's first statements go out with its plain BEGIN, the statements of one tick go out in one
 * write up to 64 KiB, and a Buffer for a bytea parameter goes as its bytes, not as hex text. Counted on a socket of our own, which postgres.js takes as its `socket` option.
 */
describe('postgres.js writes (patched)', () => {
  let url: string;
  const writes: number[] = [];
  let counting = false;
  const socket = ({ host, port }: { host: string[]; port: number[] }) => new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: host[0]!, port: port[0]! });
    const write = s.write.bind(s) as (...args: unknown[]) => boolean;
    s.write = ((chunk: Buffer, ...rest: unknown[]) => {
      if (counting) writes.push(chunk.length);
      return write(chunk, ...rest);
    }) as typeof s.write;
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  let sql: postgres.Sql;

  beforeAll(async () => {
    url = await freshDatabaseUrl('pgwrites');
    sql = postgres(url, { max: 1, onnotice: () => {}, ...({ socket } as object) });
    await sql`create table w (id serial primary key, body text not null)`;
    // Prepared once, so that the statements below are not described first (which waits for an answer).
    await sql.begin(async (tx) => {
      await tx`insert into w (body) values (${'warm'})`;
      await tx`select count(*)::int as n from w where body = ${'warm'}`;
    });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
  });

  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; writes: number[] }> {
    writes.length = 0;
    counting = true;
    try {
      return { result: await work(), writes: [...writes] };
    } finally {
      counting = false;
    }
  }

  it('sends a transaction’s first statements with its BEGIN, and a few KiB of statements of one tick in one write', async () => {
    const body = 'é'.repeat(3000);
    const { result, writes: w } = await counted(() => sql.begin(async (tx) => {
      // Two inserts of a rendered mail's size and a read, sent together: one write with the BEGIN.
      const [, , read] = await Promise.all([
        tx`insert into w (body) values (${body})`,
        tx`insert into w (body) values (${body})`,
        tx`select count(*)::int as n from w where body = ${body}`,
      ]);
      return read[0]!.n;
    }));
    expect(result).toBe(2);
    // BEGIN with the three statements, then COMMIT.
    expect(w).toHaveLength(2);
    expect(w[0]).toBeGreaterThan(2 * 6000);
  });

  it('waits for a BEGIN with options, and runs nothing when it is refused', async () => {
    let ran = false;
    await expect(sql.begin('isolation level bogus', async (tx) => {
      ran = true;
      await tx`insert into w (body) values (${'never'})`;
    })).rejects.toThrow();
    expect(ran).toBe(false);
    const [{ n }] = await sql<[{ n: number }]>`select count(*)::int as n from w where body = 'never'`;
    expect(n).toBe(0);
    // A valid one still works.
    const { result } = await counted(() => sql.begin('isolation level repeatable read', (tx) => tx`select current_setting('transaction_isolation') as level`));
    expect(result[0]!.level).toBe('repeatable read');
  });

  it('sends a Buffer for a bytea parameter as its bytes, and the server stores exactly them', async () => {
    await sql`create table if not exists raw_sources (id serial primary key, label text not null, raw bytea not null, note text)`;
    const source = randomBytes(200 * 1024);
    // Text parameters before and after it still go as text, beside the binary one.
    const { writes: w } = await counted(() => sql`insert into raw_sources (label, raw, note) values (${'mail'}, ${source}, ${'après'})`);
    const sent = w.reduce((a, b) => a + b, 0);
    // As hex text it would be 400 KiB and more; as base64, 273 KiB.
    expect(sent).toBeGreaterThan(source.length);
    expect(sent).toBeLessThan(source.length + 1024);
    // The same statement again (prepared: the server's parameter types now), then an empty source and a null.
    await sql`insert into raw_sources (label, raw) values (${'again'}, ${source})`;
    await sql`insert into raw_sources (label, raw) values (${'empty'}, ${Buffer.alloc(0)})`;
    const rows = await sql<{ label: string; raw: Buffer; note: string | null; hash: string }[]>`
      select label, raw, note, encode(sha256(raw), 'hex') as hash from raw_sources order by id`;
    expect(rows.map((r) => r.label)).toEqual(['mail', 'again', 'empty']);
    expect(rows[0]!.note).toBe('après');
    const expected = createHash('sha256').update(source).digest('hex');
    expect(rows[0]!.hash).toBe(expected);
    expect(rows[1]!.hash).toBe(expected);
    expect(Buffer.compare(rows[0]!.raw, source)).toBe(0);
    expect(rows[2]!.raw.length).toBe(0);
  });

  it('keeps the statements sent with BEGIN inside the transaction: a connection lost before COMMIT keeps none', async () => {
    const other = postgres(url, { max: 1, onnotice: () => {} });
    try {
      // The insert and the backend's end go out with the BEGIN, in one write.
      await expect(sql.begin((tx) => [
        tx`insert into w (body) values (${'lost'})`,
        tx`select pg_terminate_backend(pg_backend_pid())`,
      ])).rejects.toThrow();
      const [{ n }] = await other<[{ n: number }]>`select count(*)::int as n from w where body = 'lost'`;
      expect(n).toBe(0);
    } finally {
      await other.end({ timeout: 5 });
    }
  });
});
