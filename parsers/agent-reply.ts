/**
 * The grammar of an agent's answer to an approval request, as documented for the agents:
 *
 *   the first line of the reply that is not quoted says `VALIDER`,
 *   or `REFUSER` followed by the reason.
 *
 * - Case and accents do not matter (`Valider`, `VALIDÉR`); the keyword must be the first word of
 *   the line, optionally wrapped in `*`/`_` emphasis (plain-text versions of bold).
 * - `VALIDER` stands alone on its line, trailing punctuation allowed (`Valider.`, `VALIDER !`).
 *   Anything more on that line makes the reply invalid: an approval sends a password-reset link,
 *   so it must be unambiguous ("Valider ? je ne suis pas sûr").
 * - `REFUSER` is followed by the reason, after optional separators (`REFUSER: motif`,
 *   `Refuser - motif`, `refuser motif`). The reason may go on over the following lines, up to the
 *   first blank line or the signature delimiter `-- `.
 * - Only the exact words count: `Validé`, `Refusé`, `OK` are not keywords.
 * - Both keywords on the first line is ambiguous (`VALIDER / REFUSER` left as pasted); so is a
 *   refusal whose first line says "valider" as a word: write the reason on the next line then.
 */
import { htmlToText, stripQuoted, stripQuotedHtml } from './body-text.js';

export type AgentReplyError = 'BOTH' | 'NEITHER' | 'REFUSAL_WITHOUT_REASON' | 'NOT_UNDERSTOOD';

export type AgentReply =
  | { kind: 'approve' }
  | { kind: 'refuse'; reason: string }
  | { kind: 'invalid'; error: AgentReplyError; firstLine: string | null };

/** Longest refusal reason kept, in characters (code points). */
export const MAX_REASON_LENGTH = 2000;
/** Longest first line echoed back in an invalid result, in characters. */
export const MAX_FIRST_LINE_LENGTH = 200;

const APPROVE = 'VALIDER';
const REFUSE = 'REFUSER';
/** The standard signature delimiter "-- " (many clients drop the trailing space). */
const SIGNATURE_DELIMITER = /^-- ?$/;
/** C0/C1 controls (tab and newline handled apart), bidi overrides and other invisible format characters. */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}]/gu;
const LEADING_WORD = /^[\s*_]*(\p{L}+)/u;
/** What may sit between REFUSER and its reason. */
const REASON_SEPARATORS = /^[\s*_:;,.!?\-\u2010-\u2015]+/u;
/** What may follow VALIDER on its line. */
const TRAILING_PUNCTUATION = /^[\s*_.!:;,\-\u2010-\u2015]*$/u;

/** Upper case without accents: `Validér` → `VALIDER`. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
}

function words(s: string): string[] {
  return fold(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function clean(s: string): string {
  return s.replace(/\t/g, ' ').replace(INVISIBLE, '');
}

function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length > max ? chars.slice(0, max).join('') : s;
}

/** The reply's own text: quoted history, forwarded originals and the signature cut away. */
function ownText(mail: { text: string; html: string | null }): string[] {
  const body = mail.text.trim() !== '' ? stripQuoted(mail.text) : stripQuoted(htmlToText(stripQuotedHtml(mail.html ?? '')));
  const lines = clean(body).split('\n').map((line) => line.trimEnd());
  const signature = lines.findIndex((line) => SIGNATURE_DELIMITER.test(line));
  return signature >= 0 ? lines.slice(0, signature) : lines;
}

/**
 * Reads an agent's answer to an approval request (see the grammar at the top of this file).
 * Uses the plain-text body when it has any text, else the HTML one; quoted text (`>` lines,
 * "Le … a écrit :", Outlook's "De : … Envoyé : …" block, Gmail/Apple/Outlook HTML quotes) is ignored.
 * The reason of a refusal is trimmed, stripped of control characters and cut at
 * {@link MAX_REASON_LENGTH} characters; lines are kept.
 */
export function parseAgentReply(mail: { text: string; html: string | null }): AgentReply {
  const lines = ownText(mail);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first < 0) return { kind: 'invalid', error: 'NOT_UNDERSTOOD', firstLine: null };
  const line = lines[first]!.trim();
  const firstLine = truncate(line, MAX_FIRST_LINE_LENGTH);
  const lineWords = words(line);
  if (lineWords.includes(APPROVE) && lineWords.includes(REFUSE)) return { kind: 'invalid', error: 'BOTH', firstLine };

  const leading = LEADING_WORD.exec(line);
  const keyword = leading ? fold(leading[1]!) : '';
  const rest = leading ? line.slice(leading[0].length) : line;
  if (keyword === APPROVE) {
    return TRAILING_PUNCTUATION.test(rest) ? { kind: 'approve' } : { kind: 'invalid', error: 'NOT_UNDERSTOOD', firstLine };
  }
  if (keyword !== REFUSE) return { kind: 'invalid', error: 'NEITHER', firstLine };
  // "refuserait", "REFUSERONS": the keyword must be a whole word
  if (/^\p{L}/u.test(rest)) return { kind: 'invalid', error: 'NEITHER', firstLine };

  const reasonLines = [rest.replace(REASON_SEPARATORS, '')];
  for (const next of lines.slice(first + 1)) {
    if (next.trim() === '') break;
    reasonLines.push(next.trim());
  }
  const reason = truncate(reasonLines.join('\n').trim(), MAX_REASON_LENGTH).trim();
  if (!/[\p{L}\p{N}]/u.test(reason)) return { kind: 'invalid', error: 'REFUSAL_WITHOUT_REASON', firstLine };
  return { kind: 'refuse', reason };
}

const APPROVAL_TOKEN = /(?<![A-Za-z0-9])ljv-[0-9a-f]{32}(?![A-Za-z0-9])/g;
/** At most this many distinct tokens are returned: a reply citing more is not a reply to one request. */
export const MAX_APPROVAL_TOKENS = 5;

/**
 * Every approval token (`ljv-` + 32 lowercase hex digits, as a whole word) in the text, quoted parts
 * included since the token usually sits in the quoted request; in order of appearance,
 * without duplicates, at most {@link MAX_APPROVAL_TOKENS}.
 */
export function findApprovalTokens(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(APPROVAL_TOKEN)) {
    found.add(m[0]);
    if (found.size >= MAX_APPROVAL_TOKENS) break;
  }
  return [...found];
}
