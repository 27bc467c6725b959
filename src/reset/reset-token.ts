import { AppError } from '../errors';
/**
 * Reset-link tokens and the comparisons made when a link is used. Pure: no I/O, no clock.
 *
 * The token is never stored: it is derived from RESET_LINK_SECRET and the link's row id when the
 * mail is sent, and only its SHA-256 is kept, so the database alone never yields a usable link.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Written in the stored mail body where the link's token goes; replaced at send time. */
export const RESET_TOKEN_PLACEHOLDER = 'LIQUIBOT_RESET_TOKEN_PLACEHOLDER';

/**
 * The token of reset link `linkId`: base64url(HMAC-SHA256(secret, 'liquibot-reset-link:' + linkId)),
 * 43 characters, 256 bits. Deterministic, so a mail re-sent after a crash carries the same link.
 */
export function deriveResetToken(secret: string, linkId: number): string {
  if (!secret) throw new AppError('CONFIG_INVALID', 'deriveResetToken: empty secret');
  if (!Number.isSafeInteger(linkId) || linkId <= 0) throw new AppError('INTERNAL', `deriveResetToken: bad link id ${linkId}`);
  return createHmac('sha256', secret).update(`liquibot-reset-link:${linkId}`).digest('base64url');
}

/** What the database keeps of a token: its SHA-256, hex. */
export function hashResetToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const HYPHENS_AND_APOSTROPHES = /[-\u2010-\u2015\u2212'\u2018\u2019\u02bc`\u00b4]/g;
const LIGATURES: Record<string, string> = { Œ: 'OE', Æ: 'AE' };

/**
 * A person's name as compared with the accounts directory: accents removed (NFD), upper case,
 * Œ/Æ spelled OE/AE, hyphens and apostrophes as spaces, whitespace collapsed, trimmed.
 *
 * @example normalizePersonName(" d'Estaing-Giscard  Valéry ") === 'D ESTAING GISCARD VALERY'
 */
export function normalizePersonName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[ŒÆ]/g, (c) => LIGATURES[c] ?? c)
    .replace(HYPHENS_AND_APOSTROPHES, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Equality of two strings in time that does not depend on where they differ (nor on their
 * lengths): their SHA-256 digests are compared with crypto.timingSafeEqual.
 */
export function constantTimeEqualText(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
