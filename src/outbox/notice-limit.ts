import type { Config } from '../config';
import type { Db, Tx } from '../db/client';
import { countRecentMailTo, countRecentThreadMailTo } from '../db/outbox-queries';

/** Kinds of automatic answer to a requester that count against the per-sender limit. */
export const RATE_LIMITED_KINDS = ['non-conformity', 'link-still-valid', 'too-large'];

/** Kinds of automatic answer on one request's thread that count against the per-thread limit. */
export const THREAD_LIMITED_KINDS = ['non-conformity', 'link-still-valid', 'handoff-notice'];

/**
 * Whether the mailbox may get one more automatic notice now (loop protection). Counted per mailbox,
 * not per written address: subaddresses, case, quoting, IDN forms and the root dot do not make a
 * sender new (parsers/mailbox.ts; SUBADDRESS_SEPARATORS when given, `+` otherwise).
 */
export async function noticeAllowed(
  config: Pick<Config, 'NOTICE_RATE_WINDOW_MINUTES' | 'NOTICE_RATE_LIMIT'> & Partial<Pick<Config, 'SUBADDRESS_SEPARATORS'>>,
  db: Db | Tx, to: string, now: Date,
): Promise<boolean> {
  const since = new Date(now.getTime() - config.NOTICE_RATE_WINDOW_MINUTES * 60_000);
  const mailbox = { subaddressSeparators: config.SUBADDRESS_SEPARATORS };
  return (await countRecentMailTo(db, to, RATE_LIMITED_KINDS, since, mailbox)) < config.NOTICE_RATE_LIMIT;
}

/**
 * Whether one more automatic answer may go to this address on this request's thread (loop protection:
 * "limit loops, not work"). A new request always gets its first answer; a thread that keeps bouncing
 * answers back and forth (an autoresponder that ignores RFC 3834, a requester's script) gets at most
 * NOTICE_RATE_LIMIT of them per NOTICE_RATE_WINDOW_MINUTES, and the ticket's history says when one
 * was held back. Other requests of the same sender are never held back by this one.
 */
export async function threadNoticeAllowed(
  config: Pick<Config, 'NOTICE_RATE_WINDOW_MINUTES' | 'NOTICE_RATE_LIMIT'> & Partial<Pick<Config, 'SUBADDRESS_SEPARATORS'>>,
  db: Db | Tx, ticketId: number, to: string, now: Date,
): Promise<boolean> {
  const since = new Date(now.getTime() - config.NOTICE_RATE_WINDOW_MINUTES * 60_000);
  const mailbox = { subaddressSeparators: config.SUBADDRESS_SEPARATORS };
  return (await countRecentThreadMailTo(db, ticketId, to, THREAD_LIMITED_KINDS, since, mailbox)) < config.NOTICE_RATE_LIMIT;
}
