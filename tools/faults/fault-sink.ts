import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { parseRawHeaders } from '../../test/support/sandbox/raw-headers';

export interface Received {
  messageId: string;
  to: string[];
  at: number;
}

/**
 * The fault run's SMTP server: keeps every copy it accepts (with its time), can answer 451 to the next
 * `n` messages, hold each 250 for a while (so that sends are in flight when an instance is killed), and be
 * down (its port closed) then up again on the same port.
 */
export interface FaultSink {
  readonly port: number;
  readonly received: Received[];
  refused451: number;
  /** Answer 451 to the next n messages (after DATA). */
  refuseNext(n: number): void;
  /** Delay each 250 by this many ms. */
  setReplyDelay(ms: number): void;
  /** Messages whose bytes arrived and whose answer is not sent yet. */
  inFlight(): number;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultSink(): Promise<FaultSink> {
  const received: Received[] = [];
  let refuse = 0;
  let delay = 0;
  let flying = 0;
  let server: SMTPServer | null = null;
  let port = 0;
  const state = { refused451: 0 };

  const make = () => {
    const s = new SMTPServer({
      disabledCommands: ['STARTTLS'], authOptional: true, logger: false, closeTimeout: 500,
      onData(stream: SMTPServerDataStream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.once('end', () => {
          if (refuse > 0) {
            refuse -= 1;
            state.refused451 += 1;
            const err = Object.assign(new Error('fault run: try again later'), { responseCode: 451 });
            callback(err);
            return;
          }
          const headers = parseRawHeaders(Buffer.concat(chunks));
          received.push({ messageId: headers['message-id']?.[0] ?? '', to: session.envelope.rcptTo.map((r) => r.address), at: Date.now() });
          if (delay <= 0) return callback(null, 'queued');
          flying += 1;
          setTimeout(() => {
            flying -= 1;
            callback(null, 'queued');
          }, delay);
        });
      },
    });
    s.on('error', () => {});
    return s;
  };
  const listen = (s: SMTPServer, at: number) => new Promise<number>((resolve, reject) => {
    s.server.once('error', reject);
    s.listen(at, '127.0.0.1', () => resolve((s.server.address() as { port: number }).port));
  });
  const close = async () => {
    const s = server;
    server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  server = make();
  port = await listen(server, 0);
  return {
    get port() {
      return port;
    },
    received,
    get refused451() {
      return state.refused451;
    },
    set refused451(v: number) {
      state.refused451 = v;
    },
    refuseNext(n) {
      refuse = n;
    },
    setReplyDelay(ms) {
      delay = ms;
    },
    inFlight: () => flying,
    down: close,
    async up() {
      if (server) return;
      server = make();
      await listen(server, port);
    },
    stop: close,
  };
}
