/**
 * Using a reset link: the token, then the SIRET / NOM / PRÉNOM triplet checked against the
 * accounts directory, as the procedure asks of the liquidator ("saisie du triplet de connexion").
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accounts, resetLinks, ticketEvents } from '../db/schema';
import { normalizeSiret } from '../../parsers/siret';
import { constantTimeEqualText, hashResetToken, normalizePersonName } from './reset-token';

export type VerifyResult = 'valid' | 'expired' | 'already_used' | 'mismatch' | 'unknown';

export interface VerifyInput {
  /** The token from the link, as given; only its hash is looked up, it is never stored nor logged. */
  token: string;
  siret: string;
  lastName: string;
  firstName: string;
  now: Date;
  /** Wrong triplets allowed before the link is locked (marked 'expired'); default 5. */
  maxFailedAttempts?: number;
  /** Who asked, for the ticket history: 'portal' (default), 'terminal:alice', … */
  actor?: string;
}

export interface VerifyOutcome {
  result: VerifyResult;
  /** The link's ticket; absent for 'unknown'. */
  ticketId?: number;
  /** True on the wrong attempt that used up the last try: the link is now expired. */
  lockedOut?: true;
}

export const DEFAULT_MAX_FAILED_ATTEMPTS = 5;

/** Which parts of the triplet were wrong, for the history only (never returned to the caller). */
type MismatchPart = 'siret' | 'no_account' | 'last_name' | 'first_name';

/**
 * Verifies a reset link, in one transaction with the link row locked (`FOR UPDATE`), so that two
 * simultaneous uses cannot both succeed:
 *
 * - no link has this token's hash → 'unknown' (nothing recorded: there is no ticket to record it on);
 * - the link was used → 'already_used';
 * - it is expired, superseded, or `expires_at <= now` → 'expired' (an active link past its
 *   expiry is marked 'expired' on the way);
 * - the SIRET given (normalized) differs from the link's, or the directory has no account for the
 *   link's SIRET, or the normalized last or first name differs from the directory's (compared in
 *   constant time) → 'mismatch' and `failed_attempts + 1`; the attempt that reaches
 *   `maxFailedAttempts` also marks the link 'expired' (and says `lockedOut`), so every later
 *   attempt, right or wrong, gets 'expired' and the liquidator must ask for a new link;
 * - otherwise → 'valid': the link is marked 'used' with `used_at = now`.
 *
 * Every outcome but 'unknown' writes a ticket_events row `link_verified` with
 * `{ result, linkId }` (plus which parts mismatched and the failure count). The ticket's
 * status is not changed here.
 */
export async function verifyResetLink(db: Db, input: VerifyInput): Promise<VerifyOutcome> {
  const maxFailed = input.maxFailedAttempts ?? DEFAULT_MAX_FAILED_ATTEMPTS;
  const actor = input.actor ?? 'portal';
  const tokenHash = hashResetToken(input.token);
  return db.transaction(async (tx) => {
    const [link] = await tx.select().from(resetLinks).where(eq(resetLinks.tokenHash, tokenHash)).for('update');
    if (!link) return { result: 'unknown' as const };

    const record = async (result: VerifyResult, extra: Record<string, unknown> = {}): Promise<void> => {
      await tx.insert(ticketEvents).values({
        ticketId: link.ticketId, at: input.now, kind: 'link_verified', actor, detail: { result, linkId: link.id, ...extra },
      });
    };

    if (link.status === 'used') {
      await record('already_used');
      return { result: 'already_used' as const, ticketId: link.ticketId };
    }
    if (link.status !== 'active' || link.expiresAt.getTime() <= input.now.getTime()) {
      if (link.status === 'active') await tx.update(resetLinks).set({ status: 'expired' }).where(eq(resetLinks.id, link.id));
      await record('expired', { status: link.status });
      return { result: 'expired' as const, ticketId: link.ticketId };
    }

    const [account] = await tx.select().from(accounts).where(eq(accounts.siret, link.siret));
    // every comparison is made, whatever fails first, so timing says nothing about which part is wrong
    const siretOk = constantTimeEqualText(normalizeSiret(input.siret.trim()), link.siret);
    const lastOk = constantTimeEqualText(normalizePersonName(input.lastName), normalizePersonName(account?.lastName ?? '\u0000'));
    const firstOk = constantTimeEqualText(normalizePersonName(input.firstName), normalizePersonName(account?.firstName ?? '\u0000'));
    if (siretOk && account && lastOk && firstOk) {
      await tx.update(resetLinks).set({ status: 'used', usedAt: input.now }).where(eq(resetLinks.id, link.id));
      await record('valid');
      return { result: 'valid' as const, ticketId: link.ticketId };
    }

    const mismatch: MismatchPart[] = [];
    if (!siretOk) mismatch.push('siret');
    if (!account) mismatch.push('no_account');
    else {
      if (!lastOk) mismatch.push('last_name');
      if (!firstOk) mismatch.push('first_name');
    }
    const [updated] = await tx
      .update(resetLinks)
      .set({ failedAttempts: sql`${resetLinks.failedAttempts} + 1` })
      .where(eq(resetLinks.id, link.id))
      .returning({ failedAttempts: resetLinks.failedAttempts });
    const failedAttempts = updated?.failedAttempts ?? link.failedAttempts + 1;
    const lockedOut = failedAttempts >= maxFailed;
    if (lockedOut) await tx.update(resetLinks).set({ status: 'expired' }).where(eq(resetLinks.id, link.id));
    await record('mismatch', { mismatch, failedAttempts, ...(lockedOut ? { lockedOut: true } : {}) });
    return { result: 'mismatch' as const, ticketId: link.ticketId, ...(lockedOut ? { lockedOut: true as const } : {}) };
  });
}
