/**
 * Mail we must never answer (RFC 3834): our own, bounces, automatic replies, bulk and lists.
 * Answering them is how mail loops start.
 */
import type { InboundMail } from './inbound-mail.js';
import type { IgnoreReason } from './problems.js';

/** How we recognise our own mail. */
export interface OwnIdentity {
  /** Our sending addresses, any case. */
  addresses: readonly string[];
  /** The domain of the Message-IDs we generate, e.g. `liquibot.support.example.fr`. */
  messageIdDomain: string;
}

export type LoopIgnoreReason = Exclude<IgnoreReason, 'not-a-request'>;

function header(mail: InboundMail, name: string): string[] {
  return mail.headers[name] ?? [];
}

/** The value before any ';' parameters, trimmed and lower-cased. */
function mainValue(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** The top-level report-type parameter, read from the raw Content-Type. */
function reportType(mail: InboundMail): string | null {
  if (mail.contentType !== 'multipart/report') return null;
  const raw = header(mail, 'content-type')[0] ?? '';
  return /;\s*report-type\s*=\s*"?([A-Za-z0-9-]+)/i.exec(raw)?.[1]?.toLowerCase() ?? null;
}

function isOwnMail(mail: InboundMail, own: OwnIdentity): boolean {
  const from = mail.from?.address.toLowerCase();
  if (from && own.addresses.some((a) => a.toLowerCase() === from)) return true;
  const domain = own.messageIdDomain.toLowerCase();
  if (domain && mail.messageId?.toLowerCase().endsWith(`@${domain}>`)) return true;
  return header(mail, 'x-liquibot-ticket').length > 0;
}

function isBounce(mail: InboundMail): boolean {
  if (reportType(mail) === 'delivery-status') return true;
  if (mail.attachments.some((a) => mainValue(a.declaredType) === 'message/delivery-status')) return true;
  const local = (mail.from?.address ?? '').split('@')[0]?.toLowerCase();
  if (local === 'mailer-daemon' || local === 'postmaster') return true;
  return mail.returnPath === '';
}

function isAutoReply(mail: InboundMail): boolean {
  if (header(mail, 'auto-submitted').some((v) => mainValue(v) !== 'no')) return true;
  // Outlook sets X-Auto-Response-Suppress on some ordinary mail too; listed here on purpose (see report)
  if (['x-autoreply', 'x-autorespond', 'x-auto-response-suppress'].some((n) => header(mail, n).length > 0)) return true;
  // read receipts (RFC 8098) are machine-made answers as well
  return reportType(mail) === 'disposition-notification';
}

function isBulk(mail: InboundMail): boolean {
  if (header(mail, 'precedence').some((v) => ['bulk', 'list', 'junk'].includes(mainValue(v)))) return true;
  return header(mail, 'list-id').length > 0 || header(mail, 'list-unsubscribe').length > 0;
}

/**
 * Why this mail must not be answered, or null. Checked in this order:
 * - 'own-mail': From is one of our addresses, the Message-ID ends with `@<messageIdDomain>>`,
 *   or an `X-Liquibot-Ticket` header is present;
 * - 'bounce': multipart/report with report-type=delivery-status (or a message/delivery-status
 *   attachment), From local part MAILER-DAEMON or postmaster, or an empty Return-Path `<>`;
 * - 'auto-reply': Auto-Submitted present and not `no` (parameters ignored), X-Autoreply,
 *   X-Autorespond, X-Auto-Response-Suppress present, or a read receipt (disposition-notification);
 * - 'bulk': Precedence bulk/list/junk, List-Id or List-Unsubscribe present.
 */
export function detectIgnoreReason(mail: InboundMail, own: OwnIdentity): LoopIgnoreReason | null {
  if (isOwnMail(mail, own)) return 'own-mail';
  if (isBounce(mail)) return 'bounce';
  if (isAutoReply(mail)) return 'auto-reply';
  if (isBulk(mail)) return 'bulk';
  return null;
}
