/**
 * Recognises the subject the procedure asks for:
 * `LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE`.
 *
 * Tolerated: case, accents (PROCÉDURE SPÉCIFIQUE), any dash or none between the
 * two halves, odd whitespace (NBSP), any number of reply/forward prefixes
 * (RE:, Re :, TR:, Fwd:, FW:, AW:, WG:, SV:, VS:, RIF:, Réf. :, RE[2]:), and
 * bracketed ticket tags anywhere ([Incident: 261126-000042], [LJ-261126-0042]).
 *
 * Decided: words AFTER the phrase are tolerated when separated from it
 * ("… PROCEDURE SPECIFIQUE - SARL DUPONT"), words BEFORE it are not (other than
 * the prefixes and tags above): "Question sur LIQUIDATEUR JUDICIAIRE …" or
 * "Réponse automatique : LIQUIDATEUR …" is someone writing about the procedure,
 * not a request made through it.
 */

/** Our ticket reference: `LJ-YYMMDD-NNNN` (4 or more digits), case-insensitive. Not global: safe to reuse. */
export const TICKET_REF_RE = /\bLJ-\d{6}-\d{4,}\b/i;

const BRACKET_TAG = /\[[^\]]*\]/g;
const REPLY_PREFIX = /^(?:RE|TR|FWD?|AW|WG|SV|VS|RIF|REF|ANTW|ENC|RES)\s*(?:\[\d+\]|\(\d+\))?\s*\.?\s*[:\uff1a]/;
const LEADING_NOISE = /^[\s"'«»“”*\p{Pd}:]+/u;
const REQUEST_PHRASE =
  /^LIQUIDATEUR\s+JUDICIAIRE[\s\p{Pd}\u2212:/|_.,]*PROCEDURE\s+SPECIFIQUE(?![\p{L}\p{N}])/u;

/** Upper-case and strip diacritics, so that PROCÉDURE and procedure compare equal. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
}

/** The subject with tags and reply/forward prefixes removed, folded. */
function coreOf(subject: string): string {
  let s = fold(subject).replace(BRACKET_TAG, ' ');
  for (;;) {
    const next = s.replace(LEADING_NOISE, '').replace(REPLY_PREFIX, '');
    if (next === s) return s;
    s = next;
  }
}

/**
 * True when the (already RFC 2047-decoded) subject is the procedure's subject.
 *
 * @example isRequestSubject('RE: [Incident: 261126-000042] Liquidateur judiciaire – procédure spécifique') === true
 * @example isRequestSubject('Question sur une liquidation') === false
 */
export function isRequestSubject(subject: string): boolean {
  return REQUEST_PHRASE.test(coreOf(subject));
}

/**
 * Our ticket reference found anywhere in the subject, upper-cased, or null.
 *
 * @example findTicketRef('RE: [lj-261126-0042] LIQUIDATEUR …') === 'LJ-261126-0042'
 */
export function findTicketRef(subject: string): string | null {
  const m = TICKET_REF_RE.exec(subject);
  return m ? m[0].toUpperCase() : null;
}
