/**
 * The grammar of an agent's answer to an approval request, as documented for the agents
 * (docs/guide-agents.md). Only the agent's own text is read: quoted history, forwarded originals and
 * everything from the signature delimiter `-- ` on are cut away.
 *
 * - The decision is a line of that text that starts with `VALIDER` or `REFUSER`; it may come after a
 *   greeting (`Bonjour,` then `VALIDER`). Case and accents do not matter (`Valider`, `VALIDÉR`); the
 *   keyword may be wrapped in `*`/`_` emphasis (plain-text versions of bold).
 * - `VALIDER` stands alone on its line, trailing punctuation allowed (`Valider.`, `VALIDER !`).
 *   Anything more on that line makes the reply invalid: an approval sends a password-reset link,
 *   so it must be unambiguous ("Valider ? je ne suis pas sûr").
 * - `REFUSER` is followed by the reason, after optional separators (`REFUSER : motif`,
 *   `Refuser - motif`). The reason may go on over the following lines, up to the first blank line or
 *   the signature. It is sent to the requester, so it must be a reason: at least
 *   {@link MIN_REASON_WORDS} words and {@link MIN_REASON_CHARACTERS} letters or digits, and no
 *   placeholder left in (`<motif>`, `[motif]`, `motif`, `xxx`, the prefilled link's hint).
 * - Only the exact words count: `Validé`, `Je valide`, `Refusé`, `OK` are not keywords. A single
 *   imperative word, the same in every client and language habit, is what makes an approval
 *   impossible to read into a sentence ("validé par qui ?", "non validé", "déjà validé par Paul").
 * - The rest of the agent's text must not contradict the decision: the other keyword (or a word of
 *   the same family: `refus`, `validation`) anywhere else is ambiguous (BOTH), and so is a negation
 *   next to one of them ("ne pas valider", "je ne peux pas valider", "pas de validation": NEGATED).
 *   The refusal's own reason is exempt: "REFUSER : le jugement n'est pas validé" is a refusal. On the
 *   REFUSER line itself, the word `valider` is still ambiguous: write the reason on the next line then.
 */
import { htmlToText, stripQuoted, stripQuotedHtml } from './body-text.js';

/**
 * Why a reply is not a decision:
 * EMPTY (no text of the agent's own), NEITHER (no keyword nor a word of their family),
 * INEXACT_WORD (`Validé`, `Je valide`, `Refusé`), NEGATED ("ne pas valider", "pas de validation"),
 * BOTH (both decisions), NOT_UNDERSTOOD (VALIDER not alone on its line), REFUSAL_WITHOUT_REASON,
 * REASON_PLACEHOLDER (`<motif>`, `[motif]`, `motif`, `xxx`), REASON_TOO_SHORT.
 */
export const AGENT_REPLY_ERRORS = [
  'EMPTY', 'NEITHER', 'INEXACT_WORD', 'NEGATED', 'BOTH', 'NOT_UNDERSTOOD', 'REFUSAL_WITHOUT_REASON', 'REASON_PLACEHOLDER', 'REASON_TOO_SHORT',
] as const;
export type AgentReplyError = (typeof AGENT_REPLY_ERRORS)[number];

export type AgentReply =
  | { kind: 'approve' }
  | { kind: 'refuse'; reason: string }
  /** `read`: the lines the error is about, as read (at most MAX_READ_LINES, each cut at MAX_READ_LINE_LENGTH). */
  | { kind: 'invalid'; error: AgentReplyError; read: string[] };

/** Longest refusal reason kept, in characters (code points). */
export const MAX_REASON_LENGTH = 2000;
/** A refusal reason has at least this many words … */
export const MIN_REASON_WORDS = 2;
/** … and at least this many letters or digits in all. */
export const MIN_REASON_CHARACTERS = 8;
/** Lines echoed back in an invalid result, and their length in characters. */
export const MAX_READ_LINES = 6;
export const MAX_READ_LINE_LENGTH = 200;
/**
 * The hint the prefilled REFUSER link puts where the reason goes (src/approval/approval-request-vars.ts):
 * sent unedited, it is a placeholder, refused with an explanation.
 */
export const REASON_HINT = '[écrivez ici le motif, il est transmis au demandeur]';

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
/** Words of each decision's family (folded): `valide`, `validation`, `validons`; `refus`, `refusee`. */
const APPROVE_FAMILY = /^VALID(?:ER|E|EE|ES|EES|ATION|ONS|EZ|ERAI|ERAIS|ERONS|ERA|ATIONS)?$/;
const REFUSE_FAMILY = /^REFUS(?:ER|E|EE|ES|EES|ONS|EZ|ERAI|ERAIS|ERONS|ERA)?$/;
/** Words that make a phrase negative, folded (`n'` is the word N). */
const NEGATIONS = new Set(['NE', 'N', 'PAS', 'JAMAIS', 'AUCUN', 'AUCUNE', 'SANS', 'IMPOSSIBLE', 'NON', 'NI']);
/** Words a placeholder is made of, folded: a reason made only of them says nothing. */
const FILLER = new Set([
  'MOTIF', 'MOTIFS', 'RAISON', 'REASON', 'TEXTE', 'ICI', 'VOTRE', 'LE', 'LA', 'LES', 'DU', 'DE', 'DES', 'UN', 'UNE', 'A', 'AU',
  'COMPLETER', 'ECRIRE', 'ECRIVEZ', 'INDIQUER', 'INDIQUEZ', 'PRECISER', 'PRECISEZ', 'SAISIR', 'SAISISSEZ', 'INSERER', 'INSEREZ',
  'REFUS', 'TODO', 'TBD', 'ETC', 'BLA', 'TEST',
]);
const X_RUN = /^X+$/;
/** A bracketed part of a reason: `<motif>`, `[motif]`, `{motif}`. */
const BRACKETED = /<([^<>]{0,200})>|\[([^[\]]{0,200})\]|\{([^{}]{0,200})\}/gu;

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

/** The lines an invalid result quotes: non-blank, trimmed, bounded. */
function excerpt(lines: readonly string[]): string[] {
  return lines.map((l) => l.trim()).filter(Boolean).slice(0, MAX_READ_LINES).map((l) => truncate(l, MAX_READ_LINE_LENGTH));
}

const invalid = (error: AgentReplyError, lines: readonly string[]): AgentReply => ({ kind: 'invalid', error, read: excerpt(lines) });

/** The reply's own text: quoted history, forwarded originals and the signature cut away. */
function ownText(mail: { text: string; html: string | null }): string[] {
  const body = mail.text.trim() !== '' ? stripQuoted(mail.text) : stripQuoted(htmlToText(stripQuotedHtml(mail.html ?? '')));
  const lines = clean(body).split('\n').map((line) => line.trimEnd());
  const signature = lines.findIndex((line) => SIGNATURE_DELIMITER.test(line));
  return signature >= 0 ? lines.slice(0, signature) : lines;
}

/** What a line says about the decision words. */
interface LineWords {
  approve: boolean;
  refuse: boolean;
  /** A word of either family (valide, refus…), keyword or not. */
  family: boolean;
  approveFamily: boolean;
  refuseFamily: boolean;
  negated: boolean;
}

function lineWords(line: string): LineWords {
  const w = words(line);
  const approveFamily = w.some((x) => APPROVE_FAMILY.test(x));
  const refuseFamily = w.some((x) => REFUSE_FAMILY.test(x));
  const family = approveFamily || refuseFamily;
  return {
    approve: w.includes(APPROVE), refuse: w.includes(REFUSE), family, approveFamily, refuseFamily,
    negated: family && w.some((x) => NEGATIONS.has(x)),
  };
}

/** The keyword a line starts with (VALIDER or REFUSER, as a whole word), and what follows it. */
function leadingKeyword(line: string): { keyword: typeof APPROVE | typeof REFUSE; rest: string } | null {
  const leading = LEADING_WORD.exec(line);
  if (!leading) return null;
  const keyword = fold(leading[1]!);
  if (keyword !== APPROVE && keyword !== REFUSE) return null;
  return { keyword, rest: line.slice(leading[0].length) };
}

/** Why a reason cannot be sent to the requester, or null when it can (rule at the top of this file). */
export function reasonProblem(reason: string): 'REFUSAL_WITHOUT_REASON' | 'REASON_PLACEHOLDER' | 'REASON_TOO_SHORT' | null {
  const w = words(reason);
  if (w.length === 0) return 'REFUSAL_WITHOUT_REASON';
  const isFiller = (x: string) => FILLER.has(x) || X_RUN.test(x);
  if (w.every(isFiller)) return 'REASON_PLACEHOLDER';
  if (fold(reason).includes(fold(REASON_HINT).slice(1, -1))) return 'REASON_PLACEHOLDER';
  for (const m of reason.matchAll(BRACKETED)) {
    const inner = words(m[1] ?? m[2] ?? m[3] ?? '');
    if (inner.length === 0 || inner.every(isFiller) || (inner.length <= 12 && inner.some((x) => x === 'MOTIF' || x === 'RAISON'))) {
      return 'REASON_PLACEHOLDER';
    }
  }
  const characters = w.join('').length;
  if (w.length < MIN_REASON_WORDS || characters < MIN_REASON_CHARACTERS) return 'REASON_TOO_SHORT';
  return null;
}

/** Why an agent's text with no decision line is not a decision. */
function withoutDecisionLine(lines: readonly string[]): AgentReply {
  const read = lines.map((line) => ({ line, ...lineWords(line) }));
  const negated = read.find((l) => l.negated);
  if (negated) return invalid('NEGATED', [negated.line]);
  const both = read.find((l) => l.approve && l.refuse);
  if (both) return invalid('BOTH', [both.line]);
  if (read.some((l) => l.approveFamily) && read.some((l) => l.refuseFamily)) {
    return invalid('BOTH', read.filter((l) => l.family).map((l) => l.line));
  }
  const keyword = read.find((l) => l.approve || l.refuse);
  if (keyword) return invalid('NOT_UNDERSTOOD', [keyword.line]);
  const family = read.find((l) => l.family);
  if (family) return invalid('INEXACT_WORD', [family.line]);
  return invalid('NEITHER', lines);
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
  if (!lines.some((line) => line.trim() !== '')) return invalid('EMPTY', []);
  const at = lines.findIndex((line) => leadingKeyword(line) !== null);
  if (at < 0) return withoutDecisionLine(lines);

  const line = lines[at]!.trim();
  const { keyword, rest } = leadingKeyword(line)!;
  const own = lineWords(line);
  if (own.approve && own.refuse) return invalid('BOTH', [line]);

  // The refusal's reason: the rest of its line, then the next lines up to a blank one.
  let end = at + 1;
  if (keyword === REFUSE) while (end < lines.length && lines[end]!.trim() !== '') end += 1;
  const others = [...lines.slice(0, at), ...lines.slice(end)].map((l) => ({ line: l, ...lineWords(l) }));
  const contrary = others.find((l) => (keyword === APPROVE ? l.refuseFamily : l.approveFamily));
  if (contrary) return invalid('BOTH', [line, contrary.line]);
  const negated = others.find((l) => l.negated);
  if (negated) return invalid('NEGATED', [negated.line]);

  if (keyword === APPROVE) return TRAILING_PUNCTUATION.test(rest) ? { kind: 'approve' } : invalid('NOT_UNDERSTOOD', [line]);

  const reasonLines = [rest.replace(REASON_SEPARATORS, ''), ...lines.slice(at + 1, end).map((l) => l.trim())];
  const reason = truncate(reasonLines.join('\n').trim(), MAX_REASON_LENGTH).trim();
  const problem = reasonProblem(reason);
  if (problem) return invalid(problem, lines.slice(at, end));
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
