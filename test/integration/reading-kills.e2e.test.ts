import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../src/mail/parse-mail';
import { scannedJudgment, scannedPdf } from '../support/documents/corpus';
import { buildRequestMail } from '../support/sample-mails';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { sleep, waitUntil } from '../support/sandbox/wait-until';
import { freshMailbox, type FreshMailbox } from '../helpers/fresh-mailbox';
import { startSink } from '../helpers/smtp-sink';
import { startChildDaemon, type ChildDaemon } from './support/child-daemon';
import { freshDatabase } from './support/liquibot-harness';

// Issue 11 under kills: the daemon killed while its approval requests wait for the reading, and a
// reader process killed in the middle of a reading. The documents are scans (OCR: seconds each), so
// the kills land while a reading is in progress; the tests check that they did.
const AGENTS = 'agents@support.example.fr';
// The corpus's judgment names SIREN 732 829 320: these SIRETs are that company's establishments.
const SIRETS = ['73282932000074', '73282932000009', '73282932000017'];

/**
 * Pids of the document readers whose parent is `daemonPid`: the reader's bundle runs from dist/reader.mjs
 * (built with the daemon's), or from a liquibot-reader-* directory when the daemon runs from source.
 */
function readersOf(daemonPid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!/liquibot-reader-|\/dist\/reader\.mjs/.test(cmdline)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === daemonPid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU time of a process so far, in clock ticks (utime + stime); null once it is gone. */
function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('reading the court documents, under kills', () => {
  let mailbox: FreshMailbox;
  let sink: SmtpSink;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let daemon: ChildDaemon | null = null;
  let scan: Buffer;

  beforeAll(async () => {
    mailbox = freshMailbox('readkill');
    sink = await startSink();
    db = await freshDatabase('postgres');
    // A scanned page: read by OCR, a second or more per document.
    scan = await scannedPdf();
  });
  afterAll(async () => {
    await daemon?.kill();
    await sink?.stop();
    await db?.cleanup();
  });

  const env = (extra: Record<string, string> = {}) => ({
    IMAP_URL: mailbox.imapUrl,
    SMTP_URL: `${sink.url}?starttls=never`,
    DATABASE_URL: db.url!,
    MAIL_FROM: 'liquibot@support.example.fr',
    AGENTS_ADDRESS: AGENTS,
    DOCUMENT_READING: 'true',
    DOCUMENT_READERS: '1',
    DOCUMENT_APPROVAL_WAIT_MS: '120000',
    LOG_LEVEL: 'info',
    OUTBOX_POLL_MS: '100',
    OUTBOX_LEASE_SECONDS: '3',
    HTTP_PORT: '0',
    RESET_LINK_SECRET: 'readkill-secret-0123456789-0123456789-abc',
    ...extra,
  });
  const request = (i: number, siret: string, content = scan) => {
    const from = `etude.readkill${i}@mandataires.example.fr`;
    return {
      from,
      raw: buildRequestMail({ from, siret, liquidatorEmail: `liq${i}@etude.example.fr`, messageId: `<readkill-${i}-${randomUUID()}@custhelp.example.net>`, attachment: { filename: `scan-${i}.pdf`, content, contentType: 'application/pdf' } }),
    };
  };
  const toAgents = () => sink.messages.filter((m) => m.envelope.to[0] === AGENTS);
  const ticketOf = (m: (typeof sink.messages)[number]) => m.headers['x-liquibot-ticket']?.[0]?.trim();

  it('killed while the approval requests wait for the readings: after a restart each goes once, with the reading', async () => {
    daemon = startChildDaemon(env());
    const requests = SIRETS.map((siret, i) => request(i, siret));
    for (const r of requests) await mailbox.append(r.raw);
    // The acknowledgments do not wait for the readings.
    await waitUntil('the three acknowledgments', async () => (requests.every((r) => sink.messages.some((m) => m.envelope.to[0] === r.from)) ? true : undefined), { timeoutMs: 60_000 });
    // Kill once a reader is at work (a third of a second of CPU seen).
    const pid = daemon.process.pid!;
    const [reader] = await waitUntil('a reader', async () => (readersOf(pid).length > 0 ? readersOf(pid) : undefined), { timeoutMs: 30_000, intervalMs: 20 });
    const atStart = cpuTicks(reader!) ?? 0;
    await waitUntil('the reader at work', async () => ((cpuTicks(reader!) ?? 0) - atStart >= 30 ? true : undefined), { timeoutMs: 30_000, intervalMs: 20 });
    const readers = readersOf(pid);
    const sentBeforeKill = toAgents().length;
    await daemon.kill('SIGKILL');
    // The kill must have landed while readings were pending, or this test proves nothing.
    expect(sentBeforeKill).toBeLessThan(requests.length);
    expect(readers.length).toBeGreaterThan(0);
    // An orphaned reader sees its parent gone and kills itself (within its 1 s watchdog tick).
    await waitUntil('the orphaned readers to exit', async () => (readers.some(alive) ? undefined : true), { timeoutMs: 10_000 });

    daemon = startChildDaemon(env());
    await waitUntil('an approval request per ticket', async () => (new Set(toAgents().map(ticketOf)).size === requests.length ? true : undefined), { timeoutMs: 120_000 });
    await waitUntil('an empty outbox', async () => ((await db.database.rows<{ n: number }>(sql`select count(*)::int as n from outbox where status not in ('sent', 'superseded')`))[0]!.n === 0 ? true : undefined), { timeoutMs: 60_000 });
    await sleep(1000);

    const approvals = toAgents();
    expect(approvals).toHaveLength(requests.length);
    for (const r of requests) expect(sink.messages.filter((m) => m.envelope.to[0] === r.from)).toHaveLength(1);
    // Those sent after the restart were read again by the new daemon's readers, not sent blind.
    for (const approval of approvals.slice(sentBeforeKill)) {
      const text = (await parseMail(approval.raw)).text;
      expect(text).toContain('Lu dans le document :');
      expect(text).toContain('SIREN 732 829 320 trouvé');
    }
  }, 240_000);

  it('a reader killed in the middle of a reading: the agents are told to check by hand, the next document is read', async () => {
    const pid = daemon!.process.pid!;
    // Four scanned pages: several seconds of OCR, time enough to catch the reader at work.
    const killedRequest = request(10, '73282932000025', await scannedJudgment(4));
    const before = toAgents().length;
    await mailbox.append(killedRequest.raw);
    await waitUntil('the acknowledgment', async () => (sink.messages.some((m) => m.envelope.to[0] === killedRequest.from) ? true : undefined), { timeoutMs: 60_000 });
    // Wait for a reader to be busy (half a second of CPU since the acknowledgment), then kill it.
    const [idle] = await waitUntil('a reader', async () => (readersOf(pid).length > 0 ? readersOf(pid) : undefined), { timeoutMs: 30_000 });
    const atAck = cpuTicks(idle!) ?? 0;
    await waitUntil('the reader at work', async () => ((cpuTicks(idle!) ?? 0) - atAck >= 50 ? true : undefined), { timeoutMs: 30_000, intervalMs: 20 });
    const reader = idle!;
    expect(toAgents().length).toBe(before);
    process.kill(reader, 'SIGKILL');
    const approval = await waitUntil('the approval request', async () => toAgents()[before], { timeoutMs: 60_000 });
    const text = (await parseMail(approval.raw)).text;
    expect(text).toMatch(/scan-10\.pdf : illisible \(le lecteur de documents s’est arrêté\)/);
    expect(text).toMatch(/vérification manuelle nécessaire/);
    expect(alive(pid)).toBe(true);

    // A fresh reader reads the next document.
    const next = request(11, '73282932000033');
    await mailbox.append(next.raw);
    const nextApproval = await waitUntil('the next approval request', async () => toAgents()[before + 1], { timeoutMs: 90_000 });
    expect((await parseMail(nextApproval.raw)).text).toContain('SIREN 732 829 320 trouvé');
    expect(readersOf(pid).every((p) => p !== reader)).toBe(true);
  }, 200_000);
});
