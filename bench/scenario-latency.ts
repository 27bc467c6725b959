import { withImapSession } from '../test/support/sandbox/imap-seed';
import { sleep } from '../test/support/sandbox/wait-until';
import { trackAnswers } from './answer-tracker';
import { pdfPadFor } from '../test/support/sample-mails';
import { benchRequest } from './bench-mail';
import { progress } from './bench-progress';
import { databaseCounts, scenarioPlace, waitForDaemonReady, type BenchSandbox } from './bench-sandbox';
import { startDaemonChild } from './daemon-child';
import { latencyBreakdown, type LatencySample } from './latency-breakdown';
import { collectProfile, loggedDatabaseUrl, logSize, type ProfileFindings, type Profiling } from './profiling';
import { mean, percentile } from './stats';
import { daemonEnv, mb } from './scenario-common';

export interface LatencyResult {
  n: number;
  pdfKb: number;
  /** Pause before each APPEND, so the daemon is back in IDLE. */
  gapMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
  /** The APPEND command alone (client side), median. */
  appendP50Ms: number;
  samplesMs: number[];
  peakRssMb: number;
  database: Awaited<ReturnType<typeof databaseCounts>>;
  /** With --spans: median time of each stage, from the daemon's timeline. */
  breakdownMs?: Record<string, number>;
  profile?: ProfileFindings;
}

/** The daemon idle in IDLE; requests appended one at a time; APPEND → answer at the SMTP sink. */
export async function runLatency(sandbox: BenchSandbox, opts: { n: number; pdfKb: number; gapMs?: number; profiling?: Profiling | null; extraEnv?: Record<string, string> }): Promise<LatencyResult> {
  const gapMs = opts.gapMs ?? 1000;
  const place = await scenarioPlace(sandbox, 'latency');
  try {
    const pad = pdfPadFor(opts.pdfKb * 1024);
    const requests = Array.from({ length: opts.n }, (_, index) => benchRequest({ tag: 'latency', index, pdfBytes: opts.pdfKb * 1024, pad }));
    sandbox.sink.clear();
    const tracker = trackAnswers(sandbox.sink, new Set(requests.map((r) => r.messageId)));
    const profiling = opts.profiling ?? null;
    const pgLogOffset = logSize(sandbox.postgres.logFile);
    const child = await startDaemonChild(daemonEnv(place, sandbox.sink, {
      DATABASE_URL: loggedDatabaseUrl(place.databaseUrl, profiling), ...opts.extraEnv,
    }));
    try {
      await waitForDaemonReady(place.sql, child);
      progress(`latency: daemon ready (pid ${child.daemonPid}); appending ${opts.n} requests, ${gapMs} ms apart`);
      const samples: number[] = [];
      const appendMs: number[] = [];
      const timings: LatencySample[] = [];
      await withImapSession(place.login, async (client) => {
        for (const [i, req] of requests.entries()) {
          await Promise.race([sleep(gapMs), child.died]);
          const t0 = Date.now();
          await client.append('INBOX', req.raw);
          const appendEnd = Date.now();
          appendMs.push(appendEnd - t0);
          const deadline = t0 + 60_000;
          let at: number | undefined;
          while ((tracker.poll(), (at = tracker.answeredAt(req.messageId))) === undefined) {
            if (Date.now() > deadline) throw new Error(`latency: request ${i} not answered within 60 s\n${child.stderrTail()}`);
            await Promise.race([sleep(5), child.died]);
          }
          samples.push(at - t0);
          timings.push({ appendStart: t0, appendEnd, answeredAt: at });
          if ((i + 1) % 10 === 0 || i + 1 === opts.n) {
            progress(`latency: ${i + 1}/${opts.n}, last ${at - t0} ms, p50 so far ${percentile(samples, 50)} ms`);
          }
        }
      });
      await sleep(300);
      tracker.poll();
      if (tracker.duplicates > 0) throw new Error(`latency: ${tracker.duplicates} duplicate answers`);
      const peak = child.hwmKb();
      await child.stop();
      const profile = profiling ? collectProfile(profiling, { logFile: sandbox.postgres.logFile, offset: pgLogOffset }, opts.n) : undefined;
      const breakdownMs = profile?.timeline ? latencyBreakdown(timings, profile.timeline) : undefined;
      if (profile) delete profile.timeline;
      return {
        n: opts.n, pdfKb: opts.pdfKb, gapMs,
        p50Ms: percentile(samples, 50), p95Ms: percentile(samples, 95), maxMs: Math.max(...samples), meanMs: mean(samples),
        appendP50Ms: percentile(appendMs, 50), samplesMs: samples, peakRssMb: mb(peak),
        database: await databaseCounts(place.sql),
        breakdownMs,
        profile,
      };
    } finally {
      await child.stop();
    }
  } finally {
    await place.close();
  }
}
