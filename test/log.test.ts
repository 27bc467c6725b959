import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, errorFields, type Logger } from '../src/log';
import { createMailboxWatcher } from '../src/mail/mailbox-watcher';
import { createSmtpSender } from '../src/mail/smtp-transport';
import { startSink } from './helpers/smtp-sink';

/** A logger at `level` writing JSON lines to memory. */
function capture(level: string): { log: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = () => chunks.join('');
  const lines = () => text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log: createLogger({ level, destination }), lines, text };
}

const REQUESTER = 'jean.dupont@etude-dupont.fr';
const SUBJECT = 'LIQUIDATEUR JUDICIAIRE - SARL Dupont';

/** A TCP port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('log: IMAP state changes', () => {
  it('the watcher logs its states at info (from/to are states, not addresses), and no credential', async () => {
    const { log, lines, text } = capture('info');
    const watcher = createMailboxWatcher({
      imapUrl: `imap://${encodeURIComponent('support@example.fr')}:s3cret@127.0.0.1:${await closedPort()}/INBOX`,
      log,
      handle: async () => ({ moveTo: null }),
      maxIdleMinutes: 5,
      reconnectMaxSeconds: 1,
      maxMessageBytes: 1024,
    });
    watcher.start();
    for (let i = 0; i < 200 && watcher.state() !== 'backoff'; i += 1) await new Promise((r) => setTimeout(r, 25));
    await watcher.stop();
    const changes = lines().filter((l) => l.msg === 'imap state changed').map((l) => [l.level, l.from, l.to]);
    expect(changes).toEqual([
      [30, 'stopped', 'connecting'],
      [30, 'connecting', 'backoff'],
      [30, 'backoff', 'stopped'],
    ]);
    expect(text()).not.toContain('s3cret');
    expect(text()).not.toContain('[redacted]');
  });
});

describe('log: personal data', () => {
  const mailRead = (log: Logger) => log.info({ ticketRef: 'LJ-1', pii: { from: REQUESTER, subject: SUBJECT } }, 'mail read');

  it('under `pii`: censored at info, shown at debug; the other fields stay', () => {
    const info = capture('info');
    mailRead(info.log);
    mailRead(info.log.child({ inboundId: 7 }));
    expect(info.lines().map((l) => [l.ticketRef, l.inboundId, l.pii])).toEqual([['LJ-1', undefined, '[redacted]'], ['LJ-1', 7, '[redacted]']]);
    expect(info.text()).not.toContain(REQUESTER);
    expect(info.text()).not.toContain(SUBJECT);

    const debug = capture('debug');
    mailRead(debug.log);
    expect(debug.lines()[0]!.pii).toEqual({ from: REQUESTER, subject: SUBJECT });
  });

  describe('in the SMTP reply of a refused mail (the transport, then the outbox worker\'s "mail deferred" line)', () => {
    let sink: Awaited<ReturnType<typeof startSink>>;
    beforeAll(async () => {
      sink = await startSink({ failPlan: { code: 450, recipient: REQUESTER, message: `4.2.2 <${REQUESTER}>: Mailbox full` } });
    });
    afterAll(() => sink.stop());

    async function refusedSend(level: string) {
      const c = capture(level);
      const sender = createSmtpSender(`${sink.url}?starttls=never`, c.log);
      const result = await sender.send({
        messageId: `<log-${level}@liquibot.test>`, from: { name: 'Support', address: 'support@example.fr' }, to: REQUESTER,
        subject: SUBJECT, text: 'x', references: [],
      });
      sender.close();
      expect(result.kind).toBe('transient');
      // src/mail/outbox-worker.ts: log.warn({ attempts, retryInMs, error: result.error }, 'mail deferred')
      if (result.kind !== 'sent') c.log.warn({ attempts: 1, retryInMs: 1000, error: result.error }, 'mail deferred');
      return c;
    }

    it('at info: the reply is kept, its address masked', async () => {
      const c = await refusedSend('info');
      const deferred = c.lines().find((l) => l.msg === 'mail deferred')!;
      expect(deferred.error).toMatch(/450 .*<\[address\]>: Mailbox full/);
      expect(c.text()).not.toContain(REQUESTER);
    });

    it('at debug: shown whole, by the transport and the worker', async () => {
      const c = await refusedSend('debug');
      expect(c.lines().find((l) => l.msg === 'smtp attempt failed')!.err).toContain(`<${REQUESTER}>: Mailbox full`);
      expect(c.lines().find((l) => l.msg === 'mail deferred')!.error).toContain(`<${REQUESTER}>: Mailbox full`);
    });
  });

  it('in an error logged with errorFields, or as an Error object: masked at info', () => {
    const { log, text } = capture('info');
    log.error(errorFields(new Error(`no mailbox for ${REQUESTER}`)), 'processing failed');
    log.error({ err: new Error(`no mailbox for <${REQUESTER}>`) }, 'template reload failed');
    expect(text()).toContain('no mailbox for [address]');
    expect(text()).toContain('no mailbox for <[address]>');
    expect(text()).not.toContain(REQUESTER);
  });
});

describe('log: secrets', () => {
  it.each(['info', 'debug', 'trace'])('are censored at %s', (level) => {
    const { log, text } = capture(level);
    log.info({ password: 'p1', auth: { user: 'u', pass: 'p2' }, token: 't1', link: 'https://x/reset/t2', db: { url: 'postgres://u:p3@h/db' } }, 'x');
    for (const secret of ['p1', 'p2', 't1', 't2', 'p3']) expect(text()).not.toContain(secret);
  });
});
