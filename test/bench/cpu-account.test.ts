import { describe, expect, it } from 'vitest';
import { groupCpu, inTreeOf, runCpu, type TickSnapshot } from '../../bench/cpu-account';
import type { StatFields } from '../../bench/proc-stats';

const p = (pid: number, ppid: number, cpuTicks: number, childTicks = 0, comm = 'postgres'): StatFields => ({ pid, ppid, comm, state: 'S', pgrp: pid, cpuTicks, childTicks });
const snap = (procs: StatFields[], busy = 0, at = 0): TickSnapshot => ({ procs: new Map(procs.map((x) => [x.pid, x])), machine: { busy, total: busy }, at });

// A postmaster (10) with two backends (11, 12) under init (1); the bench is 2, the daemon 20.
const before = snap([p(1, 0, 0, 0, 'init'), p(2, 1, 500, 0, 'node'), p(10, 1, 100, 40), p(11, 10, 30), p(12, 10, 20), p(20, 2, 0, 0, 'node')], 1000, 0);

describe('groupCpu', () => {
  it('counts the backends that ended through the postmaster\'s cutime, less what they had used before', () => {
    // Backend 11 used 30 more ticks and ended (reaped: the postmaster's children grew by 60 = its 60 in all);
    // backend 13 started and ended within the run (25 ticks, reaped too); 12 is still there with 50 more.
    const after = snap([p(1, 0, 0, 0, 'init'), p(2, 1, 520, 0, 'node'), p(10, 1, 110, 40 + 60 + 25), p(12, 10, 70), p(20, 2, 300, 0, 'node')], 2000, 10_000);
    const pg = groupCpu(before, after, (x, s) => inTreeOf(10, x, s));
    expect(pg.own).toBeCloseTo((10 + 50) / 100);
    expect(pg.reaped).toBeCloseTo((60 + 25 - 30) / 100);
  });

  it('counts a process started during the run in full', () => {
    const after = snap([p(1, 0, 0, 0, 'init'), p(10, 1, 100, 40), p(11, 10, 30), p(12, 10, 20), p(14, 10, 45)]);
    expect(groupCpu(before, after, (x, s) => inTreeOf(10, x, s))).toEqual({ own: 0.45, reaped: 0 });
  });
});

describe('inTreeOf', () => {
  it('walks up the parents', () => {
    const s = snap([p(1, 0, 0), p(10, 1, 0), p(11, 10, 0), p(30, 11, 0)]);
    expect(inTreeOf(10, s.procs.get(30)!, s)).toBe(true);
    expect(inTreeOf(11, s.procs.get(10)!, s)).toBe(false);
    expect(inTreeOf(undefined, s.procs.get(10)!, s)).toBe(false);
  });
});

describe('runCpu', () => {
  it('splits the machine between the daemon, PostgreSQL, the bench and the rest', () => {
    // Machine busy 1000 ticks more over 10 s; ours: daemon 300, its reader 50, PostgreSQL 60, bench 20.
    const after = snap([p(1, 0, 0, 0, 'init'), p(2, 1, 520, 0, 'node'), p(10, 1, 110, 40), p(11, 10, 60), p(12, 10, 40), p(20, 2, 300, 0, 'node'), p(21, 20, 50, 0, 'node')], 2000, 10_000);
    const cpu = runCpu(before, after, { daemonPids: [20], benchPid: 2, postmasterPid: 10 });
    expect(cpu).toMatchObject({ daemon: 3, daemonChildren: 0.5, postgres: 0.6, dovecot: 0, bench: 0.2, wallSeconds: 10 });
    expect(cpu.other).toBeCloseTo(10 - 3 - 0.5 - 0.6 - 0.2);
    expect(cpu.otherCores).toBeCloseTo(0.57);
  });
});
