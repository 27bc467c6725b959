import type { PlainMail } from './smtp-nodemailer';

/** What the daemon asks its SMTP thread (src/mail/smtp-thread.ts). */
export type ThreadRequest =
  | { id: number; op: 'send'; mail: PlainMail }
  | { id: number; op: 'verify' }
  | { op: 'close' };

/** Its answer to a request, by id: nodemailer's result, or the parts of its error that liquibot reads. */
export type ThreadReply =
  | { id: number; ok: true; response: string }
  | { id: number; ok: false; error: { code: string | undefined; responseCode: number | undefined; message: string } };
