import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { parseRawHeaders } from '../support/sandbox/raw-headers';
import type { SinkMessage } from '../support/sandbox/smtp-sink';

export interface HoldingSink {
  url: string;
  /** Every copy received (a held one included: its bytes arrived, only the 250 is withheld). */
  messages: SinkMessage[];
  /** Resolves with the first message held. */
  held: Promise<SinkMessage>;
  /** Answer 250 to the held messages whose sender is still connected. */
  release(): void;
  stop(): Promise<void>;
}

/**
 * An SMTP sink that receives a whole message and then does not answer it (no 250), for as long as the
 * test wants: the moment a sender is "mid-send" with its mail already on the server. Only the first
 * message whose recipient matches `hold` is held; every other one (a resend of it too) is accepted at once.
 */
export async function startHoldingSink(hold: (to: string) => boolean): Promise<HoldingSink> {
  const messages: SinkMessage[] = [];
  const pending: (() => void)[] = [];
  let holding = true;
  let heldOne!: (m: SinkMessage) => void;
  const held = new Promise<SinkMessage>((resolve) => (heldOne = resolve));
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'], authOptional: true, logger: false, closeTimeout: 1_000,
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.once('end', () => {
        const raw = Buffer.concat(chunks);
        const headers = parseRawHeaders(raw);
        const to = session.envelope.rcptTo.map((r) => r.address);
        const message: SinkMessage = {
          raw, envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, to },
          receivedAt: new Date(), messageId: headers['message-id']?.[0], subject: headers.subject?.[0], headers,
        };
        messages.push(message);
        if (holding && to.some(hold)) {
          holding = false;
          pending.push(() => callback(null, 'queued after a long wait'));
          heldOne(message);
          return;
        }
        callback(null, 'queued');
      });
    },
  });
  server.on('error', () => {});
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    held,
    release() {
      for (const answer of pending.splice(0)) answer();
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
