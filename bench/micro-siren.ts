/**
 * Micro-benchmark of findSirenInPdf against the frozen pre-optimisation copy
 * (test/approval/siren-reference.ts), on the drain benchmark's 150 KiB attachment and on a
 * realistic 150 KiB court document (SIREN on page 1, on page 6, absent).
 *
 *   npx tsx bench/micro-siren.ts [--runs 7] [--ms 400]
 *
 * Both implementations run interleaved in one process; each run times as many calls as fit in
 * `--ms` milliseconds; the table shows the median and the spread of the runs, in µs per call.
 */
import { findSirenInPdf } from '../src/approval/siren-in-pdf';
import { referenceFindSirenInPdf } from '../test/approval/siren-reference';
import { courtDocumentPdf, drainBenchPdf } from '../test/support/siren-pdfs';

type Impl = (pdf: Buffer, siren: string) => 'found' | 'not-found' | 'unreadable';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const RUNS = arg('runs', 7);
const MS = arg('ms', 400);
const SIREN = '732829320';
const KIB150 = 150 * 1024;

const CASES: Array<{ name: string; pdf: Buffer }> = [
  { name: 'drain bench samplePdf (\'0\' padding)', pdf: drainBenchPdf(KIB150) },
  { name: 'court document, SIREN on page 1', pdf: courtDocumentPdf({ bytes: KIB150, siren: '732 829 320', sirenPage: 1 }) },
  { name: 'court document, SIREN on page 6', pdf: courtDocumentPdf({ bytes: KIB150, siren: '732 829 320', sirenPage: 6 }) },
  { name: 'court document, SIREN absent', pdf: courtDocumentPdf({ bytes: KIB150, siren: null }) },
];

function timeRun(impl: Impl, pdf: Buffer): { wall: number; cpu: number } {
  let calls = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const budget = BigInt(MS) * 1_000_000n;
  let elapsed = 0n;
  do {
    for (let i = 0; i < 5; i++) impl(pdf, SIREN);
    calls += 5;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  const cpu = process.cpuUsage(cpuStart);
  return { wall: Number(elapsed) / 1000 / calls, cpu: (cpu.user + cpu.system) / calls };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const summary = (runs: Array<{ wall: number; cpu: number }>) => {
  const cpu = runs.map((r) => r.cpu);
  return { cpu: median(cpu), text: `cpu ${fmt(median(cpu)).padStart(6)} [${fmt(Math.min(...cpu))}–${fmt(Math.max(...cpu))}] wall ${fmt(median(runs.map((r) => r.wall))).padStart(6)}` };
};

console.log(`node ${process.version}, ${RUNS} runs × ${MS} ms per implementation and case, interleaved;`);
console.log('µs per call: CPU time of the process (median [min–max] of the runs), then median wall time');
for (const c of CASES) {
  const before = referenceFindSirenInPdf(c.pdf, SIREN);
  const after = findSirenInPdf(c.pdf, SIREN);
  if (before !== after) throw new Error(`${c.name}: results differ (${before} before, ${after} after)`);
  const times = { before: [] as Array<{ wall: number; cpu: number }>, after: [] as Array<{ wall: number; cpu: number }> };
  // warm-up, then interleave so that machine noise hits both alike
  timeRun(referenceFindSirenInPdf, c.pdf);
  timeRun(findSirenInPdf, c.pdf);
  for (let r = 0; r < RUNS; r++) {
    times.before.push(timeRun(referenceFindSirenInPdf, c.pdf));
    times.after.push(timeRun(findSirenInPdf, c.pdf));
  }
  const b = summary(times.before);
  const a = summary(times.after);
  console.log(`${c.name.padEnd(38)} ${String(c.pdf.length).padStart(7)} B → ${after.padEnd(10)} before ${b.text} | after ${a.text} | ×${(b.cpu / a.cpu).toFixed(1)}`);
}
