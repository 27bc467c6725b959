import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { statusCommand, type StatusReport } from '../../src/cli/status-command';
import { loadConfig } from '../../src/config';
import type { HealthReport } from '../../src/http/health';
import { createLogger } from '../../src/log';
import { createMailboxWatcher } from '../../src/mail/mailbox-watcher';
import { parsePrometheusText, sampleValue } from '../../src/metrics/prometheus-text';
import { freshMailbox } from '../helpers/fresh-mailbox';
import { requireProvided } from '../helpers/require-provided';
import { startSink } from '../helpers/smtp-sink';
import { imapUrl } from '../support/sandbox/dovecot';
import { addDovecotUser } from '../support/sandbox/dovecot-users';
import { findFreePort } from '../support/sandbox/find-free-port';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { buildRequestMail } from '../support/sample-mails';
import { createHarness, LogCapture, type Harness } from './support/liquibot-harness';
import '../helpers/provided-context';

// Issue 12, operators: a refused IMAP login and an SMTP server that is down or refuses our login are
// told at once, in /healthz, `liquibot status`, the metrics and the logs, with the error.

type Health = Omit<HealthReport, 'httpStatus'>;

let h: Harness | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const portOf = (harness: Harness) => harness.daemon!.operations.http!.port;

async function healthz(port: number): Promise<{ status: number; body: Health }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
}

/** Poll /healthz until the predicate holds, or fail with the last answer. */
async function healthUntil(port: number, ok: (x: Health) => boolean, timeoutMs: number): Promise<{ status: number; body: Health; afterMs: number }> {
  const started = Date.now();
  let last: { status: number; body: Health } | null = null;
  while (Date.now() - started < timeoutMs) {
    last = await healthz(port);
    if (ok(last.body)) return { ...last, afterMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`healthz never matched within ${timeoutMs} ms; last: ${last?.status} ${JSON.stringify(last?.body)}`);
}

async function metric(port: number, name: string): Promise<number | undefined> {
  return sampleValue(parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()), name);
}

async function status(harness: Harness): Promise<{ code: number; text: string; json: StatusReport }> {
  const config = loadConfig({ DATABASE_URL: harness.config.DATABASE_URL ?? '', DATA_DIR: harness.config.DATA_DIR, HTTP_PORT: String(portOf(harness)) });
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
  const code = await statusCommand([], io, config);
  const json: string[] = [];
  await statusCommand(['--json'], { out: (l) => json.push(l), err: () => {} }, config);
  return { code, text: out.join('\n'), json: JSON.parse(json[0]!) as StatusReport };
}

interface LogLine { level: number; msg: string; component?: string; err?: string; attempt?: number; retryInMs?: number }
const linesOf = (logs: LogCapture): LogLine[] => logs.lines.map((l) => JSON.parse(l) as LogLine);

describe('a wrong IMAP password', () => {
  it('shows auth_failed in /healthz and status within seconds, and logs one error per attempt (minutes apart), no warnings', async () => {
    const box = freshMailbox('authfail');
    h = await createHarness({ env: { IMAP_URL: imapUrl(box.host, box.port, box.user, 'not-the-password') } });
    const started = Date.now();
    await h.start();
    const port = portOf(h);
    // Dovecot answers a wrong password after its auth_failure_delay (2 s).
    const { status: code, body, afterMs } = await healthUntil(port, (x) => x.imap === 'auth_failed', 8_000);
    expect(afterMs).toBeLessThan(6_000);
    expect(code).toBe(503);
    expect(body).toMatchObject({ status: 'failing', reasons: ['IMAP_AUTH_FAILED'], database: 'reachable' });
    expect(body.imapError).toMatchObject({ kind: 'auth_failed', attempts: 1 });
    expect(body.imapError!.error).toMatch(/^authentication failed: AUTHENTICATIONFAILED /);
    const last = Date.parse(body.imapError!.lastAttemptAt);
    expect(last).toBeGreaterThanOrEqual(started - 1000);
    // The next attempt is the long backoff of a refused login (30 s with jitter), not the network's 1-2 s.
    expect(Date.parse(body.imapError!.nextAttemptAt!) - last).toBeGreaterThanOrEqual(15_000);
    expect(await metric(port, 'liquibot_imap_auth_failed')).toBe(1);

    const shown = await status(h);
    expect(shown.code).toBe(1);
    expect(shown.text).toMatch(/daemon +running, FAILING: IMAP_AUTH_FAILED/);
    expect(shown.text).toMatch(/imap +AUTH_FAILED since \S+: authentication failed: AUTHENTICATIONFAILED .*\(1 attempt\(s\), last \S+, \d+ s ago, next in \d+ s\)/);
    expect(shown.json.daemon).toMatchObject({ state: 'failing', imap: 'auth_failed', imapError: { kind: 'auth_failed', attempts: 1 } });

    // Seconds later (RECONNECT_MAX_SECONDS=2 in the harness: before, a warning every 1-2 s) still one attempt, one error.
    await new Promise((r) => setTimeout(r, Math.max(0, started + 7_000 - Date.now())));
    const imapLines = linesOf(h.logs).filter((l) => l.component === 'imap');
    const errors = imapLines.filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg)).toEqual(['imap authentication failed']);
    expect(errors[0]).toMatchObject({ attempt: 1, err: expect.stringMatching(/^authentication failed: AUTHENTICATIONFAILED/) });
    expect(imapLines.filter((l) => l.level === 40)).toEqual([]);
    expect((await healthz(port)).body.imapError).toMatchObject({ attempts: 1 });
  });

  it('the watcher: one error per backoff step while refused, then connected and the trouble gone once the password works', async () => {
    const box = freshMailbox('authfix');
    const logs = new LogCapture();
    const watcher = createMailboxWatcher({
      imapUrl: imapUrl(box.host, box.port, box.user, 'the-new-password'), log: createLogger({ level: 'info', destination: logs }),
      handle: async () => ({ moveTo: null }), maxIdleMinutes: 5, reconnectMaxSeconds: 2, maxMessageBytes: 1e6,
      reconnectDelay: () => 200,
    });
    cleanups.push(() => watcher.stop());
    watcher.start();
    const end = Date.now() + 20_000;
    while ((watcher.trouble()?.attempts ?? 0) < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(watcher.state()).toBe('auth_failed');
    const attempts = watcher.trouble()!.attempts;
    expect(attempts).toBeGreaterThanOrEqual(2);
    const errors = linesOf(logs).filter((l) => l.msg === 'imap authentication failed');
    expect(errors.length).toBeGreaterThanOrEqual(attempts);
    expect(errors.length).toBeLessThanOrEqual(attempts + 1);
    expect(errors.every((l) => l.level === 50)).toBe(true);
    expect(linesOf(logs).filter((l) => l.level === 40)).toEqual([]);

    // The operator changes the password on the server: the next attempt logs in.
    addDovecotUser(requireProvided('sandboxDovecot').usersDir, box.user, 'the-new-password');
    while (watcher.state() !== 'connected' && Date.now() < end + 10_000) await new Promise((r) => setTimeout(r, 50));
    expect(watcher.state()).toBe('connected');
    expect(watcher.trouble()).toBeNull();
    expect(linesOf(logs).at(-1)).toMatchObject({ msg: 'imap state changed', from: 'auth_failed', to: 'connected' } as object);
  });
});

describe('an SMTP server that does not work', () => {
  it('down: health degraded at once with the error; the answer waits unspent and leaves once the server is back', async () => {
    const smtpPort = await findFreePort();
    h = await createHarness({ env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}?starttls=never` } });
    await h.mailbox.append(buildRequestMail({ from: 'waits@etude.example.fr' }));
    await h.start();
    const port = portOf(h);
    const { status: code, body, afterMs } = await healthUntil(port, (x) => x.smtp === 'unreachable' && x.imap === 'connected', 5_000);
    expect(afterMs).toBeLessThan(3_000);
    expect(code).toBe(200);
    expect(body).toMatchObject({ status: 'degraded', reasons: ['SMTP_UNREACHABLE'], smtpError: { kind: 'unreachable' } });
    expect(body.smtpError!.error).toMatch(/ECONNREFUSED/);
    expect(await metric(port, 'liquibot_smtp_up')).toBe(0);

    const shown = await status(h);
    expect(shown.code).toBe(1);
    expect(shown.text).toMatch(/daemon +running, DEGRADED: SMTP_UNREACHABLE/);
    expect(shown.text).toMatch(/smtp +UNREACHABLE since \S+: .*ECONNREFUSED/);
    expect(shown.json.daemon).toMatchObject({ state: 'degraded', smtp: 'unreachable', smtpError: { kind: 'unreachable' } });

    // The request is processed; its answers wait without spending attempts (at most the one made before the
    // first check answered), and nothing fails for good.
    await h.waitForProcessed(1);
    await new Promise((r) => setTimeout(r, 1_500));
    const waiting = await h.database.rows<{ status: string; attempts: number }>(sql`select status, attempts from outbox`);
    expect(waiting.length).toBeGreaterThanOrEqual(1);
    expect(waiting.filter((r) => r.status !== 'pending' || Number(r.attempts) > 1)).toEqual([]);
    expect(linesOf(h.logs).filter((l) => l.msg === 'mail delivery failed')).toEqual([]);

    // The server comes back: the next check finds it, health is ok and the mail leaves with its first attempt.
    const sink: SmtpSink = await startSink({ port: smtpPort });
    cleanups.push(() => sink.stop());
    await healthUntil(port, (x) => x.status === 'ok' && x.smtp === 'ok', 20_000);
    await sink.waitFor((m) => m.envelope.to.includes('waits@etude.example.fr'), 10_000);
    await h.daemon!.outbox.drain();
    const sent = await h.database.rows<{ status: string; attempts: number }>(sql`select status, attempts from outbox where to_address = 'waits@etude.example.fr'`);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.status).toBe('sent');
    expect(Number(sent[0]!.attempts)).toBeLessThanOrEqual(2);
    expect(linesOf(h.logs).some((l) => l.msg === 'smtp server works again')).toBe(true);
  });

  it('refusing our login: an error, health degraded with SMTP_AUTH_FAILED, and no mail retried meanwhile', async () => {
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'], allowInsecureAuth: true, logger: false,
      onAuth: (_auth, _session, callback) => callback(new Error('5.7.8 Authentication credentials invalid'), undefined),
      onData: (stream, _session, callback) => {
        stream.resume();
        stream.once('end', () => callback());
      },
    });
    const smtpPort = await findFreePort();
    await new Promise<void>((resolve) => server.listen(smtpPort, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    h = await createHarness({ env: { SMTP_URL: `smtp://liquibot:wrong-password@127.0.0.1:${smtpPort}?starttls=never` } });
    await h.mailbox.append(buildRequestMail({ from: 'held@etude.example.fr' }));
    await h.start();
    const port = portOf(h);
    const { body } = await healthUntil(port, (x) => x.smtp === 'auth_failed' && x.imap === 'connected', 5_000);
    expect(body).toMatchObject({ status: 'degraded', reasons: ['SMTP_AUTH_FAILED'], smtpError: { kind: 'auth_failed', attempts: 1 } });
    expect(body.smtpError!.error).toMatch(/^EAUTH 535 .*Authentication credentials invalid/);
    // A refused login is checked again after 15-30 s, then longer: not every mail, not every second.
    expect(Date.parse(body.smtpError!.nextAttemptAt!) - Date.parse(body.smtpError!.lastAttemptAt)).toBeGreaterThanOrEqual(15_000);

    await h.waitForProcessed(1);
    await new Promise((r) => setTimeout(r, 1_500));
    const rows = await h.database.rows<{ status: string; attempts: number }>(sql`select status, attempts from outbox`);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.filter((r) => r.status !== 'pending' || Number(r.attempts) > 1)).toEqual([]);
    // One error; a mail tried before the first check answered changes nothing: it is the same trouble.
    const smtpLines = linesOf(h.logs).filter((l) => l.component === 'smtp' && l.level >= 40);
    expect(smtpLines.map((l) => [l.level, l.msg])).toEqual([[50, 'smtp authentication failed']]);
    expect((await status(h)).text).toMatch(/smtp +AUTH_FAILED since \S+: EAUTH 535 /);
  });
});
