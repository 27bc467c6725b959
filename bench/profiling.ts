import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { progress } from './bench-progress';
import { REPO_ROOT } from './daemon-child';
import { logSize, summariseStatementLogFile, type StatementLog } from './pg-statement-log';
import { summariseProfile, type CpuProfile } from './profile-summary';

/** What `--cpu-prof DIR` / `--spans` turn on for one scenario's daemon. */
export interface Profiling {
  scenario: string;
  /** Extra environment for the daemon: the preload and where it writes. */
  env: Record<string, string>;
  spansFile: string | null;
  cpuProfFile: string | null;
  /** Log every statement with its duration (startup parameter in DATABASE_URL). */
  pgLog: boolean;
}

/**
 * Everything a scenario's daemon gets on top of the sandbox settings: the profiling preload, and
 * --daemon-node-options (e.g. a heap limit, to try a memory setting without touching src/).
 */
export function daemonSetup(
  opts: { cpuProfDir: string | null; spans: boolean; daemonNodeOptions: string | null }, scenario: string, timeline = false,
): { profiling: Profiling | null; extraEnv: Record<string, string> } {
  const profiling = profilingFor(opts, scenario, timeline);
  const extraEnv = { ...profiling?.env };
  const nodeOptions = [opts.daemonNodeOptions, extraEnv.NODE_OPTIONS].filter(Boolean).join(' ');
  if (nodeOptions) extraEnv.NODE_OPTIONS = nodeOptions;
  return { profiling, extraEnv };
}

export function profilingFor(opts: { cpuProfDir: string | null; spans: boolean }, scenario: string, timeline = false): Profiling | null {
  if (!opts.cpuProfDir && !opts.spans) return null;
  const dir = resolve(opts.cpuProfDir ?? join(REPO_ROOT, 'data/bench'));
  mkdirSync(dir, { recursive: true });
  const spansFile = opts.spans ? join(dir, `${scenario}-spans.json`) : null;
  const cpuProfFile = opts.cpuProfDir ? join(dir, `${scenario}-daemon.cpuprofile`) : null;
  // Node 20 refuses --cpu-prof in NODE_OPTIONS: the preload runs the profiler through node:inspector.
  const env: Record<string, string> = { NODE_OPTIONS: `--import=${pathToFileURL(join(REPO_ROOT, 'bench/span-tracer.mjs')).href}` };
  if (spansFile) env.LIQUIBOT_BENCH_SPANS = spansFile;
  if (cpuProfFile) env.LIQUIBOT_BENCH_CPUPROF = cpuProfFile;
  if (timeline) env.LIQUIBOT_BENCH_TIMELINE = '1';
  progress(`${scenario}: profiling the daemon into ${dir}`);
  // The big-attachment run logs no SQL: a 55 MB statement in the server log helps nobody.
  return { scenario, env, spansFile, cpuProfFile, pgLog: opts.spans && scenario !== 'memory-big' };
}

/** DATABASE_URL that makes PostgreSQL log each of the daemon's statements with its duration. */
export function loggedDatabaseUrl(url: string, profiling: Profiling | null): string {
  if (!profiling?.pgLog) return url;
  // Parameters are not logged: the raw sources would fill the log with hex.
  return `${url}${url.includes('?') ? '&' : '?'}log_min_duration_statement=0&log_parameter_max_length=0`;
}

export interface ProfileFindings {
  spans?: Record<string, unknown>;
  timeline?: { name: string; start: number; end: number }[];
  statements?: StatementLog & { perRequest: number };
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
  if (profiling.cpuProfFile && existsSync(profiling.cpuProfFile)) {
    const s = summariseProfile(JSON.parse(readFileSync(profiling.cpuProfFile, 'utf8')) as CpuProfile);
    const idle = s.selfByCategory.find(([k]) => k === '(idle)')?.[1] ?? 0;
    found.cpu = { wallMs: s.totalMs, busyMs: s.totalMs - idle, selfByCategory: s.selfByCategory.slice(0, 15) };
    found.files.push(profiling.cpuProfFile);
  }
  return found;
}

export { logSize };
