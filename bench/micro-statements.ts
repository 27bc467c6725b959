/**
 * Micro-benchmark for issue 15: what one awaited statement costs, client and server, against a
 * throwaway PostgreSQL cluster on 127.0.0.1 (the bench's sandbox settings). Liquibot runs ~23 statements
 * per request, each awaited alone; the floor runs 5. Shapes compared, each `--n` statements:
 *   alone        await sql`select $1` one after the other, outside any transaction
 *   in one tx    the same inside one sql.begin (one connection, one BEGIN/COMMIT)
 *   pipelined    the same in one sql.begin, all sent before the first answer (postgres.js pipelines
 *                the queries of an array returned by the transaction's callback)
 * and a 206 KB source inserted as base64 text (liquibot; alone and in a transaction) against binary
 * COPY in a transaction (the floor, with TCP_NODELAY).
 *
 *   npx tsx bench/micro-statements.ts [--n 2000] [--runs 3]
 *
 * Prints per statement: wall µs, client CPU µs (this process), server CPU µs (the cluster's processes).
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { readPidFile } from '../test/support/sandbox/process-alive';
import { startPostgresCluster } from '../test/support/sandbox/postgres-cluster';
import { groupCpu, inTreeOf, takeTicks } from './cpu-account';
import { copyBinary } from './floor/pg-copy-binary';
import { spread } from './ratio-summary';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const N = arg('n', 2000);
const RUNS = arg('runs', 3);

async function main(): Promise<void> {
  const cluster = await startPostgresCluster();
  try {
    const url = await cluster.createDatabase('micro');
    const postmaster = readPidFile(join(cluster.dataDir, 'postmaster.pid'));
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    // With TCP_NODELAY, as the floor connects (a COPY is two writes; with Nagle the second waits ~40 ms).
    const socket = ({ host, port }: { host: string[]; port: number[] }) => new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: host[0]!, port: port[0]!, noDelay: true });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const fast = postgres(url, { max: 1, onnotice: () => {}, ...({ socket } as object) });
    await sql`create table src (id bigserial primary key, raw bytea not null)`;
    const source = Buffer.alloc(206 * 1024, 'Q');
    const shapes: Record<string, { n: number; run: () => Promise<unknown> }> = {
      alone: { n: N, run: async () => { for (let i = 0; i < N; i += 1) await sql`select ${i}::int as x`; } },
      'in one tx': { n: N, run: () => sql.begin(async (tx) => { for (let i = 0; i < N; i += 1) await tx`select ${i}::int as x`; }) },
      pipelined: { n: N, run: () => sql.begin((tx) => Array.from({ length: N }, (_, i) => tx`select ${i}::int as x`)) },
      '206 KB insert, base64': { n: 200, run: async () => { for (let i = 0; i < 200; i += 1) await sql`insert into src (raw) values (decode(${source.toString('base64')}, 'base64'))`; } },
      '206 KB insert, base64 (tx)': { n: 200, run: async () => { for (let i = 0; i < 200; i += 1) await sql.begin((tx) => tx`insert into src (raw) values (decode(${source.toString('base64')}, 'base64'))`); } },
      '206 KB binary COPY (tx)': {
        n: 200,
        run: async () => {
          for (let i = 0; i < 200; i += 1) {
            await fast.begin(async (tx) => {
              const w = await tx`copy src (raw) from stdin (format binary)`.writable();
              await new Promise<void>((res, rej) => { w.once('finish', res); w.once('error', rej); w.end(copyBinary([[source]])); });
            });
          }
        },
      },
    };
    await shapes.alone!.run(); // warm up: connection, statement cache
    const rows: string[] = [];
    for (const [name, shape] of Object.entries(shapes)) {
      const wall: number[] = [];
      const client: number[] = [];
      const server: number[] = [];
      for (let r = 0; r < RUNS; r += 1) {
        const before = takeTicks();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await shape.run();
        const t1 = performance.now();
        const c1 = process.cpuUsage(c0);
        const after = takeTicks();
        const pg = groupCpu(before, after, (p, s) => inTreeOf(postmaster, p, s));
        wall.push(((t1 - t0) * 1000) / shape.n);
        client.push((c1.user + c1.system) / shape.n);
        server.push(((pg.own + pg.reaped) * 1e6) / shape.n);
      }
      const f = (v: number[]) => spread(v).median.toFixed(0).padStart(7);
      rows.push(`${name.padEnd(26)} ${f(wall)} ${f(client)} ${f(server)}`);
    }
    process.stdout.write(`per statement (median of ${RUNS} runs), µs:\n${'shape'.padEnd(26)} ${'wall'.padStart(7)} ${'client'.padStart(7)} ${'server'.padStart(7)}\n${rows.join('\n')}\n`);
    await sql.end({ timeout: 5 });
    await fast.end({ timeout: 5 });
  } finally {
    await cluster.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
