import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guardAgainstOrphans, removeDirQuietly } from '../test/support/sandbox/orphan-guard';
import { sleep } from '../test/support/sandbox/wait-until';
import { allProcesses, descendantsOf, readCmdline, readMemory } from './proc-stats';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO_ROOT, 'bin/liquibot');

export interface DaemonChild {
  /** Pid of `bin/liquibot` (the node process `exec` made of the shell script; tsx's launcher in older versions). */
  readonly launcherPid: number;
  /** Pid of the node process that runs src/cli.ts: the daemon whose memory we report. */
  readonly daemonPid: number;
  /** Both pids, for CPU accounting. */
  pids(): number[];
  /** Largest VmRSS seen by the sampler (KiB), daemon process only. */
  sampledPeakKb(): number;
  /** The kernel's high-water mark of the daemon's resident set (KiB): read now, or the last reading once it exited. */
  hwmKb(): number;
  /**
   * Largest sum of VmRSS over the daemon and every process under it (its document readers), sampled
   * with the daemon's own (KiB): what the service costs the machine at once.
   */
  treePeakKb(): number;
  /** Largest VmHWM of any process under the daemon (a document reader), as last sampled (KiB). */
  readerPeakKb(): number;
  /** Exit code or signal when the daemon ended without being asked to; null while it runs or after stop(). */
  exitedOnItsOwn(): string | null;
  /** Current VmRSS (KiB) of the daemon and of the launcher. */
  rssKb(): { daemon: number; launcher: number };
  /** Last lines the daemon wrote on stderr (its logs at LOG_LEVEL=warn). */
  stderrTail(): string;
  /** Rejects as soon as the child exits on its own. */
  readonly died: Promise<never>;
  /** SIGTERM (graceful stop: finish the message in hand, flush the outbox), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Start `bin/liquibot run` as a child process, so its memory is measured alone. tsx's launcher
 * spawns a second node process that runs the daemon; that one is found through /proc and sampled
 * every `sampleMs` (VmRSS), and the kernel's VmHWM gives the exact peak at the end.
 */
export async function startDaemonChild(env: Record<string, string>, opts: { sampleMs?: number } = {}): Promise<DaemonChild> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.NODE_OPTIONS) delete childEnv.NODE_OPTIONS;
  const child: ChildProcess = spawn(BIN, ['run'], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const tail: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter(Boolean));
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exit = new Promise<void>((res) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    res();
  }));
  let stopping = false;
  const died = exit.then((): never => {
    throw new Error(`liquibot exited on its own (${exited?.signal ?? exited?.code}):\n${tail.join('\n')}`);
  });
  died.catch(() => {}); // observed by whoever races it
  const launcherPid = child.pid!;
  // The daemon must not outlive the bench, even when the bench is killed: the sandbox's orphan guard
  // (exit hook plus a watchdog shell) sends it SIGTERM, then SIGKILL.
  const guardDir = mkdtempSync(join(tmpdir(), 'liquibot-bench-daemon-'));
  writeFileSync(join(guardDir, 'daemon.pid'), `${launcherPid}\n`);
  const guard = guardAgainstOrphans({ pidFile: join(guardDir, 'daemon.pid'), signal: 'SIGTERM', removeDir: guardDir });
  const release = () => {
    guard.disarm();
    removeDirQuietly(guardDir);
  };
  void exit.then(release);

  // bin/liquibot either execs node with tsx's loader (one process), or execs tsx's CLI, which starts
  // the real node process a moment later. The daemon is the deepest process running src/cli.ts.
  let daemonPid = 0;
  const deadline = Date.now() + 20_000;
  const giveUp = async (why: string): Promise<never> => {
    for (const p of descendantsOf(launcherPid, allProcesses())) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    child.kill('SIGKILL');
    await exit;
    throw new Error(why);
  };
  while (daemonPid === 0) {
    if (exited) throw new Error(`liquibot exited at start:\n${tail.join('\n')}`);
    if (Date.now() > deadline) await giveUp('liquibot: the daemon process did not appear');
    const runsCli = (pid: number) => readCmdline(pid).some((a) => /\bcli\.(ts|mjs|js)$/.test(a));
    const tree = [launcherPid, ...descendantsOf(launcherPid, allProcesses()).map((p) => p.pid)].filter(runsCli);
    const deepest = tree.at(-1) ?? 0;
    // Right after the spawn the launcher may still be tsx's CLI with no child yet: wait for the child.
    const launcherIsTsxCli = readCmdline(launcherPid).some((a) => /\/tsx(\.m?js)?$|\.bin\/tsx$/.test(a));
    daemonPid = deepest === launcherPid && launcherIsTsxCli ? 0 : deepest;
    if (daemonPid === 0) await sleep(20);
  }

  let peak = 0;
  let hwm = 0;
  let treePeak = 0;
  let readerPeak = 0;
  const sample = () => {
    const m = readMemory(daemonPid);
    if (m && m.rssKb > peak) peak = m.rssKb;
    if (m && m.hwmKb > hwm) hwm = m.hwmKb;
    let tree = m?.rssKb ?? 0;
    for (const pid of childrenOf(daemonPid)) {
      const r = readMemory(pid);
      if (!r) continue;
      tree += r.rssKb;
      if (r.hwmKb > readerPeak) readerPeak = r.hwmKb;
    }
    if (tree > treePeak) treePeak = tree;
  };
  const sampler = setInterval(sample, opts.sampleMs ?? 50);
  sampler.unref();

  return {
    launcherPid,
    daemonPid,
    pids: () => [...new Set([launcherPid, daemonPid])],
    sampledPeakKb: () => peak,
    treePeakKb: () => treePeak,
    readerPeakKb: () => readerPeak,
    hwmKb: () => {
      sample();
      return hwm;
    },
    exitedOnItsOwn: () => (exited && !stopping ? `${(exited as { code: number | null; signal: string | null }).signal ?? (exited as { code: number | null }).code}` : null),
    rssKb: () => ({
      daemon: readMemory(daemonPid)?.rssKb ?? 0,
      launcher: launcherPid === daemonPid ? 0 : (readMemory(launcherPid)?.rssKb ?? 0),
    }),
    stderrTail: () => tail.join('\n'),
    died,
    async stop(graceMs = 30_000) {
      if (stopping) return exited?.code ?? null;
      stopping = true;
      clearInterval(sampler);
      if (exited) return (exited as { code: number | null }).code;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        try {
          process.kill(daemonPid, 'SIGKILL');
        } catch {
          // gone already
        }
      }, graceMs);
      await exit;
      clearTimeout(timer);
      return (exited as { code: number | null } | null)?.code ?? null;
    },
  };
}

/**
 * Every process under `pid`, from the kernel's per-thread children lists (cheap enough to read every
 * 20 ms, unlike a scan of /proc). Empty when the process is gone.
 */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  const visit = (parent: number) => {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${parent}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let list = '';
      try {
        list = readFileSync(`/proc/${parent}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of list.split(' ').filter(Boolean).map(Number)) {
        out.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return out;
}
