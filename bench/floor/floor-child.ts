import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../daemon-child';
import { readMemory } from '../proc-stats';

/** What the drain runner needs of a process under measure: liquibot's DaemonChild has the same shape. */
export interface MeasuredProcess {
  pids(): number[];
  hwmKb(): number;
  stderrTail(): string;
  /** Rejects as soon as the process exits on its own. */
  readonly died: Promise<never>;
  stop(graceMs?: number): Promise<number | null>;
}

const BUNDLE = join(REPO_ROOT, 'data/bench/floor.mjs');
let built: Promise<string> | null = null;

/**
 * Bundle bench/floor/floor-pipeline.ts once per run (packages external, as scripts/build.mjs does for
 * the daemon), so the floor runs as plain node too: no TypeScript loader in its CPU time.
 */
export function buildFloor(): Promise<string> {
  built ??= (async () => {
    mkdirSync(join(REPO_ROOT, 'data/bench'), { recursive: true });
    await build({
      entryPoints: [join(REPO_ROOT, 'bench/floor/floor-pipeline.ts')], outfile: BUNDLE, bundle: true, platform: 'node',
      format: 'esm', target: 'node20', packages: 'external', logLevel: 'error',
    });
    return BUNDLE;
  })();
  return built;
}

export interface FloorDone {
  event: 'done';
  fetched: number;
  stored: number;
  duplicates: number;
  sent: number;
  failed: number;
  /** Wall ms of each stage of the floor's main path. */
  stageMs?: Record<string, number>;
}

/** Start the floor against a mailbox, a database and the SMTP sink. `done` resolves with its count line. */
export async function startFloorChild(cfg: {
  imap: { host: string; port: number; user: string; password: string };
  databaseUrl: string;
  smtp: { host: string; port: number };
  cpuProfDir?: string | null;
  cpuProfName?: string;
}): Promise<MeasuredProcess & { done: Promise<FloorDone> }> {
  const bundle = await buildFloor();
  // The daemon's V8 flags (bin/liquibot: heap, helper threads), so both run under the same V8 settings.
  const flags = ['--max-semi-space-size=4', '--max-old-space-size=1024', '--v8-pool-size=0'];
  if (cfg.cpuProfDir) flags.push('--cpu-prof', `--cpu-prof-dir=${cfg.cpuProfDir}`, `--cpu-prof-name=${cfg.cpuProfName ?? 'floor.cpuprofile'}`, '--cpu-prof-interval=500');
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    FLOOR_IMAP_HOST: cfg.imap.host, FLOOR_IMAP_PORT: String(cfg.imap.port), FLOOR_IMAP_USER: cfg.imap.user, FLOOR_IMAP_PASS: cfg.imap.password,
    FLOOR_DATABASE_URL: cfg.databaseUrl, FLOOR_SMTP_HOST: cfg.smtp.host, FLOOR_SMTP_PORT: String(cfg.smtp.port),
  };
  delete childEnv.NODE_OPTIONS;
  const child = spawn(process.execPath, [...flags, bundle], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter(Boolean));
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  });
  let stopping = false;
  let exitCode: number | null = null;
  const exit = new Promise<void>((res) => child.once('exit', (code) => {
    exitCode = code;
    res();
  }));
  const died = exit.then((): never => {
    throw new Error(`floor exited on its own (${exitCode}):\n${tail.join('\n')}`);
  });
  died.catch(() => {});
  const done = new Promise<FloorDone>((resolve, reject) => {
    let buffer = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        try {
          const msg = JSON.parse(line) as FloorDone;
          if (msg.event === 'done') resolve(msg);
        } catch {
          // not ours
        }
      }
    });
    died.catch(reject);
  });
  done.catch(() => {});
  const pid = child.pid!;
  let hwm = 0;
  return {
    pids: () => [pid],
    hwmKb: () => {
      hwm = Math.max(hwm, readMemory(pid)?.hwmKb ?? 0);
      return hwm;
    },
    stderrTail: () => tail.join('\n'),
    died,
    done,
    async stop(graceMs = 10_000) {
      if (stopping || exitCode !== null) return exitCode;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
      return exitCode;
    },
  };
}
