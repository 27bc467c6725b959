import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { progress } from './bench-progress';
import { REPO_ROOT } from './daemon-child';
import { logSize, shapeOf, summariseStatementLogFile, type StatementLog } from './pg-statement-log';
import { summariseProfile, type CpuProfile } from './profile-summary';

/** What `--cpu-prof DIR` / `--spans` / `--explain MS` turn on for one scenario's daemon. */
export interface Profiling {
  scenario: string;
  /** Extra environment for the daemon: the preload and where it writes. */
  env: Record<string, string>;
  spansFile: string | null;
  cpuProfFile: string | null;
  /** Log every statement with its duration (startup parameter in DATABASE_URL). */
  pgLog: boolean;
  /** --explain: log the plan of every statement slower than this (auto_explain), kept in plansFile. */
  explainMs: number | null;
  plansFile: string | null;
}

/**
 * Everything a scenario's daemon gets on top of the sandbox settings: the profiling preload, and
 * --daemon-node-options (e.g. a heap limit, to try a memory setting without touching src/).
 */
export function daemonSetup(
  opts: { cpuProfDir: string | null; spans: boolean; explainMs?: number | null; daemonNodeOptions: string | null }, scenario: string, timeline = false,
): { profiling: Profiling | null; extraEnv: Record<string, string> } {
  const profiling = profilingFor(opts, scenario, timeline);
  const extraEnv = { ...profiling?.env };
  const nodeOptions = [opts.daemonNodeOptions, extraEnv.NODE_OPTIONS].filter(Boolean).join(' ');
  if (nodeOptions) extraEnv.NODE_OPTIONS = nodeOptions;
  return { profiling, extraEnv };
}

export function profilingFor(opts: { cpuProfDir: string | null; spans: boolean; explainMs?: number | null }, scenario: string, timeline = false): Profiling | null {
  const explainMs = opts.explainMs ?? null;
  if (!opts.cpuProfDir && !opts.spans && explainMs === null) return null;
  const dir = resolve(opts.cpuProfDir ?? join(REPO_ROOT, 'data/bench'));
  mkdirSync(dir, { recursive: true });
  const spansFile = opts.spans ? join(dir, `${scenario}-spans.json`) : null;
  const cpuProfFile = opts.cpuProfDir ? join(dir, `${scenario}-daemon.cpuprofile`) : null;
  const env: Record<string, string> = {};
  // Node 20 refuses --cpu-prof in NODE_OPTIONS: the preload runs the profiler through node:inspector.
  if (spansFile || cpuProfFile) env.NODE_OPTIONS = `--import=${pathToFileURL(join(REPO_ROOT, 'bench/span-tracer.mjs')).href}`;
  if (spansFile) env.LIQUIBOT_BENCH_SPANS = spansFile;
  if (cpuProfFile) env.LIQUIBOT_BENCH_CPUPROF = cpuProfFile;
  if (timeline) env.LIQUIBOT_BENCH_TIMELINE = '1';
  progress(`${scenario}: profiling the daemon into ${dir}`);
  // The big-attachment run logs no SQL: a 55 MB statement in the server log helps nobody.
  const logsSql = scenario !== 'memory-big';
  return {
    scenario, env, spansFile, cpuProfFile, pgLog: opts.spans && logsSql,
    explainMs: logsSql ? explainMs : null, plansFile: logsSql && explainMs !== null ? join(dir, `${scenario}-plans.log`) : null,
  };
}

/**
 * DATABASE_URL with startup parameters (postgres.js forwards unknown URL parameters to the server) that
 * make PostgreSQL log each of the daemon's statements with its duration (--spans), and the plans of the
 * slow ones (--explain: auto_explain, loaded for the session; the sandbox's user is a superuser).
 */
export function loggedDatabaseUrl(url: string, profiling: Profiling | null): string {
  const params: string[] = [];
  // Parameters are not logged: the raw sources would fill the log with hex.
  if (profiling?.pgLog) params.push('log_min_duration_statement=0', 'log_parameter_max_length=0');
  if (profiling?.explainMs != null) {
    params.push('session_preload_libraries=auto_explain', `auto_explain.log_min_duration=${profiling.explainMs}`,
      'auto_explain.log_analyze=on', 'auto_explain.log_buffers=on', 'auto_explain.log_nested_statements=on');
  }
  if (params.length === 0) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${params.join('&')}`;
}

/** The slow statements whose plans --explain logged during one daemon run. */
export interface PlanFindings {
  file: string;
  statements: number;
  totalMs: number;
  /** By statement shape, the most time first. */
  byShape: { shape: string; count: number; totalMs: number }[];
}

const PLAN_START = /^\S+ \S+ \S+ \[\d+\] LOG:\s+duration: ([\d.]+) ms\s+plan:/;
/** Plans files written by this process: the first run of a scenario starts its file, the next ones append. */
const plansStarted = new Set<string>();

/** The plans entries (a LOG line and its tab-indented lines) of the server log from `offset`, into `file`. */
export function collectPlans(logFile: string, offset: number, file: string, label: string): PlanFindings {
  const size = existsSync(logFile) ? statSync(logFile).size : 0;
  const text = (() => {
    if (size <= offset) return '';
    const fd = openSync(logFile, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  })();
  const entries: { ms: number; lines: string[] }[] = [];
  let current: { ms: number; lines: string[] } | null = null;
  for (const line of text.split('\n')) {
    const start = PLAN_START.exec(line);
    if (start) {
      current = { ms: Number(start[1]), lines: [line] };
      entries.push(current);
    } else if (current && line.startsWith('\t')) {
      current.lines.push(line);
    } else {
      current = null;
    }
  }
  const by = new Map<string, { shape: string; count: number; totalMs: number }>();
  for (const e of entries) {
    // The query's text runs from "Query Text:" (it may start on the next line) to the plan's first node.
    const at = e.lines.findIndex((l) => l.trim().startsWith('Query Text:'));
    const end = e.lines.findIndex((l, i) => i > at && /\((cost|actual time)=/.test(l));
    const query = at < 0 ? '' : e.lines.slice(at, end < 0 ? undefined : end).join(' ').trim().slice('Query Text:'.length);
    const shape = shapeOf(query);
    const s = by.get(shape) ?? { shape, count: 0, totalMs: 0 };
    s.count += 1;
    s.totalMs += e.ms;
    by.set(shape, s);
  }
  const body = `== ${label}: ${entries.length} plans\n${entries.map((e) => e.lines.join('\n')).join('\n')}\n`;
  if (plansStarted.has(file)) appendFileSync(file, body);
  else {
    writeFileSync(file, body);
    plansStarted.add(file);
  }
  return {
    file, statements: entries.length, totalMs: entries.reduce((a, e) => a + e.ms, 0),
    byShape: [...by.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, 10),
  };
}

/** One progress line for a run's plans: how many, and the costliest shape. */
export function planLine(plans: PlanFindings): string {
  const top = plans.byShape[0];
  return `${plans.statements} statements over the --explain threshold, ${plans.totalMs.toFixed(0)} ms in all, plans in ${plans.file}`
    + (top ? `; most time: ${top.count} × ${top.shape.slice(0, 60)} (${top.totalMs.toFixed(0)} ms)` : '');
}

export interface ProfileFindings {
  spans?: Record<string, unknown>;
  timeline?: { name: string; start: number; end: number }[];
  statements?: StatementLog & { perRequest: number };
  plans?: PlanFindings;
  cpu?: { wallMs: number; busyMs: number; selfByCategory: [string, number][] };
  files: string[];
}

/** Read what the daemon wrote (after it exited) and what PostgreSQL logged since `pgLogOffset`. */
export function collectProfile(profiling: Profiling, pg: { logFile: string; offset: number }, requests: number): ProfileFindings {
  const found: ProfileFindings = { files: [] };
  if (profiling.spansFile && existsSync(profiling.spansFile)) {
    const { timeline, ...spans } = JSON.parse(readFileSync(profiling.spansFile, 'utf8')) as Record<string, unknown> & { timeline?: ProfileFindings['timeline'] };
    found.spans = spans;
    found.timeline = timeline;
    found.files.push(profiling.spansFile);
  }
  if (profiling.pgLog) {
    const log = summariseStatementLogFile(pg.logFile, pg.offset);
    found.statements = { ...log, byShape: log.byShape.slice(0, 20), perRequest: log.executes / Math.max(1, requests) };
  }
  if (profiling.plansFile) {
    found.plans = collectPlans(pg.logFile, pg.offset, profiling.plansFile, profiling.scenario);
    found.files.push(profiling.plansFile);
  }
  if (profiling.cpuProfFile && existsSync(profiling.cpuProfFile)) {
    const s = summariseProfile(JSON.parse(readFileSync(profiling.cpuProfFile, 'utf8')) as CpuProfile);
    const idle = s.selfByCategory.find(([k]) => k === '(idle)')?.[1] ?? 0;
    found.cpu = { wallMs: s.totalMs, busyMs: s.totalMs - idle, selfByCategory: s.selfByCategory.slice(0, 15) };
    found.files.push(profiling.cpuProfFile);
  }
  return found;
}

export { logSize };
