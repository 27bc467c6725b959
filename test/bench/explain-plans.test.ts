import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectPlans, loggedDatabaseUrl, profilingFor } from '../../bench/profiling';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Two plans as auto_explain logs them, a plain line between, and a checkpoint line after. */
const LOG = [
  '2026-12-06 18:31:33.900 UTC [25812] LOG:  checkpoint starting: time',
  '2026-12-06 18:31:33.920 UTC [25812] LOG:  duration: 3.615 ms  plan:',
  '\tQuery Text: with "due" as (select "id" from "outbox" where status = $1 limit $2) update "outbox" set status = $3',
  '\tUpdate on outbox  (cost=188.07..196.13 rows=1 width=244) (actual time=1.342..3.602 rows=10 loops=1)',
  '2026-12-06 18:31:34.001 UTC [25812] LOG:  duration: 2.000 ms  plan:',
  '\tQuery Text: with "due" as (select "id" from "outbox" where status = $1 limit $2) update "outbox" set status = $3',
  '\tUpdate on outbox  (actual time=0.5..2.0 rows=3 loops=1)',
  '2026-12-06 18:31:34.100 UTC [25812] LOG:  duration: 5.500 ms  plan:',
  '\tQuery Text: ',
  '\t        insert into "inbound_messages" ("id", "raw")',
  '\t        values (default, $1)',
  '\tInsert on inbound_messages  (actual time=5.4..5.4 rows=0 loops=1)',
  '2026-12-06 18:31:35.000 UTC [25800] LOG:  checkpoint complete: wrote 8 buffers',
  '',
].join('\n');

describe('--explain', () => {
  it('asks the server for auto_explain on the daemon’s connection only when given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'liquibot-explain-'));
    dirs.push(dir);
    const url = 'postgresql://bench@127.0.0.1:5432/db';
    expect(loggedDatabaseUrl(url, profilingFor({ cpuProfDir: dir, spans: false }, 'drain'))).toBe(url);
    const explained = loggedDatabaseUrl(url, profilingFor({ cpuProfDir: dir, spans: false, explainMs: 2 }, 'drain'));
    expect(new URL(explained).searchParams.get('session_preload_libraries')).toBe('auto_explain');
    expect(new URL(explained).searchParams.get('auto_explain.log_min_duration')).toBe('2');
    expect(new URL(explained).searchParams.get('auto_explain.log_analyze')).toBe('on');
    // The 55 MB mail's run logs no SQL.
    expect(loggedDatabaseUrl(url, profilingFor({ cpuProfDir: dir, spans: false, explainMs: 2 }, 'memory-big'))).toBe(url);
  });

  it('keeps the plans logged since the run began, counted by statement shape', () => {
    const dir = mkdtempSync(join(tmpdir(), 'liquibot-explain-'));
    dirs.push(dir);
    const log = join(dir, 'postgres.log');
    writeFileSync(log, '2026-12-06 18:00:00.000 UTC [1] LOG:  duration: 9.000 ms  plan:\n\tQuery Text: select before\n');
    const offset = readFileSync(log).length;
    appendFileSync(log, LOG);
    const file = join(dir, 'drain-plans.log');
    const found = collectPlans(log, offset, file, 'drain');
    expect(found.statements).toBe(3);
    expect(found.totalMs).toBeCloseTo(11.115, 3);
    expect(found.byShape.map((s) => [s.count, Math.round(s.totalMs * 1000)])).toEqual([[2, 5615], [1, 5500]]);
    expect(found.byShape[0]!.shape).toMatch(/^with "due" as/);
    // A query whose text starts on the line after "Query Text:".
    expect(found.byShape[1]!.shape).toBe('insert into "inbound_messages" ("id", "raw") values (default, $N)');
    const kept = readFileSync(file, 'utf8');
    expect(kept).toContain('Update on outbox  (cost=188.07');
    expect(kept).not.toContain('select before');
    expect(kept).not.toContain('checkpoint');
    // A second run of the same scenario appends under its own heading.
    collectPlans(log, offset, file, 'drain, second run');
    expect(readFileSync(file, 'utf8').match(/^== /gm)).toHaveLength(2);
  });
});
