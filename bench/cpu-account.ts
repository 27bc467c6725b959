import { allProcesses, CLOCK_TICKS, machineCpu, type StatFields } from './proc-stats';

/**
 * CPU accounting for the issue-15 scenarios: per process tree, with the time of processes that ended
 * during the run. PostgreSQL forks a backend per connection and an autovacuum worker now and then;
 * when one ends, the postmaster reaps it and the kernel adds its CPU to the postmaster's cutime/cstime.
 * Summing only the live processes (as `cpuSecondsBetween` does) loses those. Pure but for `takeTicks`.
 */

export interface TickSnapshot {
  /** Every live process by pid. */
  procs: Map<number, StatFields>;
  /** Whole machine, jiffies (all cores). */
  machine: { busy: number; total: number };
  /** Date.now() when taken. */
  at: number;
}

export function takeTicks(): TickSnapshot {
  const procs = new Map<number, StatFields>();
  for (const p of allProcesses()) procs.set(p.pid, p);
  return { procs, machine: machineCpu(), at: Date.now() };
}

/** CPU seconds of a set of processes: their own time, and that of members that ended and were reaped by a member. */
export interface GroupCpu {
  /** utime + stime of the members alive at the end, over the window (a member started in it counts in full). */
  own: number;
  /**
   * Time of processes that ended in the window and were reaped by a member alive at the end (the growth
   * of the members' cutime + cstime), less what those processes had already used before the window.
   */
  reaped: number;
}

export function groupCpu(before: TickSnapshot, after: TickSnapshot, isMember: (p: StatFields, snap: TickSnapshot) => boolean): GroupCpu {
  let own = 0;
  let reaped = 0;
  for (const p of after.procs.values()) {
    if (!isMember(p, after)) continue;
    const then = before.procs.get(p.pid);
    own += Math.max(0, p.cpuTicks - (then?.cpuTicks ?? 0));
    reaped += Math.max(0, p.childTicks - (then?.childTicks ?? 0));
  }
  // A member that ended in the window: its whole life is in its parent's cutime growth; take off
  // what it had used before the window.
  for (const p of before.procs.values()) {
    if (after.procs.has(p.pid) || !isMember(p, before)) continue;
    const parent = after.procs.get(p.ppid);
    if (parent && isMember(parent, after)) reaped -= p.cpuTicks + p.childTicks;
  }
  return { own: own / CLOCK_TICKS, reaped: Math.max(0, reaped) / CLOCK_TICKS };
}

/** Is `p` the process `root` or one of its descendants, in `snap`? */
export function inTreeOf(root: number | undefined, p: StatFields, snap: TickSnapshot): boolean {
  if (root === undefined) return false;
  for (let cur: StatFields | undefined = p, hops = 0; cur && hops < 64; cur = snap.procs.get(cur.ppid), hops += 1) {
    if (cur.pid === root) return true;
    if (cur.ppid === 0 || cur.ppid === cur.pid) return false;
  }
  return false;
}

export interface RunCpu {
  /** The measured processes themselves (liquibot's daemons, or the floor): user + sys. */
  daemon: number;
  /** Their child processes (liquibot's document readers), live or reaped. */
  daemonChildren: number;
  /** The sandbox's PostgreSQL: postmaster, backends (those that ended too), background workers. */
  postgres: number;
  /** The sandbox's Dovecot: master, imap and helper processes. */
  dovecot: number;
  /** The bench process (the SMTP sink runs in it). */
  bench: number;
  /** Everything else the machine did (other engineers' work): its busy time less the above. */
  other: number;
  wallSeconds: number;
  /** Cores' worth of the other work on average over the run (0..nproc). */
  otherCores: number;
}

/** CPU seconds per party between two snapshots; roots are the sandbox servers' master pids. */
export function runCpu(before: TickSnapshot, after: TickSnapshot, who: { daemonPids: readonly number[]; benchPid: number; postmasterPid?: number; dovecotPid?: number }): RunCpu {
  const isDaemon = (p: StatFields) => who.daemonPids.includes(p.pid);
  const daemon = groupCpu(before, after, isDaemon);
  const children = groupCpu(before, after, (p, s) => !isDaemon(p) && who.daemonPids.some((d) => inTreeOf(d, p, s)));
  const pg = groupCpu(before, after, (p, s) => inTreeOf(who.postmasterPid, p, s));
  const dc = groupCpu(before, after, (p, s) => inTreeOf(who.dovecotPid, p, s));
  const bench = groupCpu(before, after, (p) => p.pid === who.benchPid);
  const ours = daemon.own + daemon.reaped + children.own + children.reaped + pg.own + pg.reaped + dc.own + dc.reaped + bench.own;
  const busy = (after.machine.busy - before.machine.busy) / CLOCK_TICKS;
  const wallSeconds = (after.at - before.at) / 1000;
  const other = Math.max(0, busy - ours);
  return {
    daemon: daemon.own,
    daemonChildren: daemon.reaped + children.own + children.reaped,
    postgres: pg.own + pg.reaped,
    dovecot: dc.own + dc.reaped,
    bench: bench.own,
    other,
    wallSeconds,
    otherCores: wallSeconds > 0 ? other / wallSeconds : 0,
  };
}
