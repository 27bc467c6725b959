import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';

/**
 * The only file that imports nodemailer: the transport, as the daemon's thread or the SMTP thread
 * (src/mail/smtp-thread.ts) runs it. Everything it is given is plain data, so that it can cross to a
 * worker thread: options below, mails with their attachments as bytes.
 */

/** SMTP connections kept open; the outbox sends this many mails at once. */
export const SMTP_POOL_SIZE = 3;

/** How to reach the SMTP server: plain data, derived once from SMTP_URL (smtpTransportOptions). */
export interface SmtpTransportOptions {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string } | undefined;
  ignoreTLS: boolean;
  requireTLS: boolean;
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

/** A mail as nodemailer takes it, attachments as bytes (streamed in pieces when sent, see inPieces). */
export interface PlainMail {
  messageId: string;
  from: { name: string; address: string };
  to: string;
  replyTo?: string | undefined;
  subject: string;
  text: string;
  html?: string | undefined;
  inReplyTo?: string | undefined;
  references?: string | undefined;
  headers: Record<string, string>;
  attachments?: { filename: string; content: Uint8Array; contentType?: string | undefined }[] | undefined;
}

/** What the transport does; an error carries nodemailer's `code`, `responseCode` and `message`. */
export interface SmtpTransport {
  sendMail(mail: PlainMail): Promise<{ response: string }>;
  verify(): Promise<void>;
  close(): void;
}

/** SMTP_URL as transport options; `socketTimeout` bounds any silence, connecting and the greeting get min(15 s, it). */
export function smtpTransportOptions(smtpUrl: string, socketTimeout: number): SmtpTransportOptions {
  const url = new URL(smtpUrl);
  const connectTimeout = Math.min(15_000, socketTimeout);
  return {
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
  };
}

/**
 * An attachment handed to nodemailer as a stream of 64 KiB views of its bytes (no copies). Given one
 * Buffer, nodemailer base64-encodes it in one go: sending a 40 MiB document took +163 MB of RSS, and +3 MB
 * this way.
 */
function inPieces(content: Uint8Array): Readable {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  return Readable.from((function* () {
    for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
  })(), { objectMode: false });
}

/**
 * A few kept-open connections instead of one per mail; a failed mail is never requeued by the pool (the
 * outbox retries it), so nothing is sent twice behind our back.
 */
export function createNodemailerTransport(options: SmtpTransportOptions): SmtpTransport {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: SMTP_POOL_SIZE,
    maxMessages: 500,
    maxRequeues: 0,
    ...options,
  });
  return {
    async sendMail(mail) {
      const info = await transport.sendMail({
        ...mail,
        attachments: mail.attachments?.map((a) => ({ ...a, content: inPieces(a.content) })),
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return { response: String(info.response ?? '') };
    },
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };
}
