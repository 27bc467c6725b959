import type { DrainRun } from './drain-once';
import { formatSpread, type Spread } from './ratio-summary';
import type { FloorResult } from './scenario-floor';
import type { ScaleResult } from './scenario-scale';
import { round } from './stats';

/** Issue 15's targets: drain ≥ 0.8 × the floor; CPU per 206 KiB request; 2 instances ≥ 1.6 × one. */
export const ISSUE15_TARGETS = { floorRatio: 0.8, daemonCpuMs: 11, postgresCpuMs: 2.5, twoInstances: 1.6 } as const;

export interface Issue15Results {
  floor?: FloorResult | { error: string };
  scale?: ScaleResult | { error: string };
}

const failed = (r: object | undefined): r is { error: string } => !!r && 'error' in r;

const roundSpread = (s: Spread, digits = 2) => ({ min: round(s.min, digits), median: round(s.median, digits), max: round(s.max, digits), n: s.n });

/** One drain, for the JSON line. */
export function compactRun(r: DrainRun) {
  const ms = (o: { daemon: number; postgres: number; total: number }) => ({ daemon: round(o.daemon), postgres: round(o.postgres), total: round(o.total) });
  return {
    n: r.n, seconds: round(r.seconds), rps: round(r.rate), allMailSeconds: round(r.allMailSeconds), firstAnswerSeconds: round(r.firstAnswerSeconds),
    cpuMsPerRequest: ms(r.perRequestMs),
    steady: r.steady ? { rps: round(r.steady.rate), cpuMsPerRequest: ms(r.steady.perRequestMs) } : null,
    cpuSeconds: Object.fromEntries(Object.entries(r.cpu).map(([k, v]) => [k, round(v)])),
    load1m: r.load1m, answered: r.answered, duplicates: r.duplicates, toAgents: r.toAgents, unflagged: r.unflagged,
    peakRssMb: r.peakRssMb.map((v) => round(v, 1)),
  };
}

/** The `floor` and `scale` members of the JSON line. */
export function issue15Summary(r: Issue15Results) {
  const f = r.floor;
  const s = r.scale;
  return {
    ...(f ? {
      floor: failed(f) ? f : {
        targets: ISSUE15_TARGETS,
        sizes: f.sizes.map((z) => ({
          pdfKb: z.pdfKb, messageKb: round(z.messageKb, 1), n: z.n, bundles: z.bundles,
          ratio: { rps: roundSpread(z.ratio.rps, 3), steadyRps: roundSpread(z.ratio.steadyRps, 3), daemonCpu: roundSpread(z.ratio.daemonCpu), postgresCpu: roundSpread(z.ratio.postgresCpu) },
          ok: z.ratio.rps.median >= ISSUE15_TARGETS.floorRatio,
          liquibot: Object.fromEntries(Object.entries(z.liquibot).map(([k, v]) => [k, roundSpread(v)])),
          floor: Object.fromEntries(Object.entries(z.floor).map(([k, v]) => [k, roundSpread(v)])),
          pairs: z.pairs.map((p) => ({ firstSide: p.firstSide, liquibot: compactRun(p.liquibot), floor: compactRun(p.floor), floorStageMs: p.floorDone?.stageMs ?? null, ...(p.profile ? { profile: p.profile } : {}) })),
        })),
      },
    } : {}),
    ...(s ? {
      scale: failed(s) ? s : {
        n: s.n, pdfKb: s.pdfKb, messageKb: round(s.messageKb, 1), bundles: s.bundles,
        steps: s.steps.map((st) => ({
          instances: st.instances, mailboxes: st.mailboxes, rps: roundSpread(st.rps), daemonCpuMs: roundSpread(st.daemonCpuMs), postgresCpuMs: roundSpread(st.postgresCpuMs),
          totalCpuMs: roundSpread(st.totalCpuMs), rpsRatio: roundSpread(st.rpsRatio, 3), totalCpuRatio: roundSpread(st.totalCpuRatio, 3),
          runs: st.runs.map(compactRun),
        })),
      },
    } : {}),
  };
}

const load = (runs: readonly DrainRun[]) => {
  const all = runs.flatMap((r) => [r.load1m.start, r.load1m.end]);
  const other = runs.map((r) => r.cpu.otherCores);
  return `load ${Math.min(...all).toFixed(1)}–${Math.max(...all).toFixed(1)}, others ${Math.min(...other).toFixed(2)}–${Math.max(...other).toFixed(2)} cores`;
};

/** The human table of floor and scale, printed after the main one. */
export function issue15Table(r: Issue15Results): string {
  const out: string[] = [];
  const f = r.floor;
  if (failed(f)) out.push(`floor: ERROR: ${f.error.split('\n')[0]}`);
  else if (f) {
    for (const z of f.sizes) {
      const runs = z.pairs.flatMap((p) => [p.liquibot, p.floor]);
      out.push(`floor vs liquibot, ${z.n} requests of ${z.messageKb.toFixed(1)} KiB, ${z.pairs.length} pairs (${load(runs)})`);
      out.push(`  ${'side'.padEnd(9)} | ${'drain req/s'.padEnd(34)} | ${'daemon CPU ms/req'.padEnd(30)} | PostgreSQL CPU ms/req`);
      for (const side of ['liquibot', 'floor'] as const) {
        out.push(`  ${side.padEnd(9)} | ${formatSpread(z[side].rps).padEnd(34)} | ${formatSpread(z[side].daemonCpuMs, 2).padEnd(30)} | ${formatSpread(z[side].postgresCpuMs, 2)}`);
      }
      out.push(`  liquibot/floor: drain ${formatSpread(z.ratio.rps, 3)} (target ≥ ${ISSUE15_TARGETS.floorRatio}: ${z.ratio.rps.median >= ISSUE15_TARGETS.floorRatio ? 'met' : 'MISSED'}); steady drain ${formatSpread(z.ratio.steadyRps, 3)}; daemon CPU ×${formatSpread(z.ratio.daemonCpu, 2)}; PostgreSQL CPU ×${formatSpread(z.ratio.postgresCpu, 2)}`);
      const bad = runs.filter((x) => x.duplicates > 0 || x.unflagged > 0 || x.answered < x.n);
      if (bad.length > 0) out.push(`  WARNING: ${bad.map((x) => `${x.label}: ${x.answered} answered, ${x.duplicates} duplicates, ${x.unflagged} unflagged`).join('; ')}`);
    }
  }
  const s = r.scale;
  if (failed(s)) out.push(`scale: ERROR: ${s.error.split('\n')[0]}`);
  else if (s) {
    out.push(`scale: ${s.n} requests of ${s.messageKb.toFixed(1)} KiB on one PostgreSQL (${load(s.steps.flatMap((x) => x.runs))})`);
    out.push(`  ${'instances'.padEnd(9)} | ${'drain req/s'.padEnd(28)} | ${'× one'.padEnd(24)} | ${'CPU ms/req: daemons + PostgreSQL (+ Dovecot) = total'.padEnd(40)} | total × one`);
    for (const st of s.steps) {
      out.push(`  ${`${st.instances}${st.mailboxes > 1 ? ` on ${st.mailboxes} mb` : ''}`.padEnd(9)} | ${formatSpread(st.rps).padEnd(28)} | ${formatSpread(st.rpsRatio, 2).padEnd(24)} | ${`${formatSpread(st.daemonCpuMs, 1)} + ${formatSpread(st.postgresCpuMs, 1)} = ${formatSpread(st.totalCpuMs, 1)}`.padEnd(40)} | ${formatSpread(st.totalCpuRatio, 2)}`);
    }
  }
  return out.join('\n');
}
