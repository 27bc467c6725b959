import { describe, expect, it } from 'vitest';
import { cpuSecondsBetween, descendantsOf, parseStat, parseStatusMemory, readMemory, type CpuSnapshot, type StatFields } from '../../bench/proc-stats';

const STATUS = `Name:\tnode
State:\tS (sleeping)
VmPeak:\t 1204848 kB
VmHWM:\t  270336 kB
VmRSS:\t  180224 kB
Threads:\t11
`;

describe('parseStatusMemory', () => {
  it('reads VmRSS and VmHWM', () => {
    expect(parseStatusMemory(STATUS)).toEqual({ rssKb: 180_224, hwmKb: 270_336 });
  });
  it('is null for a kernel thread (no Vm lines)', () => {
    expect(parseStatusMemory('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBeNull();
  });
  it('reads this process', () => {
    const m = readMemory(process.pid);
    expect(m?.rssKb).toBeGreaterThan(0);
    expect(m!.hwmKb).toBeGreaterThanOrEqual(m!.rssKb);
  });
});

describe('parseStat', () => {
  it('survives a comm with spaces and parentheses', () => {
    const line = '4242 (node (worker) 1) S 4200 4242 4242 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 11 0 1000 0 0';
    expect(parseStat(line)).toEqual({ pid: 4242, comm: 'node (worker) 1', state: 'S', ppid: 4200, pgrp: 4242, cpuTicks: 280, childTicks: 0 });
  });
  it('is null for garbage', () => {
    expect(parseStat('not a stat line')).toBeNull();
  });
});

const proc = (pid: number, ppid: number): StatFields => ({ pid, ppid, comm: 'node', state: 'S', pgrp: pid, cpuTicks: 0, childTicks: 0 });

describe('descendantsOf', () => {
  it('walks the whole tree, children first', () => {
    const list = [proc(1, 0), proc(10, 1), proc(11, 10), proc(12, 11), proc(20, 1), proc(13, 10)];
    expect(descendantsOf(10, list).map((p) => p.pid)).toEqual([11, 13, 12]);
  });
});

describe('cpuSecondsBetween', () => {
  it('subtracts pid by pid and counts new processes in full', () => {
    const before: CpuSnapshot = new Map([[1, { group: 'postgres', ticks: 100 }], [2, { group: 'other', ticks: 500 }]]);
    const after: CpuSnapshot = new Map([[1, { group: 'postgres', ticks: 150 }], [3, { group: 'daemon', ticks: 320 }]]);
    expect(cpuSecondsBetween(before, after)).toEqual({ daemon: 3.2, postgres: 0.5, dovecot: 0, bench: 0, other: 0 });
  });
});
