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
 *
 * Near misses are requests too. The rule, on the subject folded as above (case, accents,
 * prefixes, tags): it STARTS with four words that are the procedure's two halves, in either
 * order — "LIQUIDATEUR JUDICIAIRE" (or "LIQUIDATION JUDICIAIRE") and "PROCEDURE SPECIFIQUE" —
 * separated by spaces or punctuation, each word within NEAR_MISS_EDITS edits (a letter missing,
 * added, changed, or two neighbours swapped) of the procedure's word. All four words are needed:
 * "Liquidation judiciaire SARL Dupont", "liquidation amiable", "Procédure spécifique DSN" or a
 * newsletter title stay unrelated; a mail whose body carries the procedure's labelled fields is a
 * request whatever its subject (see parsers/looks-like-request.ts).
 */

/** Our ticket reference: `LJ-YYMMDD-NNNN` (4 or more digits), case-insensitive. Not global: safe to reuse. */
export const TICKET_REF_RE = /\bLJ-\d{6}-\d{4,}\b/i;

const BRACKET_TAG = /\[[^\]]*\]/g;
const REPLY_PREFIX = /^(?:RE|TR|FWD?|AW|WG|SV|VS|RIF|REF|ANTW|ENC|RES)\s*(?:\[\d+\]|\(\d+\))?\s*\.?\s*[:\uff1a]/;
const LEADING_NOISE = /^[\s"'«»“”*\p{Pd}:]+/u;
const REQUEST_PHRASE =
  /^LIQUIDATEUR\s+JUDICIAIRE[\s\p{Pd}\u2212:/|_.,]*PROCEDURE\s+SPECIFIQUE(?![\p{L}\p{N}])/u;

/** Edits tolerated per word: every word of the procedure has 9 letters or more. */
export const NEAR_MISS_EDITS = 2;

const HALVES = [
  [['LIQUIDATEUR', 'LIQUIDATION'], ['JUDICIAIRE']],
  [['PROCEDURE'], ['SPECIFIQUE']],
] as const;
const GAP = '[\\s\\p{Pd}\\u2212:/|_.,;]+';
const FOUR_WORDS = new RegExp(`^(\\p{L}+)${GAP}(\\p{L}+)${GAP}(\\p{L}+)${GAP}(\\p{L}+)(?![\\p{L}\\p{N}])`, 'u');

/** Optimal-string-alignment distance (swapped neighbours count one), or `max + 1` once past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

const near = (word: string, keys: readonly string[]) => keys.some((key) => editDistance(word, key, NEAR_MISS_EDITS) <= NEAR_MISS_EDITS);
const isHalf = (w1: string, w2: string, half: (typeof HALVES)[number]) => near(w1, half[0]) && near(w2, half[1]);

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
  const core = coreOf(subject);
  if (REQUEST_PHRASE.test(core)) return true;
  const words = FOUR_WORDS.exec(core);
  if (!words) return false;
  const [, w1 = '', w2 = '', w3 = '', w4 = ''] = words;
  const [first, second] = HALVES;
  return (isHalf(w1, w2, first) && isHalf(w3, w4, second)) || (isHalf(w1, w2, second) && isHalf(w3, w4, first));
}

const FORWARD_PREFIX = /^(?:TR|FWD?|WG|ENC)\s*(?:\[\d+\]|\(\d+\))?\s*\.?\s*[:\uff1a]/;

/**
 * True when the subject's outermost prefix is a forward's (TR:, Fwd:, FW:, WG:, ENC:), bracketed
 * tags aside: "TR: RE: …" is a forward, "RE: TR: …" a reply to one.
 *
 * @example isForwardSubject('TR: LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE') === true
 */
export function isForwardSubject(subject: string): boolean {
  return FORWARD_PREFIX.test(fold(subject).replace(BRACKET_TAG, ' ').replace(LEADING_NOISE, ''));
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
