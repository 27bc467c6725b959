import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { parseMailWithContents } from '../../src/mail/parse-mail';
import { createSmtpSender, THREAD_MAX_ATTACHMENT_BYTES, type OutgoingMail, type SmtpSender } from '../../src/mail/smtp-transport';
import { smtpThreadsStarted } from '../../src/mail/smtp-thread-transport';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { failAlways, failTimes } from '../support/sandbox/smtp-fail-plan';
import { startSink } from '../helpers/smtp-sink';
import { SMTPServer } from 'smtp-server';

const mailTo = (to: string, attachments: OutgoingMail['attachments'] = []): OutgoingMail => ({
  messageId: `<${randomBytes(6).toString('hex')}@liquibot.example.fr>`, from: { name: 'Liquibot', address: 'liquibot@support.example.fr' }, to,
  subject: 'Documents', text: 'Pièces jointes', html: '<p>Pièces jointes</p>', references: ['<a@x.fr>'], autoSubmitted: 'auto-generated', ticketRef: 'LIQ-1',
  attachments,
});

/** Mails sent at once, as the outbox sends a batch: with `thread`, all but the first go through the SMTP thread. */
const burst = (sender: SmtpSender, mails: OutgoingMail[]) => Promise.all(mails.map((m) => sender.send(m)));

// The daemon sends bursts from a worker thread (`thread: true`); tests and tools that build a sender of their
// own send from their thread. Both must put the same bytes on the wire and read the server's answers alike.
describe.each([false, true])('SMTP sender (thread: %s)', (thread) => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSink();
  });
  afterAll(async () => {
    await sink?.stop();
  });
  const sender = (url = `${sink.url}?starttls=never`, timeoutMs?: number) =>
    createSmtpSender(url, createLogger({ level: 'silent' }), { thread, ...(timeoutMs ? { timeoutMs } : {}) });

  it('sends attachments of any size byte for byte (they are streamed in 64 KiB pieces), with our headers', async () => {
    const s = sender();
    const threadsBefore = smtpThreadsStarted();
    // One attachment each; the last is over the thread's limit: sent from the daemon's thread, never copied to the SMTP thread.
    const documents = [randomBytes(1), randomBytes(64 * 1024), randomBytes(300 * 1024 + 7), randomBytes(THREAD_MAX_ATTACHMENT_BYTES + 1)];
    const mails = documents.map((content, i) => mailTo(`agent${i}@support.example.fr`, [{ filename: `doc${i}.pdf`, content, contentType: 'application/pdf' }]));
    try {
      expect((await burst(s, mails)).map((r) => r.kind)).toEqual(['sent', 'sent', 'sent', 'sent']);
      expect(s.health().state).toBe('ok');
    } finally {
      s.close();
    }
    expect(smtpThreadsStarted() - threadsBefore).toBe(thread ? 1 : 0);
    for (const [i, mail] of mails.entries()) {
      const received = sink.messages.find((m) => m.messageId === mail.messageId)!;
      const { mail: parsed, contents } = await parseMailWithContents(received.raw);
      expect(parsed.attachments.map((a) => a.sha256)).toEqual([createHash('sha256').update(documents[i]!).digest('hex')]);
      expect([...contents.values()].map((c) => c.content.length)).toEqual([documents[i]!.length]);
      const header = received.raw.toString('latin1');
      expect(header).toMatch(/^Auto-Submitted: auto-generated\r$/m);
      expect(header).toMatch(/^X-Liquibot-Ticket: LIQ-1\r$/m);
      expect(header).toMatch(/^References: <a@x\.fr>\r$/m);
    }
  });

  it('tells a refused mail (5xx: permanent, with its code) from a deferred one (4xx: transient)', async () => {
    const s = sender();
    try {
      sink.setFailPlan([failAlways(550, 'nobody@support.example.fr'), failTimes(2, 451, 'later@support.example.fr')]);
      const [first, refused] = await burst(s, [mailTo('someone@support.example.fr'), mailTo('nobody@support.example.fr')]);
      expect(first!.kind).toBe('sent');
      expect(refused).toMatchObject({ kind: 'permanent', responseCode: 550 });
      const deferred = await burst(s, [mailTo('later@support.example.fr'), mailTo('later@support.example.fr')]);
      for (const r of deferred) expect(r).toMatchObject({ kind: 'transient', responseCode: 451 });
      expect((await s.send(mailTo('later@support.example.fr'))).kind).toBe('sent');
      // The server answered each time: it works.
      expect(s.health().state).toBe('ok');
    } finally {
      sink.setFailPlan(undefined);
      s.close();
    }
  });

  it('shows a server that cannot be reached as unreachable, and a closed sender refuses to send', async () => {
    // A port nobody listens on.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const p = (server.address() as { port: number }).port;
        server.close(() => resolve(p));
      });
    });
    const s = sender(`smtp://127.0.0.1:${port}?starttls=never`, 2_000);
    try {
      const results = await burst(s, [mailTo('agents@support.example.fr'), mailTo('agents@support.example.fr')]);
      expect(results.map((r) => r.kind)).toEqual(['transient', 'transient']);
      expect(s.health().state).toBe('unreachable');
      expect(s.canSend()).toBe(false);
    } finally {
      s.close();
    }
    const closed = sender();
    closed.close();
    expect((await closed.send(mailTo('agents@support.example.fr'))).kind).toBe('transient');
  });
});

describe('the SMTP thread between bursts', () => {
  it('stops when idle, never under a send, and starts again for the next burst', async () => {
    // A server that takes 600 ms to accept each message: the thread's idle time (150 ms) runs out mid-send.
    const received: string[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'], authOptional: true, logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => setTimeout(() => {
          received.push(Buffer.concat(chunks).toString('latin1'));
          callback();
        }, 600));
      },
    });
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port)));
    const s = createSmtpSender(`smtp://127.0.0.1:${port}?starttls=never`, createLogger({ level: 'silent' }), { thread: true, threadIdleMs: 150 });
    try {
      const before = smtpThreadsStarted();
      expect((await burst(s, [mailTo('a@support.example.fr'), mailTo('b@support.example.fr')])).map((r) => r.kind)).toEqual(['sent', 'sent']);
      expect(smtpThreadsStarted() - before).toBe(1);
      // Idle long enough: the thread stopped; the next burst starts another.
      await new Promise((r) => setTimeout(r, 400));
      expect((await burst(s, [mailTo('c@support.example.fr'), mailTo('d@support.example.fr')])).map((r) => r.kind)).toEqual(['sent', 'sent']);
      expect(smtpThreadsStarted() - before).toBe(2);
      expect(received).toHaveLength(4);
    } finally {
      s.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
