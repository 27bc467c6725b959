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

/**
 * The reset link of a token: RESET_LINK_BASE_URL with the token put in its query string, with the
 * URL API (so a base with or without a trailing slash, with a query string or a fragment, gives a
 * well-formed link: the token never runs into the path).
 *
 * - A base with a parameter left empty (`…/liquidateur?token=`, the default) gets the token as that
 *   parameter's value: the link is `…/liquidateur?token=<token>`.
 * - Any other base gets a `token` parameter after its own: `https://portail.example.fr/reset` →
 *   `https://portail.example.fr/reset?token=<token>`; `…/reset/?lang=fr#x` → `…/reset/?lang=fr&token=<token>#x`.
 *
 * The base's path, parameters and fragment are kept as written. `token` is also
 * RESET_TOKEN_PLACEHOLDER, replaced at send time (base64url and the placeholder need no escaping, so
 * the replacement is exact). Whoever reads the link back (the portal, for POST /reset-links/verify)
 * takes the token from that parameter, e.g. `new URL(link).searchParams.get('token')`.
 *
 * @throws AppError CONFIG_INVALID when the base is not an absolute URL, leaves more than one parameter
 *   empty, or already has a `token` parameter with a value (the token's place would be ambiguous).
 */
export function resetLinkUrl(base: string, token: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new AppError('CONFIG_INVALID', 'RESET_LINK_BASE_URL is not an absolute URL');
  }
  const params = url.search.slice(1).split('&').filter(Boolean);
  const empty = params.flatMap((param, i) => (/^[^=]+=$/.test(param) ? [i] : []));
  if (empty.length > 1) throw new AppError('CONFIG_INVALID', 'RESET_LINK_BASE_URL leaves more than one parameter empty: which one is the token?');
  const value = encodeURIComponent(token);
  if (empty.length === 1) {
    params[empty[0]!] += value;
  } else {
    if (new URLSearchParams(url.search).has('token')) {
      throw new AppError('CONFIG_INVALID', 'RESET_LINK_BASE_URL already has a token parameter: end it with "token=" to put the token there');
    }
    params.push(`token=${value}`);
  }
  url.search = params.join('&');
  return url.href;
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
