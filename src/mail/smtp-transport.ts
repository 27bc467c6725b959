import type { Logger } from '../log';
import { reconnectDelayMs, troubleText, type ConnectionTrouble, type ConnectionTroubleKind } from './retry-backoff';
import { createNodemailerTransport, smtpTransportOptions, type PlainMail, type SmtpTransport } from './smtp-nodemailer';
import { createThreadTransport } from './smtp-thread-transport';

export { SMTP_POOL_SIZE } from './smtp-nodemailer';

/** A mail ready to hand to SMTP: everything fixed in the outbox row before the first attempt. */
export interface OutgoingMail {
  messageId: string;
  from: { name: string; address: string };
  to: string;
  replyTo?: string | null;
  subject: string;
  text: string;
  html?: string | null;
  inReplyTo?: string | null;
  references: string[];
  autoSubmitted?: 'auto-replied' | 'auto-generated' | null;
  ticketRef?: string | null;
  attachments?: { filename: string; content: Buffer; contentType?: string }[];
}

export type SendResult =
  | { kind: 'sent'; response: string }
  | { kind: 'transient'; error: string; responseCode?: number }
  | { kind: 'permanent'; error: string; responseCode: number };

/**
 * Mails whose attachments weigh more than this are sent from the daemon's own thread: handing one to the
 * SMTP thread copies it (a 40 MiB court document would add 40 MB to the daemon's peak), and such mails are
 * rare enough that the time they take on the main thread does not matter.
 */
export const THREAD_MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024;

/** The SMTP thread stops after this long without a mail to send (see createSmtpSender). */
export const THREAD_IDLE_MS = 30_000;

export interface MailSender {
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

/** 'unknown': not tried yet. 'unreachable' and 'auth_failed' last until a check or a send succeeds. */
export type SmtpState = 'unknown' | 'ok' | 'unreachable' | 'auth_failed';

export interface SmtpHealth {
  state: SmtpState;
  trouble: ConnectionTrouble | null;
}

/** The sender the daemon uses: it also knows whether the SMTP server works, and checks it on its own. */
export interface SmtpSender extends MailSender {
  health(): SmtpHealth;
  /** False while the server is known unreachable or refuses our login: mail is then left waiting, attempts unspent. */
  canSend(): boolean;
  /** Check the server now (connect, log in, quit), again with backoff while it fails, and every few minutes of quiet. */
  watch(): void;
}

/** Re-checks of a failing server: from 2 s, doubling, up to this (a refused login: see reconnectDelayMs). */
const RECHECK_MAX_MS = 60_000;
/** A server that works is checked again after this long without a successful send. */
const QUIET_CHECK_MS = 5 * 60_000;

/** Codes of nodemailer's errors (its lib/errors) that mean the server was not reached or the connection broke. */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROXY', 'ECONNREFUSED']);

/**
 * What an SMTP error says about the server as a whole, or null when it is about one mail (a recipient or a
 * message refused: the server was reached and accepted our login). A refused login (EAUTH, ENOAUTH, 530
 * "authentication required", 534, 535) is our configuration; 421 is the server closing the session.
 */
export function smtpTrouble(err: unknown): { kind: ConnectionTroubleKind; error: string } | null {
  const e = (err ?? {}) as { responseCode?: number; message?: string; code?: string };
  const text = troubleText(`${e.code ?? 'ERROR'} ${e.responseCode ?? ''} ${e.message ?? String(err)}`.replace(/ {2,}/g, ' ').trim());
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.responseCode === 530 || e.responseCode === 534 || e.responseCode === 535) {
    return { kind: 'auth_failed', error: text };
  }
  if ((e.code && CONNECTION_CODES.has(e.code)) || e.responseCode === 421) return { kind: 'unreachable', error: text };
  return null;
}

/**
 * The daemon's SMTP sender: a pool of SMTP_POOL_SIZE connections, no pool requeues (a failed send is
 * retried by the outbox, never silently by the library), and the server's health. With `thread`, the mails
 * of a burst are built and written by a worker thread (src/mail/smtp-thread.ts) beside the daemon's
 * thread, but those with large attachments (THREAD_MAX_ATTACHMENT_BYTES).
 */
export function createSmtpSender(
  smtpUrl: string, log: Logger,
  /** onRecovered: the server works (first check, or again after failing); mail that waited can go. */
  opts: {
    onRecovered?: () => void; now?: () => Date;
    /**
     * A server that accepts the connection and then says nothing: connecting and the greeting get
     * min(15 s, this), any later silence this long ends the connection (ETIMEDOUT: a connection trouble,
     * so the server shows unreachable and the mail is retried). Default 60 s.
     */
    timeoutMs?: number;
    /** Send bursts from a worker thread (the daemon does); default false, everything on the caller's thread. */
    thread?: boolean;
    /** How long the SMTP thread waits for work before it stops; default THREAD_IDLE_MS. */
    threadIdleMs?: number;
  } = {},
): SmtpSender {
  const options = smtpTransportOptions(smtpUrl, opts.timeoutMs ?? 60_000);
  const now = opts.now ?? (() => new Date());
  const slog = log.child({ component: 'smtp' });
  // This thread's transport, made when first needed; the SMTP thread's, for bursts only (below).
  let local: SmtpTransport | null = null;
  const here = () => (local ??= createNodemailerTransport(options));
  let threaded: SmtpTransport | null = null;
  let threadIdle: NodeJS.Timeout | null = null;
  let closed = false;
  /** Sends under way: a send that starts while another is under way is part of a burst. */
  let inFlight = 0;
  const idleMs = opts.threadIdleMs ?? THREAD_IDLE_MS;
  /**
   * The SMTP thread runs during bursts only (a backlog, a batch of answers): a mail that starts sending
   * while another is under way starts it, and from then on every mail but the large ones goes through it,
   * until it has sent nothing for THREAD_IDLE_MS. A lone mail stays on the daemon's thread: the SMTP
   * thread costs about 20 MB of resident memory while it runs, which a quiet daemon does not spend.
   */
  const transportFor = (mail: PlainMail): SmtpTransport => {
    const attached = (mail.attachments ?? []).reduce((n, a) => n + a.content.byteLength, 0);
    if (!opts.thread || attached > THREAD_MAX_ATTACHMENT_BYTES || (!threaded && inFlight === 0)) return here();
    threaded ??= createThreadTransport(options);
    if (threadIdle) clearTimeout(threadIdle);
    const stopWhenIdle = () => {
      // A send still under way (a slow server) keeps the thread: closing it would fail a mail the server may accept.
      if (inFlight > 0) {
        threadIdle = setTimeout(stopWhenIdle, idleMs);
        threadIdle.unref();
        return;
      }
      threadIdle = null;
      threaded?.close();
      threaded = null;
    };
    threadIdle = setTimeout(stopWhenIdle, idleMs);
    threadIdle.unref();
    return threaded;
  };
  let health: SmtpHealth = { state: 'unknown', trouble: null };
  let watching = false;
  let timer: NodeJS.Timeout | null = null;
  let lastOkAt = 0;

  const schedule = (ms: number) => {
    if (!watching) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void check(), ms);
    timer.unref();
  };

  function recordOk(): void {
    const before = health;
    health = { state: 'ok', trouble: null };
    lastOkAt = now().getTime();
    if (before.trouble) slog.info({ after: before.trouble.attempts, since: before.trouble.since.toISOString() }, 'smtp server works again');
    if (before.state !== 'ok') opts.onRecovered?.();
    schedule(QUIET_CHECK_MS);
  }

  /** A failure of a check (`fromCheck`) or of a send. A send failing the same way as before changes only the error shown. */
  function recordTrouble(kind: ConnectionTroubleKind, error: string, fromCheck: boolean): void {
    const at = now();
    const previous = health.trouble;
    if (!fromCheck && previous?.kind === kind) {
      health = { state: kind, trouble: { ...previous, error, lastAttemptAt: at } };
      return;
    }
    const attempts = (previous?.kind === kind ? previous.attempts : 0) + 1;
    const delay = reconnectDelayMs(kind, attempts, { baseMs: 2_000, maxMs: RECHECK_MAX_MS });
    health = {
      state: kind,
      trouble: { kind, error, since: previous?.since ?? at, lastAttemptAt: at, attempts, nextAttemptAt: watching ? new Date(at.getTime() + delay) : null },
    };
    const fields = { err: error, attempt: attempts, retryInMs: watching ? delay : undefined };
    // A refused login is an error for the operator to fix; the outbox waits meanwhile, its mails unspent.
    if (kind === 'auth_failed') slog.error(fields, 'smtp authentication failed');
    else slog.warn(fields, 'smtp server unreachable');
    schedule(delay);
  }

  async function check(): Promise<void> {
    if (!watching) return;
    // Quiet checks only when nothing was sent meanwhile: a successful send is proof enough.
    if (health.state === 'ok' && now().getTime() - lastOkAt < QUIET_CHECK_MS) {
      schedule(QUIET_CHECK_MS - (now().getTime() - lastOkAt));
      return;
    }
    try {
      await here().verify();
      recordOk();
    } catch (err) {
      const trouble = smtpTrouble(err) ?? { kind: 'unreachable' as const, error: troubleText(String((err as Error)?.message ?? err)) };
      recordTrouble(trouble.kind, trouble.error, true);
    }
  }

  return {
    health: () => health,
    // Not tried yet counts as working: a mail that comes before the first check answers spends one attempt at most.
    canSend: () => health.state === 'ok' || health.state === 'unknown',
    watch() {
      if (watching) return;
      watching = true;
      void check();
    },
    async send(mail) {
      // Closed with the daemon: a send that comes after is left for the next start.
      if (closed) return { kind: 'transient', error: 'sender closed' };
      const headers: Record<string, string> = {};
      if (mail.autoSubmitted) headers['Auto-Submitted'] = mail.autoSubmitted;
      // Our own marker, for recognising our mail coming back (the ref is ours, never user data).
      if (mail.ticketRef) headers['X-Liquibot-Ticket'] = mail.ticketRef;
      // Ask Exchange not to answer our automatic mail with its own automatic replies.
      headers['X-Auto-Response-Suppress'] = 'All';
      const plain: PlainMail = {
        messageId: mail.messageId,
        from: { name: mail.from.name, address: mail.from.address },
        to: mail.to,
        replyTo: mail.replyTo ?? undefined,
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? undefined,
        inReplyTo: mail.inReplyTo ?? undefined,
        references: mail.references.length > 0 ? mail.references.join(' ') : undefined,
        headers,
        attachments: mail.attachments,
      };
      const transport = transportFor(plain);
      inFlight += 1;
      try {
        const info = await transport.sendMail(plain);
        recordOk();
        return { kind: 'sent', response: info.response };
      } catch (err) {
        const e = err as { responseCode?: number; message?: string; code?: string };
        const message = `${e.code ?? 'ERROR'} ${e.responseCode ?? ''} ${e.message ?? String(err)}`.trim();
        const trouble = smtpTrouble(err);
        // The server answered about this mail: it is reachable and took our login.
        if (!trouble) recordOk();
        else recordTrouble(trouble.kind, trouble.error, false);
        // A refused login (530/534/535) is our configuration, not the recipient: the mail waits until it is fixed.
        if (trouble?.kind !== 'auth_failed' && e.responseCode && e.responseCode >= 500 && e.responseCode < 600) {
          return { kind: 'permanent', error: message, responseCode: e.responseCode };
        }
        log.debug({ err: message }, 'smtp attempt failed');
        return { kind: 'transient', error: message, ...(e.responseCode ? { responseCode: e.responseCode } : {}) };
      } finally {
        inFlight -= 1;
      }
    },
    close() {
      closed = true;
      watching = false;
      if (timer) clearTimeout(timer);
      if (threadIdle) clearTimeout(threadIdle);
      threaded?.close();
      threaded = null;
      local?.close();
    },
  };
}
