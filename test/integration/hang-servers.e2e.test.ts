import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config';
import { startDaemon, type Daemon } from '../../src/daemon';
import { createLogger } from '../../src/log';
import { buildRequestMail } from '../support/sample-mails';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { freshMailbox, type FreshMailbox } from '../helpers/fresh-mailbox';
import { startHangingProxy, type HangingProxy } from '../helpers/hanging-proxy';
import { startSink } from '../helpers/smtp-sink';
import { until } from '../helpers/until';
import { freshDatabase, LogCapture } from './support/liquibot-harness';

interface Health {
  status: string;
  reasons: string[];
  imap: string;
  imapError: { error: string } | null;
  smtp: string;
  smtpError: { error: string } | null;
}

const TIMEOUT_S = 2;

/**
 * Issue 13, point 4 (hanging connections): IMAP and SMTP servers that accept the connection and then say
 * nothing, from the start or in the middle of a session. The daemon times out (IMAP_TIMEOUT_SECONDS,
 * SMTP_TIMEOUT_SECONDS, here 2 s), shows it in /healthz within a bounded time, reconnects, and nothing
 * is lost or sent twice once the servers answer again.
 */
describe('mail servers that accept and then say nothing', () => {
  let mailbox: FreshMailbox;
  let sink: SmtpSink;
  let imap: HangingProxy;
  let smtp: HangingProxy;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let daemon: Daemon;
  const logs = new LogCapture();

  beforeAll(async () => {
    mailbox = freshMailbox('hang');
    sink = await startSink();
    db = await freshDatabase('postgres');
    imap = await startHangingProxy({ host: mailbox.host, port: mailbox.port }, 'hang');
    smtp = await startHangingProxy({ host: '127.0.0.1', port: sink.port }, 'hang');
  });
  afterAll(async () => {
    await daemon?.stop();
    await imap?.stop();
    await smtp?.stop();
    await sink?.stop();
    await db?.cleanup();
  });

  const health = async (): Promise<Health> => (await fetch(`http://127.0.0.1:${daemon.operations.http!.port}/healthz`)).json() as Promise<Health>;
  const answersTo = (to: string) => sink.messages.filter((m) => m.envelope.to.includes(to));

  it('times out, reports it in /healthz, reconnects, and loses nothing', async () => {
    const imapUrl = new URL(mailbox.imapUrl);
    imapUrl.host = imap.address;
    const config = loadConfig({
      IMAP_URL: imapUrl.toString(), SMTP_URL: `smtp://${smtp.address}?starttls=never`, DATABASE_URL: db.url, DATA_DIR: db.dataDir,
      MAIL_FROM: 'liquibot@support.example.fr', RESET_LINK_SECRET: 'hang-secret-0123456789-0123456789-abcdef', HTTP_PORT: '0',
      OUTBOX_POLL_MS: '200', RECONNECT_MAX_SECONDS: '1', RESYNC_CRON: '*/2 * * * * *', LOG_LEVEL: 'info',
      IMAP_TIMEOUT_SECONDS: String(TIMEOUT_S), SMTP_TIMEOUT_SECONDS: String(TIMEOUT_S),
    }, ['IMAP_URL', 'SMTP_URL']);
    const started = Date.now();
    daemon = await startDaemon({ config, database: db.database, log: createLogger({ level: 'info', destination: logs }) });

    // 1. Silent from the first byte: both time out on the greeting and /healthz says so, with the error.
    expect(await until(async () => {
      const h = await health();
      return h.reasons.includes('IMAP_NOT_CONNECTED') && h.reasons.includes('SMTP_UNREACHABLE') && !!h.imapError && !!h.smtpError;
    }, 15_000, 100)).toBe(true);
    const reportedMs = Date.now() - started;
    const h1 = await health();
    expect(h1.status).toBe('failing');
    expect(h1.imapError!.error).toMatch(/greeting|timeout/i);
    expect(h1.smtpError!.error).toMatch(/ETIMEDOUT|greeting/i);
    // And it keeps trying: new connections, not one stuck for ever.
    const before = imap.accepted();
    expect(await until(() => imap.accepted() > before + 1, 15_000, 100)).toBe(true);

    // 2. The servers answer again: both recover, and a request is answered.
    const passAt = Date.now();
    imap.setMode('pass');
    smtp.setMode('pass');
    expect(await until(async () => {
      const h = await health();
      return h.imap === 'connected' && h.smtp === 'ok';
    }, 90_000, 100)).toBe(true);
    const recoveredMs = Date.now() - passAt;
    await mailbox.append(buildRequestMail({ from: 'first@etude.example.fr', attachment: 'none' }));
    await sink.waitFor((m) => m.envelope.to.includes('first@etude.example.fr'), 20_000);
    // Its 250 read and recorded before the next freeze (else the freeze would catch it mid-answer).
    expect(await until(async () => (await db.database.rows<{ n: number }>(sql`select count(*)::int as n from outbox where status <> 'sent'`))[0]!.n === 0, 10_000, 100)).toBe(true);

    // 3. SMTP freezes in the middle of its session (the pooled connection stays open, nothing comes back).
    smtp.setMode('hang');
    const smtpFrozenAt = Date.now();
    await mailbox.append(buildRequestMail({ from: 'second@etude.example.fr', attachment: 'none' }));
    expect(await until(async () => (await health()).reasons.includes('SMTP_UNREACHABLE'), 30_000, 100)).toBe(true);
    const smtpDetectedMs = Date.now() - smtpFrozenAt;
    smtp.setMode('pass');
    await sink.waitFor((m) => m.envelope.to.includes('second@etude.example.fr'), 90_000);
    expect(await until(async () => (await db.database.rows<{ n: number }>(sql`select count(*)::int as n from outbox where status <> 'sent'`))[0]!.n === 0, 10_000, 100)).toBe(true);

    // 4. IMAP freezes in the middle of its session (IDLE): the silence is noticed, the session reopened.
    imap.setMode('hang');
    const imapFrozenAt = Date.now();
    await mailbox.append(buildRequestMail({ from: 'third@etude.example.fr', attachment: 'none' }));
    expect(await until(async () => (await health()).reasons.includes('IMAP_NOT_CONNECTED'), 30_000, 100)).toBe(true);
    const imapDetectedMs = Date.now() - imapFrozenAt;
    imap.setMode('pass');
    await sink.waitFor((m) => m.envelope.to.includes('third@etude.example.fr'), 60_000);

    await new Promise((r) => setTimeout(r, 1500));
    // One answer each: one Message-ID, one copy (no send was caught by a freeze after its DATA).
    for (const to of ['first', 'second', 'third']) {
      expect(answersTo(`${to}@etude.example.fr`).map((m) => m.messageId), to).toHaveLength(1);
    }
    expect((await health()).status).toBe('ok');
    console.info(`[hang] timeouts ${TIMEOUT_S} s: silent servers shown in /healthz ${reportedMs} ms after start; `
      + `recovered ${recoveredMs} ms after they answered; SMTP frozen mid-session shown after ${smtpDetectedMs} ms; `
      + `IMAP frozen mid-IDLE shown after ${imapDetectedMs} ms`);
  }, 240_000);
});
