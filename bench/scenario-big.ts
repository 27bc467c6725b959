import { withImapSession } from '../test/support/sandbox/imap-seed';
import { sleep } from '../test/support/sandbox/wait-until';
import { trackAnswers } from './answer-tracker';
import { benchRequest } from './bench-mail';
import { progress } from './bench-progress';
import { databaseCounts, scenarioPlace, waitForDaemonReady, type BenchSandbox } from './bench-sandbox';
import { startDaemonChild } from './daemon-child';
import { collectProfile, type ProfileFindings, type Profiling } from './profiling';
import { daemonEnv, mb, waitForOutboxEmpty } from './scenario-common';

export interface BigResult {
  attachmentMb: number;
  messageMb: number;
  /** MAX_MESSAGE_BYTES given to the daemon for this run (the default, 50 MiB, is below the message). */
  maxMessageBytes: number;
  /** RSS of the daemon idle in IDLE, before the message arrives. */
  idleRssMb: number;
  peakRssMb: number;
  sampledPeakRssMb: number;
  /** The daemon and its document readers together (sum of VmRSS, sampled every 20 ms). */
  treePeakRssMb: number;
  /** The largest document reader process (VmHWM); 0 when no reader ran. */
  readerPeakRssMb: number;
  /** APPEND → answer at the SMTP sink. */
  seconds: number;
  /** APPEND → every mail sent (the approval request forwards the document to the agents). */
  allMailSeconds: number;
  database: Awaited<ReturnType<typeof databaseCounts>>;
  profile?: ProfileFindings;
}

/** The daemon idle, then one request with a big PDF appended; peak RSS while it is processed. */
export async function runBig(sandbox: BenchSandbox, opts: { attachmentMb: number; profiling?: Profiling | null; extraEnv?: Record<string, string> }): Promise<BigResult> {
  const place = await scenarioPlace(sandbox, 'big');
  try {
    const req = benchRequest({ tag: 'big', index: 0, pdfBytes: opts.attachmentMb * 1024 * 1024 });
    const maxMessageBytes = Math.max(50 * 1024 * 1024, req.raw.length * 2);
    sandbox.sink.clear();
    const tracker = trackAnswers(sandbox.sink, new Set([req.messageId]));
    const child = await startDaemonChild(daemonEnv(place, sandbox.sink, { MAX_MESSAGE_BYTES: String(maxMessageBytes), ...opts.extraEnv }), { sampleMs: 20 });
    try {
      await waitForDaemonReady(place.sql, child);
      await Promise.race([sleep(1500), child.died]);
      const idle = child.rssKb().daemon;
      progress(`memory-big: daemon idle at ${mb(idle).toFixed(0)} MB RSS; appending a ${(req.raw.length / 1024 / 1024).toFixed(1)} MB message`);
      let t0 = 0;
      await withImapSession(place.login, async (client) => {
        t0 = Date.now();
        await client.append('INBOX', req.raw);
      });
      const deadline = t0 + 180_000;
      while ((tracker.poll(), tracker.answeredAt(req.messageId)) === undefined) {
        if (Date.now() > deadline) throw new Error(`memory-big: no answer within 180 s\n${child.stderrTail()}`);
        await Promise.race([sleep(10), child.died]);
      }
      const seconds = (tracker.answeredAt(req.messageId)! - t0) / 1000;
      if (!(await waitForOutboxEmpty(place.sql, child, 180_000))) progress('memory-big: the outbox still had mail after 180 s');
      tracker.poll();
      const allMailSeconds = ((tracker.lastAnyAt() ?? t0) - t0) / 1000;
      // The flag and the end of the pass may come after the last mail: let them finish before reading the peak.
      await sleep(1000);
      const hwm = child.hwmKb();
      const sampled = child.sampledPeakKb();
      await child.stop();
      return {
        attachmentMb: opts.attachmentMb, messageMb: req.raw.length / 1024 / 1024, maxMessageBytes,
        idleRssMb: mb(idle), peakRssMb: mb(hwm), sampledPeakRssMb: mb(sampled), seconds, allMailSeconds,
        treePeakRssMb: mb(child.treePeakKb()), readerPeakRssMb: mb(child.readerPeakKb()),
        database: await databaseCounts(place.sql),
        profile: opts.profiling ? collectProfile(opts.profiling, { logFile: sandbox.postgres.logFile, offset: 0 }, 1) : undefined,
      };
    } finally {
      await child.stop();
    }
  } finally {
    await place.close();
  }
}
