import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IForbiddenRuleType, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

// The layout's rules (README, Development), checked on the real import graph of src/ and parsers/:
// no cycle, production code never imports tooling, parsers/ stays pure. Type-only imports count
// (tsPreCompilationDeps): a cycle through types is still a cycle for the reader.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const PRODUCTION = '^(src|parsers)/';
const TOOLING = '^(test|bench|tools|scripts)/';

/** Node built-ins that reach the disk, the network, other processes or the clock. */
const IO_BUILTINS =
  '^(node:)?(fs|fs/promises|net|tls|http|https|http2|dgram|dns|dns/promises|child_process|cluster|worker_threads|' +
  'readline|inspector|os|timers|timers/promises|perf_hooks)$';
/** Packages that talk to the database, the network, the log or schedule work. */
const IO_PACKAGES =
  'node_modules/(@types/)?(postgres|@electric-sql/pglite|drizzle-orm|imapflow|nodemailer|smtp-server|mailauth|' +
  'pino|pino-pretty|prom-client|node-cron)/';

const RULES: IForbiddenRuleType[] = [
  { name: 'no-circular', from: { path: PRODUCTION }, to: { circular: true } },
  { name: 'production-not-to-tooling', from: { path: PRODUCTION }, to: { path: TOOLING } },
  {
    name: 'parsers-only-parsers',
    comment: 'parsers/ is the pure core: it imports other parsers, Node built-ins and packages, never src/',
    from: { path: '^parsers/' },
    to: { dependencyTypesNot: ['core'], pathNot: '^parsers/|node_modules/' },
  },
  { name: 'parsers-no-io-builtin', from: { path: '^parsers/' }, to: { dependencyTypes: ['core'], path: IO_BUILTINS } },
  { name: 'parsers-no-io-package', from: { path: '^parsers/' }, to: { path: IO_PACKAGES } },
  // An import that does not resolve is an edge the other rules cannot see.
  { name: 'not-to-unresolvable', from: { path: PRODUCTION }, to: { couldNotResolve: true } },
];

let graph: ICruiseResult;

beforeAll(async () => {
  const reported = await cruise(
    ['src', 'parsers'],
    {
      baseDir: ROOT,
      validate: true,
      ruleSet: { forbidden: RULES },
      tsPreCompilationDeps: true,
      tsConfig: { fileName: 'tsconfig.json' },
      // Edges into node_modules and tooling are recorded, not followed.
      doNotFollow: { path: ['node_modules', TOOLING] },
      // Resolve packages as Node and TypeScript do (package.json "exports", type-only packages).
      enhancedResolveOptions: {
        exportsFields: ['exports'],
        conditionNames: ['types', 'import', 'require', 'node', 'default'],
        mainFields: ['module', 'main', 'types', 'typings'],
      },
      cache: false,
    },
    {},
    { tsConfig: extractTSConfig(resolve(ROOT, 'tsconfig.json')) },
  );
  graph = reported.output as ICruiseResult;
}, 60_000);

function violationsOf(...rules: string[]): IViolation[] {
  return graph.summary.violations.filter((v) => rules.includes(v.rule.name));
}

/**
 * Each cycle once, as `a → b → … → a`, starting at its smallest module (every module of a cycle reports it);
 * `⇢` marks an edge made by `import type`.
 */
function cyclesOf(violations: IViolation[]): string[] {
  const seen = new Set<string>();
  for (const v of violations) {
    const steps = v.cycle ?? [];
    // steps[i] is the module reached by edge i; the last step is back at v.from.
    const nodes = [v.from, ...steps.slice(0, -1).map((step) => step.name)];
    const typeOnly = steps.map((step) => step.dependencyTypes.includes('type-only'));
    const start = nodes.indexOf([...nodes].sort()[0]!);
    const order = [...nodes.keys()].map((i) => (i + start) % nodes.length);
    seen.add(order.map((i) => `${nodes[i]} ${typeOnly[i] ? '⇢' : '→'} `).join('') + nodes[start]);
  }
  return [...seen].sort();
}

function edgesOf(violations: IViolation[]): string[] {
  return [...new Set(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`))].sort();
}

function fail(title: string, lines: string[]): void {
  if (lines.length > 0) expect.fail(`${title} (${lines.length}):\n  ${lines.join('\n  ')}`);
}

describe('import graph of src/ and parsers/', () => {
  it('reads the whole of src/ and parsers/ (so that the rules below cannot pass on an empty graph)', () => {
    const sources = graph.modules.map((m) => m.source);
    expect(sources.filter((s) => s.startsWith('src/')).length).toBeGreaterThan(50);
    expect(sources.filter((s) => s.startsWith('parsers/')).length).toBeGreaterThan(5);
  });

  it('resolves every import', () => {
    fail('unresolvable imports', edgesOf(violationsOf('not-to-unresolvable')));
  });

  it('has no import cycle', () => {
    fail('import cycles', cyclesOf(violationsOf('no-circular')));
  });

  it('production code does not import test/, bench/, tools/ or scripts/', () => {
    fail('imports of tooling from production code', edgesOf(violationsOf('production-not-to-tooling')));
  });

  it('parsers/ imports neither src/ nor anything that does I/O', () => {
    fail('impure imports in parsers/', edgesOf(violationsOf('parsers-only-parsers', 'parsers-no-io-builtin', 'parsers-no-io-package')));
  });
});
