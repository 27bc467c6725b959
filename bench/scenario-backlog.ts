import { DONE_KEYWORD } from '../src/mail/mailbox-watcher';
import { trackAnswers } from './answer-tracker';
import { benchRequests } from './bench-mail';
import { progress } from './bench-progress';
import { databaseCounts, scenarioPlace, syncMailbox, unflaggedCount, type BenchSandbox } from './bench-sandbox';
import { startDaemonChild } from './daemon-child';
import { dropIntoMaildir } from './maildir-drop';
import { cpuSecondsBetween, cpuSnapshot, machineCpu, type CpuGroup } from './proc-stats';
import { collectProfile, loggedDatabaseUrl, logSize, type ProfileFindings, type Profiling } from './profiling';
import { rawFetch, type RawFetchResult } from './raw-fetch';
import { daemonEnv, mb, waitForAnswers, waitForOutboxEmpty } from './scenario-common';

export interface BacklogResult {
  n: number;
  pdfKb: number;
  /** Average raw message size, KiB. */
  messageKb: number;
  setupSeconds: number;
  /** Spawn of bin/liquibot → last answer (acknowledgment to a requester) received by the SMTP sink. */
  seconds: number;
  /** Spawn → the outbox is empty and the sink has every mail (approval requests to the agents included). */
  allMailSeconds: number;
  /** Mail received besides the answers: approval requests to the agents (and anything unexpected). */
  otherMails: number;
  toAgents: number;
  rate: number;
  /** Spawn → first answer (start-up, migration, login, first message). */
  firstAnswerSeconds: number;
  /** Rate between the first and the last answer (start-up excluded). */
  steadyRate: number;
  peakRssMb: number;
  sampledPeakRssMb: number;
  launcherRssMb: number;
  /** CPU seconds per group over the run (daemon = the node process running liquibot). */
  cpuSeconds: Record<CpuGroup, number>;
  /** Share of the machine's CPU capacity that was busy, 0..1 (2 cores = 1.0 when both are full). */
  machineBusy: number;
  answered: number;
  duplicates: number;
  strays: number;
  unflagged: number;
  database: Awaited<ReturnType<typeof databaseCounts>>;
  raw?: { range: RawFetchResult; perUid: RawFetchResult };
  profile?: ProfileFindings;
}

/**
 * N requests already in the mailbox when the daemon starts; time until every one is answered.
 * With `raw`, first measure imapflow fetching the same messages with no processing.
 */
export async function runBacklog(sandbox: BenchSandbox, opts: {
  label: string; n: number; pdfKb: number; raw: boolean; extraEnv?: Record<string, string>; profiling?: Profiling | null;
}): Promise<BacklogResult> {
  const place = await scenarioPlace(sandbox, opts.label);
  try {
    const setupStart = performance.now();
    const ids: string[] = [];
    let dropped = 0;
    const every = Math.max(100, Math.floor(opts.n / 10));
    const { bytes } = dropIntoMaildir(place.maildir, benchRequests(opts.label, opts.n, opts.pdfKb * 1024, ids), sandbox.mailOwner, (d) => {
      dropped = d;
      if (d % every === 0) progress(`${opts.label}: ${d}/${opts.n} messages written to the Maildir`);
    });
    const exists = await syncMailbox(place.login);
    if (exists !== opts.n) throw new Error(`${opts.label}: Dovecot sees ${exists} messages, ${dropped} were dropped`);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    progress(`${opts.label}: setup ${setupSeconds.toFixed(1)} s (${opts.n} messages, ${(bytes / 1024 / 1024).toFixed(0)} MB, indexed by Dovecot)`);

    let raw: BacklogResult['raw'];
    if (opts.raw) {
      const range = await rawFetch(place.login, 'range');
      progress(`${opts.label}: raw FETCH 1:* ${range.messages} sources in ${range.seconds.toFixed(2)} s (${range.rate.toFixed(0)}/s)`);
      const perUid = await rawFetch(place.login, 'per-uid');
      progress(`${opts.label}: raw fetchOne per UID ${perUid.messages} sources in ${perUid.seconds.toFixed(2)} s (${perUid.rate.toFixed(0)}/s)`);
      raw = { range, perUid };
    }

    sandbox.sink.clear();
    const tracker = trackAnswers(sandbox.sink, new Set(ids));
    progress(`${opts.label}: starting bin/liquibot run`);
    const cpu0 = machineCpu();
    // Before the spawn: the daemon's processes are new in the second snapshot and count in full.
    const cpuBefore = cpuSnapshot({ daemonPids: [], benchPid: process.pid });
    const startedAt = Date.now();
    const profiling = opts.profiling ?? null;
    const pgLogOffset = logSize(sandbox.postgres.logFile);
    const child = await startDaemonChild(daemonEnv(place, sandbox.sink, {
      DATABASE_URL: loggedDatabaseUrl(place.databaseUrl, profiling), ...opts.extraEnv,
    }));
    try {
      await waitForAnswers({ label: opts.label, tracker, n: opts.n, child, startedAt });
      progress(`${opts.label}: every request answered after ${((Date.now() - startedAt) / 1000).toFixed(1)} s; waiting for the outbox to empty`);
      if (!(await waitForOutboxEmpty(place.sql, child))) progress(`${opts.label}: the outbox still had mail after 120 s`);
      // With DOCUMENT_READING on, each approval request waits for its document's reading: the drain ends
      // when every request reached the agents (bounded), then the outbox is empty again.
      const readingEnd = Date.now() + 300_000;
      for (tracker.poll(); tracker.toAgents < opts.n && Date.now() < readingEnd; tracker.poll()) await new Promise((r) => setTimeout(r, 100));
      if (tracker.toAgents < opts.n) progress(`${opts.label}: only ${tracker.toAgents}/${opts.n} approval requests after the readings' 300 s`);
      await waitForOutboxEmpty(place.sql, child);
      tracker.poll();
      const cpuAfter = cpuSnapshot({ daemonPids: child.pids(), benchPid: process.pid });
      const cpu1 = machineCpu();
      // Late duplicates would show up here; give the outbox a moment.
      await new Promise((r) => setTimeout(r, 500));
      tracker.poll();
      const last = tracker.lastAt()!;
      const first = tracker.firstAt()!;
      const hwm = child.hwmKb();
      if (child.exitedOnItsOwn()) throw new Error(`${opts.label}: liquibot exited on its own (${child.exitedOnItsOwn()}) before the end:\n${child.stderrTail()}`);
      const sampled = child.sampledPeakKb();
      const launcher = child.rssKb().launcher;
      const code = await child.stop();
      if (code !== 0) progress(`${opts.label}: liquibot exited with ${code}`);
      const cpuSeconds = cpuSecondsBetween(cpuBefore, cpuAfter);
      const seconds = (last - startedAt) / 1000;
      return {
        n: opts.n,
        pdfKb: opts.pdfKb,
        messageKb: bytes / opts.n / 1024,
        setupSeconds,
        seconds,
        allMailSeconds: ((tracker.lastAnyAt() ?? last) - startedAt) / 1000,
        otherMails: tracker.strays,
        toAgents: tracker.toAgents,
        rate: opts.n / seconds,
        firstAnswerSeconds: (first - startedAt) / 1000,
        steadyRate: opts.n > 1 && last > first ? (opts.n - 1) / ((last - first) / 1000) : Number.NaN,
        peakRssMb: mb(hwm),
        sampledPeakRssMb: mb(sampled),
        launcherRssMb: mb(launcher),
        cpuSeconds,
        machineBusy: (cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total),
        answered: tracker.answered,
        duplicates: tracker.duplicates,
        strays: tracker.strays,
        unflagged: await unflaggedCount(place.login, DONE_KEYWORD),
        database: await databaseCounts(place.sql),
        raw,
        profile: profiling ? collectProfile(profiling, { logFile: sandbox.postgres.logFile, offset: pgLogOffset }, opts.n) : undefined,
      };
    } finally {
      await child.stop();
    }
  } finally {
    await place.close();
  }
}
