/**
 * Micro-benchmark of rendering the shipped mail templates with their sample data (examples.ts),
 * as TemplateStore.render does it (schema parse + renderCompiled), with the engines of
 * createTemplateEngines() against the same engines given back liquidjs's stock `date` filter.
 *
 *   npx tsx bench/micro-templates.ts [--runs 7] [--ms 300]
 *
 * Both run interleaved in one process; each run times as many renders as fit in `--ms`
 * milliseconds; the table shows the median and the spread of the runs, in µs per mail.
 */
import { filters } from 'liquidjs';
import { CATALOG, TEMPLATE_NAMES, type TemplateName } from '../src/templates/catalog';
import { compileTemplate, renderCompiled, type CompiledTemplate } from '../src/templates/compile';
import { createTemplateEngines, type TemplateEngines } from '../src/templates/engine';
import { EXAMPLES } from '../src/templates/examples';
import { readTemplateSources, SHIPPED_TEMPLATES_DIR, type TemplateDirs } from '../src/templates/sources';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = arg('runs', 7);
const MS = arg('ms', 300);

const dirs: TemplateDirs = { templatesDir: null, shippedDir: SHIPPED_TEMPLATES_DIR };

function setUp(stockDate: boolean): { engines: TemplateEngines; compiled: Map<TemplateName, CompiledTemplate> } {
  const engines = createTemplateEngines();
  if (stockDate) for (const e of Object.values(engines)) e.registerFilter('date', filters.date!);
  const compiled = new Map<TemplateName, CompiledTemplate>();
  for (const name of TEMPLATE_NAMES) {
    const { template, issues } = compileTemplate(engines, readTemplateSources(name, dirs), dirs);
    if (!template) throw new Error(`${name}: ${JSON.stringify(issues)}`);
    compiled.set(name, template);
  }
  return { engines, compiled };
}

const stock = setUp(true);
const current = setUp(false);

function render(setup: ReturnType<typeof setUp>, name: TemplateName): string {
  const data = CATALOG[name].schema.parse(EXAMPLES[name]);
  const out = renderCompiled(setup.engines, setup.compiled.get(name)!, data);
  return `${out.subject}\n${out.text}\n${out.html ?? ''}`;
}

function timeRun(setup: ReturnType<typeof setUp>, names: readonly TemplateName[]): { wall: number; cpu: number } {
  let mails = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const budget = BigInt(MS) * 1_000_000n;
  let elapsed = 0n;
  do {
    for (const name of names) render(setup, name);
    mails += names.length;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  const cpu = process.cpuUsage(cpuStart);
  return { wall: Number(elapsed) / 1000 / mails, cpu: (cpu.user + cpu.system) / mails };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => x.toFixed(1);
const summary = (runs: Array<{ wall: number; cpu: number }>) => {
  const cpu = runs.map((r) => r.cpu);
  return { cpu: median(cpu), text: `cpu ${fmt(median(cpu)).padStart(6)} [${fmt(Math.min(...cpu))}–${fmt(Math.max(...cpu))}] wall ${fmt(median(runs.map((r) => r.wall))).padStart(6)}` };
};

const groups: Array<[string, readonly TemplateName[]]> = [
  ['drain mix: acknowledgment + approval-request', ['acknowledgment', 'approval-request']],
  ...TEMPLATE_NAMES.map((n): [string, readonly TemplateName[]] => [n, [n]]),
  ['all shipped templates, one each', TEMPLATE_NAMES],
];

for (const name of TEMPLATE_NAMES) {
  if (render(stock, name) !== render(current, name)) throw new Error(`${name}: the two engines render different mails`);
}
console.log(`node ${process.version}, ${RUNS} runs × ${MS} ms per engine and row, interleaved;`);
console.log('µs per mail (3 parts): CPU time of the process (median [min–max] of the runs), then median wall time');
for (const [label, names] of groups) {
  const times = { before: [] as Array<{ wall: number; cpu: number }>, after: [] as Array<{ wall: number; cpu: number }> };
  timeRun(stock, names);
  timeRun(current, names);
  for (let r = 0; r < RUNS; r++) {
    times.before.push(timeRun(stock, names));
    times.after.push(timeRun(current, names));
  }
  const b = summary(times.before);
  const a = summary(times.after);
  console.log(`${label.padEnd(44)} stock date: ${b.text} | ours: ${a.text} | ×${(b.cpu / a.cpu).toFixed(2)}`);
}
