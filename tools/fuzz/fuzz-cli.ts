/**
 * `npm run fuzz`: mutate every .eml fixture (truncation, broken base64/QP, huge header lines, deep
 * multipart nesting, unknown charsets, empty mail, NUL bytes, huge attachments…) and check that each
 * input ends as a verdict or a MAIL_UNPARSEABLE quarantine within the time bound. Exit 1 otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_HEAVY_FIXTURES, fuzzCases, type CaseOptions } from './fuzz-cases';
import { runFuzzCases, type FuzzResult } from './fuzz-runner';
import { summarise } from './fuzz-summary';
import { DEFAULT_MUTATION_OPTIONS, MUTATIONS } from './mutations';

const HELP = `Usage: npm run fuzz -- [options]

  --seed N          seed of every random choice (default 1); same seed, same inputs
  --rounds N        variants of each light mutation per fixture (default 3)
  --timeout-ms N    time bound per input (default 5000): slower is a problem, no answer a hang
  --huge-mb N       size of the huge attachment in MiB (default 30)
  --depth N         multipart nesting of deep-multipart (default 2000)
  --heavy-all       heavy mutations on every fixture (default: ${DEFAULT_HEAVY_FIXTURES.join(', ')})
  --fixture NAME    only this fixture
  --mutation NAME   only this mutation
  --round N         only this round
  --save DIR        write the inputs that caused a problem there, as .eml
  --json            print the summary as JSON

Mutations (* heavy): ${MUTATIONS.map((m) => `${m.name}${m.heavy ? '*' : ''}`).join(', ')}`;

function describeProblem(p: FuzzResult): string {
  const o = p.outcome;
  const what = o.kind === 'crash' ? `${o.error}\n${o.stack ?? ''}`
    : o.kind === 'worker-died' ? o.error
      : o.kind === 'hang' ? `no answer within ${o.ms.toFixed(0)} ms` : `${o.kind} in ${o.ms.toFixed(0)} ms`;
  return `PROBLEM ${p.fixture} ${p.mutation} --round ${p.round} (${p.sizeBytes} bytes): ${what}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' }, rounds: { type: 'string' }, 'timeout-ms': { type: 'string' }, 'huge-mb': { type: 'string' },
      depth: { type: 'string' }, 'heavy-all': { type: 'boolean' }, fixture: { type: 'string' }, mutation: { type: 'string' },
      round: { type: 'string' }, save: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const timeoutMs = Number(values['timeout-ms'] ?? 5000);
  const options: CaseOptions = {
    fixturesDir: resolve(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/eml'),
    seed: Number(values.seed ?? 1),
    rounds: Number(values.rounds ?? 3),
    heavyFixtures: values['heavy-all'] ? 'all' : DEFAULT_HEAVY_FIXTURES,
    only: { fixture: values.fixture, mutation: values.mutation, round: values.round === undefined ? undefined : Number(values.round) },
    mutation: {
      hugeBytes: values['huge-mb'] ? Number(values['huge-mb']) * 1024 * 1024 : DEFAULT_MUTATION_OPTIONS.hugeBytes,
      depth: Number(values.depth ?? DEFAULT_MUTATION_OPTIONS.depth),
    },
  };
  const started = Date.now();
  const results = await runFuzzCases(fuzzCases(options), {
    timeoutMs,
    onResult: (r) => {
      if (!values.json && r.outcome.kind !== 'verdict' && r.outcome.kind !== 'quarantined') console.log(describeProblem(r));
    },
  });
  const seconds = (Date.now() - started) / 1000;
  const summary = summarise(results, timeoutMs);
  if (values.save && summary.problems.length > 0) {
    mkdirSync(values.save, { recursive: true });
    for (const p of summary.problems) {
      const only = { fixture: p.fixture, mutation: p.mutation, round: p.round };
      for (const again of fuzzCases({ ...options, rounds: p.round + 1, only })) {
        writeFileSync(join(values.save, `${p.fixture}.${p.mutation}.${p.round}.eml`), again.raw);
      }
    }
  }
  if (values.json) {
    console.log(JSON.stringify({ seed: options.seed, timeoutMs, seconds, ...summary }));
  } else {
    console.log(`fuzz: ${summary.inputs} inputs, seed ${options.seed}, ${seconds.toFixed(1)} s`);
    for (const [key, n] of Object.entries(summary.outcomes).sort()) console.log(`  ${key.padEnd(30)} ${n}`);
    console.log('  by mutation: inputs, quarantined, max ms');
    for (const [name, m] of Object.entries(summary.byMutation)) console.log(`    ${name.padEnd(26)} ${String(m.inputs).padStart(5)} ${String(m.quarantined).padStart(5)} ${m.maxMs.toFixed(0).padStart(6)}`);
    const s = summary.slowest;
    if (s) console.log(`  max time ${s.ms.toFixed(0)} ms: ${s.fixture} ${s.mutation} --round ${s.round} (${s.sizeBytes} bytes)`);
    for (const p of summary.problems.filter((x) => x.outcome.kind === 'verdict' || x.outcome.kind === 'quarantined')) console.log(describeProblem(p));
    console.log(summary.problems.length === 0 ? 'no crash, no hang, all within the bound' : `${summary.problems.length} problem(s)`);
  }
  return summary.problems.length === 0 ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
