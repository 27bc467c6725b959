import { describe, expect, it } from 'vitest';
import type { DrainRun } from '../../bench/drain-once';
import { issue15Summary, issue15Table } from '../../bench/report-issue15';
import { floorRatios, sideSummary } from '../../bench/scenario-floor';

const run = (label: string, rate: number, daemonMs: number, pgMs: number): DrainRun => ({
  label, n: 100, seconds: 100 / rate, rate, allMailSeconds: 100 / rate, firstAnswerSeconds: 0.5,
  cpu: { daemon: daemonMs / 10, daemonChildren: 0, postgres: pgMs / 10, dovecot: 0.01, bench: 0.2, other: 1, wallSeconds: 100 / rate, otherCores: 0.3 },
  perRequestMs: { daemon: daemonMs, postgres: pgMs, total: daemonMs + pgMs },
  steady: { rate: rate * 1.1, perRequestMs: { daemon: daemonMs, postgres: pgMs, total: daemonMs + pgMs } },
  load1m: { start: 1.2, end: 1.8 }, answered: 100, duplicates: 0, toAgents: 100, unflagged: 0, peakRssMb: [150],
});

const pairs = [
  { liquibot: run('l1', 50, 19, 6), floor: run('f1', 100, 9.5, 1.8), firstSide: 'liquibot' as const, floorDone: null },
  { liquibot: run('l2', 45, 20, 6), floor: run('f2', 110, 10, 1.7), firstSide: 'floor' as const, floorDone: null },
  { liquibot: run('l3', 52, 19, 5.8), floor: run('f3', 104, 9.3, 1.8), firstSide: 'liquibot' as const, floorDone: null },
];

describe('floor ratios and report', () => {
  const ratio = floorRatios(pairs);
  it('takes liquibot / floor pair by pair', () => {
    expect(ratio.rps.min).toBeCloseTo(45 / 110);
    expect(ratio.rps.median).toBeCloseTo(0.5);
    expect(ratio.rps.max).toBeCloseTo(0.5);
    expect(ratio.daemonCpu.median).toBeCloseTo(2);
  });

  const result = {
    floor: { sizes: [{ pdfKb: 150, messageKb: 206.4, n: 100, bundles: ['abc'], pairs, liquibot: sideSummary(pairs.map((p) => p.liquibot)), floor: sideSummary(pairs.map((p) => p.floor)), ratio }] },
    scale: { error: 'scale: stalled at 3/100\nstack' },
  };

  it('judges the 0.8 target on the median and keeps each run in the JSON', () => {
    const s = issue15Summary(result);
    const size = (s.floor as { sizes: { ok: boolean; pairs: unknown[]; ratio: { rps: { median: number } } }[] }).sizes[0]!;
    expect(size.ok).toBe(false);
    expect(size.ratio.rps.median).toBe(0.5);
    expect(size.pairs).toHaveLength(3);
    expect(s.scale).toEqual({ error: 'scale: stalled at 3/100\nstack' });
    expect(JSON.stringify(s)).not.toContain('\n');
  });

  it('prints both sides, the ratio with its verdict, and the first line of an error', () => {
    const table = issue15Table(result);
    expect(table).toContain('liquibot/floor: drain 0.409–0.500 (median 0.500) (target ≥ 0.8: MISSED)');
    expect(table).toContain('load 1.2–1.8');
    expect(table).toContain('scale: ERROR: scale: stalled at 3/100');
    expect(table).not.toContain('stack');
  });
});
