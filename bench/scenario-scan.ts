import { scannedJudgment } from '../test/support/documents/corpus';
import { buildRequestMail } from '../test/support/sample-mails';
import { withImapSession } from '../test/support/sandbox/imap-seed';
import { sleep } from '../test/support/sandbox/wait-until';
import { trackAnswers } from './answer-tracker';
import { progress } from './bench-progress';
import { databaseCounts, scenarioPlace, waitForDaemonReady, type BenchSandbox } from './bench-sandbox';
import { startDaemonChild } from './daemon-child';
import { daemonEnv, mb, waitForOutboxEmpty } from './scenario-common';

const AGENTS = 'agents@support.example.fr';

export interface ScanResult {
  pages: number;
  pdfMb: number;
  /** DOCUMENT_MAX_OCR_PAGES given to the daemon (pages past it are not read). */
  maxOcrPages: number;
  /** The daemon's own process: kernel high-water mark and sampled peak. */
  daemonPeakRssMb: number;
  /** The daemon and its document readers together (sum of VmRSS, sampled every 20 ms). */
  treePeakRssMb: number;
  /** The largest reader process (VmHWM). */
  readerPeakRssMb: number;
  /** APPEND → acknowledgment at the SMTP sink (never waits for the reading). */
  ackSeconds: number;
  /** APPEND → every mail sent: the approval request waits for the reading. */
  allMailSeconds: number;
  /** What the approval request said of the document (tickets.check's reading summary). */
  reading: { status: string; method?: string; pages?: number; pagesRead?: number; reason?: string; siren?: string | null } | null;
  database: Awaited<ReturnType<typeof databaseCounts>>;
}

/**
 * Issue 11: one request whose court document is a `pages`-page scan, read by OCR with the daemon's
 * bounds. Peak memory of the daemon alone and of the daemon with its readers, and how long the
 * acknowledgment and the approval request take.
 */
export async function runScan(sandbox: BenchSandbox, opts: { pages: number; maxOcrPages?: number; extraEnv?: Record<string, string> }): Promise<ScanResult> {
  const pdf = await scannedJudgment(opts.pages);
  const maxOcrPages = opts.maxOcrPages ?? 5;
  const place = await scenarioPlace(sandbox, 'scan');
  try {
    const messageId = `<bench-scan-${Date.now()}@custhelp.example.net>`;
    const raw = Buffer.from(buildRequestMail({
      from: 'etude@mandataires-scan.example.fr', fromName: 'Maître Scan', messageId,
      attachment: { filename: 'minutes-greffe-scan.pdf', content: pdf, contentType: 'application/pdf' },
    }), 'utf8');
    sandbox.sink.clear();
    const tracker = trackAnswers(sandbox.sink, new Set([messageId]));
    const child = await startDaemonChild(daemonEnv(place, sandbox.sink, {
      AGENTS_ADDRESS: AGENTS,
      DOCUMENT_READING: 'true',
      DOCUMENT_MAX_OCR_PAGES: String(maxOcrPages),
      // the approval request waits for the whole reading, however long: the figure is the reading's
      DOCUMENT_APPROVAL_WAIT_MS: '600000',
      DOCUMENT_READ_TIMEOUT_MS: '600000',
      ...opts.extraEnv,
    }), { sampleMs: 20 });
    try {
      await waitForDaemonReady(place.sql, child);
      await Promise.race([sleep(1500), child.died]);
      progress(`memory-scan: appending a ${opts.pages}-page scan (${(pdf.length / 2 ** 20).toFixed(1)} MB PDF), ${maxOcrPages} pages read by OCR at most`);
      let t0 = 0;
      await withImapSession(place.login, async (client) => {
        t0 = Date.now();
        await client.append('INBOX', raw);
      });
      const deadline = t0 + 600_000;
      while ((tracker.poll(), tracker.answeredAt(messageId)) === undefined) {
        if (Date.now() > deadline) throw new Error(`memory-scan: no acknowledgment within 600 s\n${child.stderrTail()}`);
        await Promise.race([sleep(10), child.died]);
      }
      const ackSeconds = (tracker.answeredAt(messageId)! - t0) / 1000;
      // The approval request is queued once the reading is over (or its wait ran out): wait for it at the sink.
      while (!sandbox.sink.messages.some((m) => m.envelope.to[0] === AGENTS)) {
        if (Date.now() > deadline) throw new Error(`memory-scan: no approval request within 600 s\n${child.stderrTail()}`);
        await Promise.race([sleep(20), child.died]);
      }
      const allMailSeconds = (sandbox.sink.messages.find((m) => m.envelope.to[0] === AGENTS)!.receivedAt.getTime() - t0) / 1000;
      if (!(await waitForOutboxEmpty(place.sql, child, 60_000))) progress('memory-scan: the outbox still had mail after 60 s');
      await sleep(1000);
      const daemonPeak = child.hwmKb();
      const [row] = await place.sql<{ reading: ScanResult['reading'] & { siren?: { result: string } | null } | null }[]>`
        select "check"->'documents'->0->'reading' as reading from tickets order by id limit 1`;
      const r = row?.reading ?? null;
      const reading = r && { status: r.status, method: r.method, pages: r.pages, pagesRead: r.pagesRead, reason: r.reason, siren: r.siren?.result ?? null };
      return {
        pages: opts.pages, pdfMb: pdf.length / 2 ** 20, maxOcrPages,
        daemonPeakRssMb: mb(daemonPeak), treePeakRssMb: mb(child.treePeakKb()), readerPeakRssMb: mb(child.readerPeakKb()),
        ackSeconds, allMailSeconds, reading, database: await databaseCounts(place.sql),
      };
    } finally {
      await child.stop();
    }
  } finally {
    await place.close();
  }
}
