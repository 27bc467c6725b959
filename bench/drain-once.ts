import { rmSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { readPidFile } from '../test/support/sandbox/process-alive';
import { sleep } from '../test/support/sandbox/wait-until';
import { trackAnswers } from './answer-tracker';
import { progress } from './bench-progress';
import { scenarioPlace, syncMailbox, type BenchSandbox, type ScenarioPlace } from './bench-sandbox';
import { runCpu, takeTicks, type RunCpu } from './cpu-account';
import type { MeasuredProcess } from './floor/floor-child';
import { loadAvg1m } from './machine-info';
import { dropIntoMaildir } from './maildir-drop';

/** The same mailbox bytes for every run of a scenario: built once, dropped into a fresh Maildir each time. */
export interface MailboxBytes {
  messages: readonly Buffer[];
  /** Message-IDs of the requests: the answers thread on them. */
  ids: ReadonlySet<string>;
  bytes: number;
}

export interface DrainRun {
  label: string;
  n: number;
  /** Start of the first process → last answer to a requester. */
  seconds: number;
  rate: number;
  /** Start → every mail received, the approval requests to the agents included. */
  allMailSeconds: number;
  firstAnswerSeconds: number;
  cpu: RunCpu;
  /** CPU ms per request: the measured processes (user + sys), PostgreSQL, and both plus Dovecot and the children. */
  perRequestMs: { daemon: number; postgres: number; total: number };
  /** The same from the first answer on (start-up, migrations and login left out), over n − 1 requests. */
  steady: { rate: number; perRequestMs: { daemon: number; postgres: number; total: number } } | null;
  /** 1-minute load average at the start and at the end of the run. */
  load1m: { start: number; end: number };
  answered: number;
  duplicates: number;
  toAgents: number;
  /** Messages left without the process's done mark (must be 0). */
  unflagged: number;
  peakRssMb: number[];
}

const pidOf = (file: string): number | undefined => readPidFile(file);

/**
 * One drain: the mailbox bytes into a fresh Maildir and database, then `start` the processes under
 * measure and time until every request has its answer and its approval request. CPU is taken from
 * /proc just before the start and as soon as the last mail is in; nothing of the bench touches the
 * database in between (PostgreSQL's CPU is then the processes' alone).
 */
export async function drainOnce(sandbox: BenchSandbox, opts: {
  label: string;
  mailbox: MailboxBytes;
  start: (place: ScenarioPlace) => Promise<MeasuredProcess[]>;
  /** Messages not yet marked done in one folder, read after the run. */
  unflagged: (place: ScenarioPlace, folder: string) => Promise<number>;
  /**
   * The folders of the scenario's account the messages are dealt into, in turn (message i into folder
   * i mod the count): several mailboxes on one database. Default INBOX alone.
   */
  folders?: readonly string[];
  stallMs?: number;
}): Promise<DrainRun> {
  const place = await scenarioPlace(sandbox, opts.label);
  const n = opts.mailbox.messages.length;
  const folders = opts.folders ?? ['INBOX'];
  const procs: MeasuredProcess[] = [];
  try {
    folders.forEach((folder, f) => {
      // Maildir++: INBOX is the root, another folder a dot-directory beside cur/ and new/.
      const dir = folder === 'INBOX' ? place.maildir : join(place.maildir, `.${folder}`);
      dropIntoMaildir(dir, opts.mailbox.messages.filter((_, i) => i % folders.length === f), sandbox.mailOwner);
    });
    let exists = 0;
    for (const folder of folders) exists += await syncMailbox(place.login, folder);
    if (exists !== n) throw new Error(`${opts.label}: Dovecot sees ${exists} messages, ${n} were dropped`);
    sandbox.sink.clear();
    const tracker = trackAnswers(sandbox.sink, opts.mailbox.ids);
    // Let the indexing's writes settle before the clock starts.
    await sleep(300);
    const postmasterPid = pidOf(join(sandbox.postgres.dataDir, 'postmaster.pid'));
    const dovecotPid = pidOf(join(sandbox.dovecot.baseDir, 'run', 'master.pid'));
    const load0 = loadAvg1m();
    const before = takeTicks();
    const startedAt = before.at;
    procs.push(...(await opts.start(place)));
    const died = Promise.race(procs.map((p) => p.died));
    died.catch(() => {});
    const stallMs = opts.stallMs ?? 120_000;
    let last = -1;
    let lastChange = Date.now();
    let lastPrint = Date.now();
    let atFirst: ReturnType<typeof takeTicks> | null = null;
    for (;;) {
      const count = tracker.poll();
      if (count > 0 && !atFirst) atFirst = takeTicks();
      if (count >= n && tracker.toAgents >= n) break;
      const progressNow = count + tracker.toAgents;
      const now = Date.now();
      if (progressNow !== last) {
        last = progressNow;
        lastChange = now;
      } else if (now - lastChange > stallMs) {
        throw new Error(`${opts.label}: stalled at ${count}/${n} answered, ${tracker.toAgents}/${n} to the agents for ${stallMs / 1000} s\n${procs.map((p) => p.stderrTail()).join('\n')}`);
      }
      if (now - lastPrint >= 5000) {
        lastPrint = now;
        progress(`${opts.label}: ${count}/${n} answered, ${tracker.toAgents} to the agents after ${((now - startedAt) / 1000).toFixed(0)} s`);
      }
      await Promise.race([sleep(20), died]);
    }
    const after = takeTicks();
    const load1 = loadAvg1m();
    const peakRssMb = procs.map((p) => p.hwmKb() / 1024);
    await sleep(300);
    tracker.poll();
    const who = { daemonPids: procs.flatMap((p) => p.pids()), benchPid: process.pid, postmasterPid, dovecotPid };
    const cpu = runCpu(before, after, who);
    const steadyCpu = atFirst && n > 1 ? runCpu(atFirst, after, who) : null;
    let unflagged = 0;
    for (const folder of folders) unflagged += await opts.unflagged(place, folder);
    const lastAt = tracker.lastAt()!;
    const seconds = (lastAt - startedAt) / 1000;
    const ms = (s: number, per = n) => (s * 1000) / per;
    const perRequest = (c: RunCpu, per: number) => ({ daemon: ms(c.daemon, per), postgres: ms(c.postgres, per), total: ms(c.daemon + c.daemonChildren + c.postgres + c.dovecot, per) });
    const firstAt = tracker.firstAt() ?? lastAt;
    return {
      label: opts.label,
      n,
      seconds,
      rate: n / seconds,
      allMailSeconds: ((tracker.lastAnyAt() ?? lastAt) - startedAt) / 1000,
      firstAnswerSeconds: (firstAt - startedAt) / 1000,
      cpu,
      perRequestMs: perRequest(cpu, n),
      steady: steadyCpu && lastAt > firstAt ? { rate: (n - 1) / ((lastAt - firstAt) / 1000), perRequestMs: perRequest(steadyCpu, n - 1) } : null,
      load1m: { start: load0, end: load1 },
      answered: tracker.answered,
      duplicates: tracker.duplicates,
      toAgents: tracker.toAgents,
      unflagged,
      peakRssMb,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop().catch(() => null)));
    await place.close();
    await dropPlace(sandbox, place);
  }
}

/** A drain of 1000 × 206 KiB leaves 200 MB in the Maildir and as much in the database: give them back. */
async function dropPlace(sandbox: BenchSandbox, place: ScenarioPlace): Promise<void> {
  rmSync(place.maildir, { recursive: true, force: true });
  const name = decodeURIComponent(new URL(place.databaseUrl).pathname.slice(1));
  const sql = postgres(sandbox.postgres.url(), { max: 1, onnotice: () => {} });
  try {
    await sql`drop database if exists ${sql(name)} with (force)`;
  } catch {
    // a leftover database costs disk only
  } finally {
    await sql.end({ timeout: 5 });
  }
}
