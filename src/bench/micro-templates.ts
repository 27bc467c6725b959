/**
 * Micro-benchmark of rendering the shipped mail templates with their sample data (examples.ts),
 * as TemplateStore.render does it (schema parse + renderCompiled), with the engines of
 * createTemplateEngines() against the same engines given back liquidjs's stock `date` filter.
 *
 *   npx tsx src/bench/micro-templates.ts [--runs 7] [--ms 300]
 *
 * Both run interleaved in one process; each run times as many renders as fit in `--ms`
 * milliseconds; the table shows the median and the spread of the runs, in µs per mail.
 */
import { filters } from 'liquidjs';
import { CATALOG, TEMPLATE_NAMES, type TemplateName } from '../templates/catalog';
import { compileTemplate, renderCompiled, type CompiledTemplate } from '../templates/compile';
import { createTemplateEngines, type TemplateEngines } from '../templates/engine';
import { EXAMPLES } from '../templates/examples';
import { readTemplateSources, SHIPPED_TEMPLATES_DIR, type TemplateDirs } from '../templates/sources';

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

function timeRun(setup: ReturnType<typeof setUp>, names: readonly TemplateName[]): number {
  let mails = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(MS) * 1_000_000n;
  let elapsed = 0n;
  do {
    for (const name of names) render(setup, name);
    mails += names.length;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  return Number(elapsed) / 1000 / mails;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => x.toFixed(1);

const groups: Array<[string, readonly TemplateName[]]> = [
  ['drain mix: acknowledgment + approval-request', ['acknowledgment', 'approval-request']],
  ...TEMPLATE_NAMES.map((n): [string, readonly TemplateName[]] => [n, [n]]),
  ['all shipped templates, one each', TEMPLATE_NAMES],
];

for (const name of TEMPLATE_NAMES) {
  if (render(stock, name) !== render(current, name)) throw new Error(`${name}: the two engines render different mails`);
}
console.log(`node ${process.version}, ${RUNS} runs × ${MS} ms per engine and row, µs per mail (median [min–max])`);
for (const [label, names] of groups) {
  const times = { before: [] as number[], after: [] as number[] };
  timeRun(stock, names);
  timeRun(current, names);
  for (let r = 0; r < RUNS; r++) {
    times.before.push(timeRun(stock, names));
    times.after.push(timeRun(current, names));
  }
  const b = median(times.before);
  const a = median(times.after);
  console.log(
    `${label.padEnd(46)} stock date ${fmt(b).padStart(6)} [${fmt(Math.min(...times.before))}–${fmt(Math.max(...times.before))}]` +
      `  ours ${fmt(a).padStart(6)} [${fmt(Math.min(...times.after))}–${fmt(Math.max(...times.after))}]  ×${(b / a).toFixed(2)}`,
  );
}
