import type { ResetLink } from '../db/schema';

/** What liquibot does when the liquidator answers on a request whose link was sent. */
export type ReopenOutcome =
  | { kind: 'reissue' }
  | { kind: 'still-valid'; validUntil: Date }
  | { kind: 'already-used'; usedAt: Date | null }
  | { kind: 'back-to-agents'; reissues: number }
  | { kind: 'no-link' };

/**
 * The procedure (section 4): an expired link is not a new request; the liquidator reopens the same one.
 * If the last link expired unused, a new one is sent, up to `maxReissues` times; after that the agents decide
 * again. A link still valid is not replaced: the answer says until when.
 */
export function decideReopen(input: {
  lastLink: Pick<ResetLink, 'status' | 'expiresAt' | 'usedAt'> | null;
  reissues: number;
  maxReissues: number;
  now: Date;
}): ReopenOutcome {
  const { lastLink, now } = input;
  if (!lastLink) return { kind: 'no-link' };
  if (lastLink.status === 'used') return { kind: 'already-used', usedAt: lastLink.usedAt };
  const expired = lastLink.status === 'expired' || lastLink.status === 'superseded' || lastLink.expiresAt.getTime() <= now.getTime();
  if (!expired) return { kind: 'still-valid', validUntil: lastLink.expiresAt };
  if (input.reissues >= input.maxReissues) return { kind: 'back-to-agents', reissues: input.reissues };
  return { kind: 'reissue' };
}
