import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  ramMb: number;
  cpu: string;
  node: string;
}

/** What the figures were measured on. */
export function machineInfo(): MachineInfo {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  return { nproc: availableParallelism(), ramMb: Math.round(totalmem() / 1024 / 1024), cpu, node: process.version };
}
