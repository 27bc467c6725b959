import type { Config } from '../config';
import type { Db, Tx } from '../db/client';
import { countRecentMailTo } from '../db/outbox-queries';

/** Kinds of automatic answer to a requester that count against the per-sender limit. */
export const RATE_LIMITED_KINDS = ['non-conformity', 'link-still-valid', 'too-large'];

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
