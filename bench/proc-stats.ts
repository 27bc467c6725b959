import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux /proc readings for the benchmark: a process's resident memory (current and peak),
 * its CPU time, its descendants, and CPU time per server group. Parsing is kept pure.
 */

export interface MemoryReading {
  /** Current resident set, KiB. */
  rssKb: number;
  /** High-water mark of the resident set since the process started, KiB (the kernel keeps it). */
  hwmKb: number;
}

/** VmRSS and VmHWM out of a /proc/PID/status text. */
export function parseStatusMemory(status: string): MemoryReading | null {
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!rss || !hwm) return null;
  return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
}

export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** cutime + cstime: CPU of the children this process has waited for (exited and reaped), in clock ticks. */
  childTicks: number;
}

/** The fields we need out of a /proc/PID/stat line (comm may hold spaces and parentheses). */
export function parseStat(line: string): StatFields | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = line.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  if (rest.length < 13) return null;
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    state: rest[0]!,
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
    childTicks: (Number(rest[13]) || 0) + (Number(rest[14]) || 0),
  };
}

/** Clock ticks per second of /proc's CPU counters: 100 on every Linux we run on. */
export const CLOCK_TICKS = 100;

export function readMemory(pid: number): MemoryReading | null {
  try {
    return parseStatusMemory(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

export function readStat(pid: number): StatFields | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function readCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Every live process, as parsed stat lines. */
export function allProcesses(): StatFields[] {
  const out: StatFields[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && stat.state !== 'Z') out.push(stat);
  }
  return out;
}

/** Descendants of `root` (children first, then theirs), out of a process list. */
export function descendantsOf(root: number, processes: readonly StatFields[]): StatFields[] {
  const out: StatFields[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = processes.filter((p) => frontier.includes(p.ppid));
    out.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return out;
}

export type CpuGroup = 'daemon' | 'postgres' | 'dovecot' | 'bench' | 'other';

/** CPU ticks of every live process with its group, to subtract two snapshots pid by pid. */
export type CpuSnapshot = Map<number, { group: CpuGroup; ticks: number }>;

export function cpuSnapshot(opts: { daemonPids: readonly number[]; benchPid: number }): CpuSnapshot {
  const snap: CpuSnapshot = new Map();
  for (const p of allProcesses()) snap.set(p.pid, { group: groupOf(p, opts), ticks: p.cpuTicks });
  return snap;
}

/**
 * CPU seconds per group between two snapshots. A process that started in between counts in full;
 * one that ended in between is lost (short-lived processes are rare here: servers keep theirs).
 */
export function cpuSecondsBetween(before: CpuSnapshot, after: CpuSnapshot): Record<CpuGroup, number> {
  const totals: Record<CpuGroup, number> = { daemon: 0, postgres: 0, dovecot: 0, bench: 0, other: 0 };
  for (const [pid, now] of after) {
    const then = before.get(pid)?.ticks ?? 0;
    totals[now.group] += Math.max(0, now.ticks - then) / CLOCK_TICKS;
  }
  return totals;
}

function groupOf(p: StatFields, opts: { daemonPids: readonly number[]; benchPid: number }): CpuGroup {
  if (opts.daemonPids.includes(p.pid)) return 'daemon';
  if (p.pid === opts.benchPid) return 'bench';
  if (p.comm === 'postgres' || p.comm === 'postmaster') return 'postgres';
  if (['dovecot', 'imap', 'imap-login', 'auth', 'anvil', 'log', 'config', 'stats'].includes(p.comm)) return 'dovecot';
  return 'other';
}

/** Busy and total jiffies of the whole machine, from /proc/stat's first line. */
export function machineCpu(): { busy: number; total: number } {
  const first = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const fields = first.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}
