import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import type { Logger } from '../log';
import { reconnectDelayMs, troubleText, type ConnectionTrouble, type ConnectionTroubleKind } from './retry-backoff';

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
 * An attachment handed to nodemailer as a stream of 64 KiB views of its bytes (no copies). Given one
 * Buffer, nodemailer base64-encodes it in one go: sending a 40 MiB document took +163 MB of RSS, and +3 MB
 * this way.
 */
function inPieces(content: Buffer): Readable {
  return Readable.from((function* () {
    for (let at = 0; at < content.length; at += 64 * 1024) yield content.subarray(at, at + 64 * 1024);
  })(), { objectMode: false });
}

/** SMTP connections kept open; the outbox sends this many mails at once. */
export const SMTP_POOL_SIZE = 3;

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
 * The only file that imports nodemailer. One SMTP connection at a time, no pool requeues:
 * a failed send is retried by the outbox, never silently by the library.
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
  } = {},
): SmtpSender {
  const socketTimeout = opts.timeoutMs ?? 60_000;
  const connectTimeout = Math.min(15_000, socketTimeout);
  const url = new URL(smtpUrl);
  const now = opts.now ?? (() => new Date());
  const slog = log.child({ component: 'smtp' });
  const transport = nodemailer.createTransport({
    // A few kept-open connections instead of one per mail; a failed mail is never requeued by the pool
    // (the outbox retries it), so nothing is sent twice behind our back.
    pool: true,
    maxConnections: SMTP_POOL_SIZE,
    maxMessages: 500,
    maxRequeues: 0,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // Plain smtp:// means no STARTTLS upgrade attempt unless the server offers it and it works.
    ignoreTLS: url.searchParams.get('starttls') === 'never',
    requireTLS: url.searchParams.get('starttls') === 'require',
    connectionTimeout: connectTimeout,
    greetingTimeout: connectTimeout,
    socketTimeout,
  });
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
      await transport.verify();
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
      const headers: Record<string, string> = {};
      if (mail.autoSubmitted) headers['Auto-Submitted'] = mail.autoSubmitted;
      // Our own marker, for recognising our mail coming back (the ref is ours, never user data).
      if (mail.ticketRef) headers['X-Liquibot-Ticket'] = mail.ticketRef;
      // Ask Exchange not to answer our automatic mail with its own automatic replies.
      headers['X-Auto-Response-Suppress'] = 'All';
      try {
        const info = await transport.sendMail({
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
          attachments: mail.attachments?.map((a) => ({ ...a, content: inPieces(a.content) })),
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        recordOk();
        return { kind: 'sent', response: String(info.response ?? '') };
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
      }
    },
    close() {
      watching = false;
      if (timer) clearTimeout(timer);
      transport.close();
    },
  };
}
