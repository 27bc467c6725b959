import { Worker } from 'node:worker_threads';
import { buildNodeBundle, type NodeBundle } from '../node-bundle';
import type { PlainMail, SmtpTransport, SmtpTransportOptions } from './smtp-nodemailer';
import type { ThreadReply, ThreadRequest } from './smtp-thread-protocol';

/** The SMTP thread's code, bundled once per process and shared by its senders (a test starts many daemons). */
let bundle: Promise<NodeBundle> | null = null;

let started = 0;
/** How many SMTP threads this process started (tests check that a burst went through one). */
export const smtpThreadsStarted = (): number => started;

/** How long a closing thread may take to say QUIT to the server before it is ended. */
const CLOSE_DEADLINE_MS = 5_000;

/**
 * The nodemailer transport run in a worker thread (src/mail/smtp-thread.ts): the same calls, answered
 * by the thread. The thread starts on the first call (the bundle takes about 50 ms to build, once). A
 * thread that fails or exits fails the calls it had with a connection error (ESOCKET: the outbox tries
 * those mails again) and is started again on the next call. It never keeps the process alive.
 */
export function createThreadTransport(options: SmtpTransportOptions): SmtpTransport {
  let thread: Promise<Worker> | null = null;
  /** The thread `thread` resolved to, once started. */
  let active: Worker | null = null;
  let closed = false;
  let nextId = 1;
  const pending = new Map<number, { resolve: (response: string) => void; reject: (err: Error) => void }>();

  const threadError = (why: string) => Object.assign(new Error(`SMTP thread ${why}`), { code: 'ESOCKET' });
  function failAll(why: string): void {
    for (const call of pending.values()) call.reject(threadError(why));
    pending.clear();
  }

  async function start(): Promise<Worker> {
    bundle ??= buildNodeBundle('mail/smtp-thread.ts', 'smtp-thread').catch((err: unknown) => {
      bundle = null;
      throw err;
    });
    const { file } = await bundle;
    // Its heap bounded: it holds a few mails at a time (THREAD_MAX_ATTACHMENT_BYTES each at most), and every
    // megabyte it keeps adds to the daemon's resident memory (a small young generation: +8 MB otherwise).
    const worker = new Worker(file, { workerData: options, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 } });
    worker.unref();
    active = worker;
    started += 1;
    // Its calls fail; the next call starts another thread.
    // (Only while it is the active thread: an 'exit' that follows its 'error' must not fail the calls
    // of the thread started meanwhile.)
    const lost = (why: string) => {
      if (active !== worker) return;
      active = null;
      thread = null;
      failAll(why);
    };
    worker.on('message', (reply: ThreadReply) => {
      const call = pending.get(reply.id);
      if (!call) return;
      pending.delete(reply.id);
      if (reply.ok) call.resolve(reply.response);
      else call.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code, responseCode: reply.error.responseCode }));
    });
    worker.on('error', (err) => lost(`failed: ${err.message}`));
    worker.on('exit', (code) => lost(`stopped (exit code ${code})`));
    return worker;
  }

  function call(request: { op: 'send'; mail: PlainMail } | { op: 'verify' }): Promise<string> {
    if (closed) return Promise.reject(threadError('closed'));
    thread ??= start().catch((err: unknown) => {
      thread = null;
      throw err;
    });
    const running = thread;
    return new Promise<string>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      running.then(
        (worker) => worker.postMessage({ ...request, id } satisfies ThreadRequest),
        (err: unknown) => {
          pending.delete(id);
          reject(threadError(`could not start: ${(err as Error)?.message ?? String(err)}`));
        },
      );
    });
  }

  return {
    async sendMail(mail) {
      return { response: await call({ op: 'send', mail }) };
    },
    async verify() {
      await call({ op: 'verify' });
    },
    close() {
      closed = true;
      const running = thread;
      thread = null;
      active = null;
      failAll('closed');
      void running?.then((worker) => {
        worker.postMessage({ op: 'close' } satisfies ThreadRequest);
        setTimeout(() => void worker.terminate(), CLOSE_DEADLINE_MS).unref();
      }, () => {});
    },
  };
}
