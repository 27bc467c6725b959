import type { ParsedMail } from 'mailparser';
import type Mail from 'nodemailer/lib/mailer';

/** The floor's two mails for one request: what liquibot sends, without its templates. */
export interface FloorOutboxRow {
  purpose: 'ack' | 'approval';
  messageId: string;
  recipient: string;
}

export interface FloorMailContext {
  from: string;
  agents: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * nodemailer options for one outbox row: the acknowledgment threads on the request (In-Reply-To and
 * References, marked auto-replied), the approval request to the agents re-attaches the request's
 * attachments (the PDF). Both text + HTML, as liquibot's are.
 */
export function floorMail(row: FloorOutboxRow, parsed: ParsedMail, ctx: FloorMailContext): Mail.Options {
  const subject = parsed.subject ?? '';
  const sender = parsed.from?.value[0]?.address ?? '';
  const body = (parsed.text ?? '').slice(0, 2000);
  if (row.purpose === 'ack') {
    const refs = [...(Array.isArray(parsed.references) ? parsed.references : parsed.references ? [parsed.references] : []), ...(parsed.messageId ? [parsed.messageId] : [])];
    const text = `Bonjour,\n\nNous avons bien reçu votre demande « ${subject} ». Elle est transmise aux agents.\n\nLe support`;
    return {
      from: ctx.from, to: row.recipient, subject: `Re: ${subject}`, messageId: row.messageId,
      ...(parsed.messageId ? { inReplyTo: parsed.messageId } : {}), references: refs,
      headers: { 'Auto-Submitted': 'auto-replied' },
      text, html: `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>`,
    };
  }
  const text = `Demande de ${sender} : ${subject}\n\n${body}\n\nRépondre « Accepté » ou « Refusé ».`;
  return {
    from: ctx.from, to: row.recipient, subject: `Validation : ${subject}`, messageId: row.messageId,
    text, html: `<pre>${escapeHtml(text)}</pre>`,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
  };
}

/** Split sorted UIDs into chunks of at most `size`: one FETCH each. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
