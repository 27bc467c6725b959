/**
 * The SMTP thread: a worker thread that runs the nodemailer transport (building each MIME message,
 * base64-encoding its attachments, writing it to the server), so that this work, a fifth of the
 * daemon's CPU for a request and its court document, runs beside the intake instead of on its thread.
 * It answers each request of its parent (src/mail/smtp-thread-transport.ts) by id; it logs nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createNodemailerTransport, type PlainMail, type SmtpTransportOptions } from './smtp-nodemailer';
import type { ThreadReply, ThreadRequest } from './smtp-thread-protocol';

const port = parentPort!;
const transport = createNodemailerTransport(workerData as SmtpTransportOptions);

port.on('message', (request: ThreadRequest) => {
  if (request.op === 'close') {
    transport.close();
    port.close();
    return;
  }
  void answer(request.id, request.op === 'send' ? transport.sendMail(request.mail as PlainMail) : transport.verify().then(() => ({ response: '' })));
});

async function answer(id: number, work: Promise<{ response: string }>): Promise<void> {
  let reply: ThreadReply;
  try {
    reply = { id, ok: true, response: (await work).response };
  } catch (err) {
    const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
    reply = {
      id, ok: false,
      error: {
        code: typeof e.code === 'string' ? e.code : undefined,
        responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined,
        message: typeof e.message === 'string' ? e.message : String(err),
      },
    };
  }
  port.postMessage(reply);
}
