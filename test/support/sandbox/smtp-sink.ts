import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { parseRawHeaders } from './raw-headers';
import { createFailPlanState, replyErrorFor, type FailPlan } from './smtp-fail-plan';

export interface SinkMessage {
  raw: Buffer;
  envelope: { from: string | null; to: string[] };
  receivedAt: Date;
  /** Message-ID header as sent, angle brackets included. */
  messageId: string | undefined;
  /** Subject header as sent (still RFC 2047 encoded if it was). */
  subject: string | undefined;
  /** All header fields: lower-cased names, unfolded raw values. */
  headers: Record<string, string[]>;
}

/** A refusal the sink answered, for asserting that a sender retried. */
export interface SinkRejection {
  at: Date;
  code: number;
  stage: 'rcpt' | 'data';
  recipient?: string;
}

export interface SmtpSinkOptions {
  /** Port on 127.0.0.1 (default: a free one chosen by the kernel). */
  port?: number;
  failPlan?: FailPlan;
  /** Also write each accepted message to this directory as NNNN-<time>.eml. */
  dir?: string;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  /** smtp://127.0.0.1:PORT (plain SMTP, no TLS, no auth needed). */
  readonly url: string;
  /** Accepted messages in arrival order. The same array for the sink's life (clear() empties it). */
  readonly messages: SinkMessage[];
  readonly rejections: SinkRejection[];
  /** The first message (already received or still to come) matching `predicate`. */
  waitFor(predicate?: (message: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  clear(): void;
  /** Replace the fail plan; counters start again. `undefined` accepts everything. */
  setFailPlan(plan: FailPlan | undefined): void;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Start an in-process SMTP server that keeps what it receives in memory, and can refuse
 * messages or recipients on a scripted plan. STARTTLS is disabled (smtp-server's bundled
 * certificate has expired) and authentication is optional.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const rejections: SinkRejection[] = [];
  const waiters = new Set<(message: SinkMessage) => void>();
  let failPlan = createFailPlanState(options.failPlan);
  let sequence = 0;
  if (options.dir) mkdirSync(options.dir, { recursive: true });

  const accept = (raw: Buffer, session: SMTPServerSession): void => {
    const headers = parseRawHeaders(raw);
    const message: SinkMessage = {
      raw,
      envelope: {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
      },
      receivedAt: new Date(),
      messageId: headers['message-id']?.[0],
      subject: headers.subject?.[0],
      headers,
    };
    messages.push(message);
    sequence += 1;
    if (options.dir) {
      const stamp = message.receivedAt.toISOString().replace(/[:.]/g, '-');
      writeFileSync(join(options.dir, `${String(sequence).padStart(4, '0')}-${stamp}.eml`), raw);
    }
    for (const notify of [...waiters]) notify(message);
  };

  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    banner: 'liquibot sandbox sink',
    closeTimeout: 1_000,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'sandbox' });
    },
    onRcptTo(address, _session, callback) {
      const rule = failPlan.refuseRecipient(address.address);
      if (!rule) return callback();
      rejections.push({ at: new Date(), code: rule.code, stage: 'rcpt', recipient: address.address });
      callback(replyErrorFor(rule, address.address));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      // Read to the end even when refusing: smtp-server needs the stream drained.
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', (err) => callback(err));
      stream.once('end', () => {
        const rule = failPlan.refuseMessage();
        if (rule) {
          rejections.push({ at: new Date(), code: rule.code, stage: 'data' });
          callback(replyErrorFor(rule, 'this message'));
          return;
        }
        accept(Buffer.concat(chunks), session);
        callback(null, 'Queued by the liquibot sandbox sink');
      });
    },
  });
  server.on('error', () => {
    // Client-side resets land here; the sink must survive them.
  });

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.server.once('error', onError);
    server.listen(options.port ?? 0, HOST, () => {
      server.server.off('error', onError);
      const address = server.server.address();
      if (address === null || typeof address === 'string') reject(new Error('smtp sink: no bound port'));
      else resolve(address.port);
    });
  });

  return {
    host: HOST,
    port,
    url: `smtp://${HOST}:${port}`,
    messages,
    rejections,
    waitFor(predicate = () => true, timeoutMs = 10_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<SinkMessage>((resolve, reject) => {
        const waiter = (message: SinkMessage): void => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(message);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`smtp sink: no matching message within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    clear() {
      messages.splice(0, messages.length);
      rejections.splice(0, rejections.length);
    },
    setFailPlan(plan) {
      failPlan = createFailPlanState(plan);
    },
    stop() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
