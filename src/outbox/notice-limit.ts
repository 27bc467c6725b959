import type { Config } from '../config';
import type { Db, Tx } from '../db/client';
import { countRecentMailTo } from '../db/outbox-queries';

/** Kinds of automatic answer to a requester that count against the per-sender limit. */
export const RATE_LIMITED_KINDS = ['non-conformity', 'link-still-valid', 'too-large'];

/** Whether the address may get one more automatic notice now (loop protection). */
export async function noticeAllowed(
  config: Pick<Config, 'NOTICE_RATE_WINDOW_MINUTES' | 'NOTICE_RATE_LIMIT'>, db: Db | Tx, to: string, now: Date,
): Promise<boolean> {
  const since = new Date(now.getTime() - config.NOTICE_RATE_WINDOW_MINUTES * 60_000);
  return (await countRecentMailTo(db, to, RATE_LIMITED_KINDS, since)) < config.NOTICE_RATE_LIMIT;
}
