import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/bench-options';
import { benchSummary, benchTable } from '../../bench/report';
import type { BacklogResult } from '../../bench/scenario-backlog';

const machine = { nproc: 2, ramMb: 24_000, cpu: 'AMD EPYC', node: 'v20.20.2', loadAvg1m: { start: 0.5, end: 0.7 } };
const code = { commit: 'abc123', dirty: false };
const raw = { messages: 100, bytes: 2e7, seconds: 0.1, rate: 1000 };
const drain: BacklogResult = {
  n: 100, pdfKb: 150, messageKb: 206.4, setupSeconds: 0.3, seconds: 20, allMailSeconds: 20.5, otherMails: 100, toAgents: 100,
  rate: 5, firstAnswerSeconds: 1.5, steadyRate: 5.4, peakRssMb: 250, sampledPeakRssMb: 248, launcherRssMb: 60,
  cpuSeconds: { daemon: 8, postgres: 1, dovecot: 0.2, bench: 1, other: 0 }, machineBusy: 0.4,
  answered: 100, duplicates: 0, strays: 100, unflagged: 0, database: { inbound: { processed: 100 }, outbox: { sent: 200 }, tickets: 100 },
  raw: { range: raw, perUid: { ...raw, rate: 800 } },
};

describe('benchSummary and benchTable', () => {
  const opts = parseBenchArgs(['--quick', '--only', 'drain,latency']);
  const s = benchSummary(opts, machine, code, '2026-11-26', { drain, latency: { error: 'latency: request 3 not answered within 60 s\nstack' } }, 42);

  it('judges each target from the figures', () => {
    expect(s.drain).toMatchObject({ ratio: 0.005, ok: false, rps: 5, rawRps: 1000, answered: 100 });
    expect(s.latency).toEqual({ error: 'latency: request 3 not answered within 60 s\nstack' });
    expect(s.memory).toEqual({ targetMb: 200, big: null, backlog: null, scan: null });
  });

  it('round-trips through one JSON line', () => {
    const line = JSON.stringify(s);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({ bench: 'liquibot', date: '2026-11-26', code, params: { n: 100, quick: true } });
  });

  it('prints the verdicts and the first line of an error', () => {
    const table = benchTable(s);
    // The drain against a bare FETCH is shown, not judged: issue 15 judges it against the floor.
    expect(table).toMatch(/drain \/ raw FETCH +\| 0\.005 +\| not judged: see --only floor/);
    expect(table).toContain('ERROR: latency: request 3 not answered within 60 s');
    expect(table).not.toContain('stack');
    expect(table.split('\n')[0]).toContain('code abc123');
  });
});
