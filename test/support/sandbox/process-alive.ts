import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './wait-until';

/**
 * True when a process with this pid exists and is not a zombie. Daemons (postmaster, dovecot)
 * are re-parented to pid 1, and in containers pid 1 may reap late: an exited server then
 * stays a zombie for a second or more, which `kill(pid, 0)` alone reports as alive.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM means it exists but belongs to someone we may not signal.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // Format: "pid (comm) S ..."; comm may contain spaces and parentheses, so split at the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // No /proc (not Linux): trust kill(0).
  }
}

/** The pid on the first line of a pid file (postmaster.pid, master.pid), or undefined. */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Send `signal` to `pid` and wait for it to exit; escalate to SIGKILL after `graceMs`.
 * Returns once the process is gone (or was never there).
 */
export async function killAndWait(pid: number, signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
  if (!isProcessAlive(pid) || !trySignal(pid, signal)) return;
  const deadline = Date.now() + graceMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      trySignal(pid, 'SIGKILL');
      await sleep(100);
      return;
    }
    await sleep(25);
  }
}

/** Send a signal, ignoring "no such process". Returns false when the process was gone. */
export function trySignal(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Live (non-zombie) members of a process group, from /proc; empty where /proc is missing. */
export function processGroupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "(comm) ": state ppid pgrp ...
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z' && Number(group) === pgid) members.push(Number(entry));
    } catch {
      // The process went away while we looked.
    }
  }
  return members;
}

/**
 * Terminate what is left of a daemon's process group (the daemon called setsid, so its pid is
 * the group id): SIGTERM, then SIGKILL after `graceMs`.
 */
export async function killProcessGroup(pgid: number, graceMs = 2_000): Promise<void> {
  if (processGroupMembers(pgid).length === 0) return;
  trySignalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processGroupMembers(pgid).length > 0) {
    if (Date.now() > deadline) {
      trySignalGroup(pgid, 'SIGKILL');
      return;
    }
    await sleep(25);
  }
}

function trySignalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}
