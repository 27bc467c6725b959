import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  ramMb: number;
  cpu: string;
  node: string;
  /** 1-minute load average when the run started and when it ended: other work on the machine skews every figure. */
  loadAvg1m: { start: number; end: number };
}

/** The 1-minute load average now. */
export function loadAvg1m(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** What the figures were measured on. */
export function machineInfo(loadAtStart: number): MachineInfo {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  return { nproc: availableParallelism(), ramMb: Math.round(totalmem() / 1024 / 1024), cpu, node: process.version, loadAvg1m: { start: loadAtStart, end: loadAvg1m() } };
}
