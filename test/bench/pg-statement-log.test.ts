import { describe, expect, it } from 'vitest';
import { shapeOf, summariseStatementLog } from '../../bench/pg-statement-log';

const LOG = [
  '2026-11-26 16:52:00.100 UTC [4242] LOG:  duration: 0.050 ms  parse <unnamed>: insert into "t" ("a", "b") values ($1, $2)',
  '2026-11-26 16:52:00.101 UTC [4242] LOG:  duration: 0.020 ms  bind <unnamed>: insert into "t" ("a", "b") values ($1, $2)',
  '2026-11-26 16:52:00.102 UTC [4242] LOG:  duration: 1.500 ms  execute <unnamed>: insert into "t" ("a", "b") values ($1, $2)',
  '2026-11-26 16:52:00.103 UTC [4242] DETAIL:  parameters: $1 = \'x\', $2 = \'y\'',
  '2026-11-26 16:52:00.104 UTC [4242] LOG:  duration: 0.300 ms  execute <unnamed>: select * from "t" where id in ($1, $2, $3)',
  '2026-11-26 16:52:00.105 UTC [4242] LOG:  duration: 0.100 ms  statement: begin',
  '2026-11-26 16:52:00.106 UTC [4243] LOG:  duration: 2.000 ms  statement: ',
  '\tCREATE TABLE "accounts" (',
  '\t  id serial',
  '2026-11-26 16:52:00.107 UTC [4243] LOG:  checkpoint starting: time',
].join('\n');

describe('summariseStatementLog', () => {
  it('counts executes and sums parse/bind/execute time per statement shape', () => {
    const s = summariseStatementLog(LOG);
    expect(s.executes).toBe(4);
    expect(s.serverMs).toBeCloseTo(3.97, 5);
    expect(s.byShape[0]).toEqual({ shape: 'CREATE TABLE "accounts" ( id serial', executes: 1, serverMs: 2 });
    expect(s.byShape.find((x) => x.shape.startsWith('insert'))).toMatchObject({ executes: 1, serverMs: expect.closeTo(1.57, 5) });
  });
});

describe('shapeOf', () => {
  it.each([
    ['select * from t where id in ($1, $2, $3)', 'select * from t where id in ($n…)'],
    ["select nextval('tickets_id_seq')", "select nextval('…')"],
    ['update t set n = n + 1 where id = $4', 'update t set n = n + N where id = $N'],
    ['/* bench */ select   1', 'select N'],
  ])('%s', (sql, want) => {
    expect(shapeOf(sql)).toBe(want);
  });
});

describe('summariseStatementLogFile', () => {
  it('gives the same result as the text summary, from an offset', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { summariseStatementLogFile } = await import('../../bench/pg-statement-log');
    const dir = mkdtempSync(join(tmpdir(), 'bench-pglog-'));
    const before = '2026-11-26 16:51:00.000 UTC [1] LOG:  duration: 9.000 ms  statement: select 1\n';
    writeFileSync(join(dir, 'postgres.log'), before + LOG);
    try {
      expect(summariseStatementLogFile(join(dir, 'postgres.log'), Buffer.byteLength(before))).toEqual(summariseStatementLog(LOG));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
