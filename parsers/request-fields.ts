/**
 * Reads the two fields the procedure asks for in the body of the request:
 *
 *   SIRET concerné :
 *   Mail du liquidateur à renseigner :
 *
 * Only labelled values are read: a body without the labels has missing fields,
 * numbers elsewhere in the body are never taken for a SIRET. They are quoted back, though: the
 * notice then asks to confirm the SIRET or the address it found (hints SIRET_UNLABELLED,
 * EMAIL_UNLABELLED in problems.ts).
 */
import { findEmailTokens, isPlausibleEmail } from './email-address.js';
import { FOUND_MAX, foundText } from './found-text.js';
import type { Problem } from './problems.js';
import { invalidSiretReason, isValidSiret, normalizeSiret } from './siret.js';

export interface RequestFields {
  /** 14 digits, or null when the SIRET has a problem. */
  siret: string | null;
  /** Lower-cased address, or null when it has a problem. */
  liquidatorEmail: string | null;
  /** SIRET problems first, then e-mail problems; at most one of each. */
  problems: Problem[];
}

type LabelKind = 'siret' | 'siret-plain' | 'email';

const NOT_AFTER_WORD = '(?<![\\p{L}\\p{N}])';
const LABEL_END = '[\\s*_]*[:\\uff1a]';
const LABELS: ReadonlyArray<{ kind: LabelKind; re: RegExp }> = [
  {
    kind: 'siret',
    // "SIRET concerné :", also without the colon when the number follows
    re: new RegExp(
      `${NOT_AFTER_WORD}SIRET(?:\\s+de\\s+l['’]entreprise)?\\s+concern[ée]e?s?(?:${LABEL_END}|(?=[\\s*_]*\\d))`,
      'giu',
    ),
  },
  {
    kind: 'siret-plain',
    // "SIRET :", "N° SIRET :", "Numéro SIRET :", "SIRET de la société :" — only at the start of a line
    re: new RegExp(
      `^[\\s*_•·\\-–]*(?:N\\s*[°º]\\s*|No\\.?\\s*|Num[ée]ro\\s+(?:de\\s+)?)?SIRET` +
        `(?:\\s+(?:de\\s+l['’](?:entreprise|[ée]tablissement)|de\\s+la\\s+soci[ée]t[ée]|du\\s+d[ée]biteur))?(?:\\s*n\\s*[°º])?${LABEL_END}`,
      'giu',
    ),
  },
  {
    kind: 'email',
    re: new RegExp(
      `${NOT_AFTER_WORD}(?:adresse\\s+(?:e-?mail|mail|[ée]lectronique|courriel)|e-?mail|mail|courriel)` +
        `\\s+du\\s+liquidateur(?:\\s+judiciaire)?(?:\\s+[àa]\\s+renseigner)?${LABEL_END}`,
      'giu',
    ),
  },
];

interface FieldValue {
  kind: LabelKind;
  /** As written, trimmed of spaces and markdown emphasis. */
  value: string;
}

interface LabelHit {
  kind: LabelKind;
  start: number;
  end: number;
}

function labelsIn(line: string): LabelHit[] {
  const hits: LabelHit[] = [];
  for (const { kind, re } of LABELS) {
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      hits.push({ kind, start: m.index, end: m.index + m[0].length });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

function clean(value: string): string {
  return value.replace(/^[\s*_]+|[\s*_]+$/g, '');
}

const LOOKS_LIKE: Record<LabelKind, RegExp> = { siret: /^\d/, 'siret-plain': /^\d/, email: /@/ };

/** Every labelled value of the text; a value may sit on the next non-blank line (within two). */
function fieldValues(lines: readonly string[]): FieldValue[] {
  const values: FieldValue[] = [];
  lines.forEach((line, i) => {
    const hits = labelsIn(line);
    hits.forEach((hit, k) => {
      let value = clean(line.slice(hit.end, hits[k + 1]?.start ?? line.length));
      if (value === '' && k === hits.length - 1) {
        const j = [i + 1, i + 2].find((n) => (lines[n] ?? '').trim() !== '');
        const next = j === undefined ? '' : clean(lines[j] ?? '');
        if (labelsIn(next).length === 0 && LOOKS_LIKE[hit.kind].test(next)) value = next;
      }
      values.push({ kind: hit.kind, value });
    });
  });
  return values;
}

const SEPARATOR = /[\s.\u00a0\u202f\u2007\u2009\-\u2010-\u2015\u2212]/;
const DIGIT_RUN = new RegExp(`\\d(?:\\d|${SEPARATOR.source}(?=\\d))*`, 'g');

/**
 * The SIRET-sized numbers of one value. A run of digit groups that adds up to a multiple of 14
 * at group boundaries is several SIRETs written side by side ("73282932000074 44306184100047").
 * Runs under 9 digits are ignored (a date, a file number) unless nothing longer is there.
 */
function siretCandidates(value: string): string[] {
  const found: string[] = [];
  for (const run of value.match(DIGIT_RUN) ?? []) {
    const digits = normalizeSiret(run);
    if (digits.length < 9) continue;
    const chunks: string[] = [];
    let acc = '';
    for (const group of run.split(SEPARATOR)) {
      acc += group;
      if (acc.length === 14) {
        chunks.push(acc);
        acc = '';
      }
    }
    found.push(...(digits.length > 14 && acc === '' ? chunks : [digits]));
  }
  return found;
}

/** Digit groups of a run, with their offsets in it. */
function groupsOf(run: string): Array<{ digits: string; start: number; end: number }> {
  return [...run.matchAll(/\d+/g)].map((m) => ({ digits: m[0], start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
}

/** How a SIRET is written in one piece or in groups: 14, 9+5 (SIREN NIC), 3+3+3+5. */
const SIRET_LAYOUTS: readonly (readonly number[])[] = [[14], [9, 5], [3, 3, 3, 5]];

/**
 * The valid SIRETs written anywhere in the lines, as written, each once. A run of digit groups counts
 * when it is 14 digits in all, or when some of its groups are laid out as a SIRET is written
 * (14, 9+5, 3+3+3+5): an IBAN's 4-digit groups or a phone number's 2-digit ones never make one.
 */
function siretsWrittenIn(lines: readonly string[]): Map<string, string> {
  const found = new Map<string, string>(); // digits → as written
  const add = (digits: string, written: string) => {
    if (isValidSiret(digits) && !found.has(digits)) found.set(digits, written);
  };
  for (const line of lines) {
    for (const run of line.match(DIGIT_RUN) ?? []) {
      const groups = groupsOf(run);
      if (normalizeSiret(run).length === 14) add(normalizeSiret(run), run);
      for (let i = 0; i < groups.length; i++) {
        for (const layout of SIRET_LAYOUTS) {
          const window = groups.slice(i, i + layout.length);
          if (window.length !== layout.length || !window.every((g, k) => g.digits.length === layout[k])) continue;
          add(window.map((g) => g.digits).join(''), run.slice(window[0]!.start, window[window.length - 1]!.end));
        }
      }
    }
  }
  return found;
}

/** A letter against a digit: "7328293200O074", "73282932OOOO74". */
const LETTER_IN_NUMBER = /\p{N}\p{L}|\p{L}\p{N}/u;
/** A value that starts with a number (after an optional "n°"). */
const LEADING_NUMBER = new RegExp(`^(?:n\\s*[°º]\\s*)?(${DIGIT_RUN.source})`, 'iu');

/** What exactly is wrong with the one value written for the SIRET; `digits` is its SIRET-sized number, if any. */
function invalidSiretHint(value: string, digits: string | null): Pick<Problem, 'hint' | 'digits'> {
  if (digits !== null && digits.length === 14) return invalidSiretReason(digits);
  if (LETTER_IN_NUMBER.test(value)) return { hint: 'SIRET_NOT_DIGITS' };
  if (digits !== null) return invalidSiretReason(digits);
  const leading = LEADING_NUMBER.exec(value)?.[1];
  return leading ? invalidSiretReason(normalizeSiret(leading)) : { hint: 'SIRET_NO_NUMBER' };
}

function checkSiret(values: readonly FieldValue[], lines: readonly string[]): { siret: string | null; problem: Problem | null } {
  // "SIRET concerné" wins over the bare "SIRET :", even left empty: the bare one is then a signature's
  // (quoted back below, to be confirmed), never taken for the company's
  const specific = values.filter((v) => v.kind === 'siret');
  const chosen = specific.length > 0 ? specific : values.filter((v) => v.kind === 'siret-plain');
  const written = chosen.filter((v) => v.value !== '');
  const distinct = new Map<string, string>(); // digits → as written
  for (const v of written) for (const c of siretCandidates(v.value)) if (!distinct.has(c)) distinct.set(c, v.value);
  if (distinct.size > 1) {
    return { siret: null, problem: { code: 'SIRET_MULTIPLE', found: foundText([...distinct.keys()].join(', '), FOUND_MAX.siret) } };
  }
  const [only] = distinct;
  if (only) {
    const [digits, asWritten] = only;
    return isValidSiret(digits)
      ? { siret: digits, problem: null }
      : { siret: null, problem: { code: 'SIRET_INVALID', found: foundText(asWritten, FOUND_MAX.siret), ...invalidSiretHint(asWritten, digits) } };
  }
  const first = written[0];
  if (first) {
    return { siret: null, problem: { code: 'SIRET_INVALID', found: foundText(first.value, FOUND_MAX.siret), ...invalidSiretHint(first.value, null) } };
  }
  const elsewhere = [...siretsWrittenIn(lines).values()];
  return elsewhere.length > 0
    ? { siret: null, problem: { code: 'SIRET_MISSING', found: foundText(elsewhere.join(', '), FOUND_MAX.siret), hint: 'SIRET_UNLABELLED' } }
    : { siret: null, problem: { code: 'SIRET_MISSING' } };
}

/** The plausible addresses written anywhere in the lines, lower-cased, each once, in order. */
function addressesWrittenIn(lines: readonly string[]): string[] {
  return [...new Set(lines.flatMap((line) => findEmailTokens(line)).filter(isPlausibleEmail))];
}

function checkEmail(values: readonly FieldValue[], lines: readonly string[]): { email: string | null; problem: Problem | null } {
  const written = values.filter((v) => v.kind === 'email' && v.value !== '');
  if (written.length === 0) {
    const elsewhere = addressesWrittenIn(lines);
    return elsewhere.length > 0
      ? { email: null, problem: { code: 'LIQUIDATOR_EMAIL_MISSING', found: foundText(elsewhere.join(' ; '), FOUND_MAX.email), hint: 'EMAIL_UNLABELLED' } }
      : { email: null, problem: { code: 'LIQUIDATOR_EMAIL_MISSING' } };
  }
  const shown = foundText(written.map((v) => v.value).join(' ; '), FOUND_MAX.email);
  const distinct = new Set(written.flatMap((v) => findEmailTokens(v.value)));
  const [only] = distinct;
  if (distinct.size === 1 && only !== undefined && isPlausibleEmail(only)) return { email: only, problem: null };
  return { email: null, problem: { code: 'LIQUIDATOR_EMAIL_INVALID', found: shown } };
}

/** The lines of each text, up to its "-- " signature line. */
function linesOf(texts: string | readonly string[]): string[][] {
  return (typeof texts === 'string' ? [texts] : texts).map((text) => {
    const lines = text.normalize('NFC').replace(/\r\n?/g, '\n').split('\n');
    const signature = lines.findIndex((line) => line === '-- ' || line === '--');
    return signature >= 0 ? lines.slice(0, signature) : lines;
  });
}

/**
 * Which of the procedure's labels the texts carry (with or without a value): a SIRET label
 * ("SIRET concerné", or "SIRET :" at the start of a line) and a liquidator's address label.
 * Cut the quoted history first (check-request's requestTextsOf), so that a quoted form does not count.
 */
export function requestLabelsIn(texts: string | readonly string[]): { siret: boolean; email: boolean } {
  const hits = linesOf(texts).flat().flatMap((line) => labelsIn(line));
  return { siret: hits.some((h) => h.kind !== 'email'), email: hits.some((h) => h.kind === 'email') };
}

/**
 * Extracts and checks the SIRET and the liquidator's address from the NEW text of a request
 * (quoted earlier messages already removed, see stripQuoted), or from its pieces (a forward: the
 * forwarder's text, the forwarded message, an attached message; see check-request's requestTextsOf).
 *
 * Labels are matched case- and accent-insensitively, with any spacing (NBSP included) around
 * the colon, anywhere in a line for "SIRET concerné" and "Mail du liquidateur (à renseigner)"
 * (also Email/E-mail/Adresse mail/Courriel du liquidateur); the bare "SIRET :" / "N° SIRET :" /
 * "SIRET de la société :" labels count only at the start of a line and only when there is no
 * "SIRET concerné" label (a firm's signature often carries its own SIRET). Text after a "-- " signature
 * line (of each piece) is ignored.
 *
 * SIRET: several distinct numbers → SIRET_MULTIPLE; one number that is not 14 digits or fails
 * the check, or a value without a number → SIRET_INVALID, with a hint saying which (a SIREN, how
 * many digits, letters, no number); no label or empty value → SIRET_MISSING, quoting the valid
 * SIRETs written elsewhere in the text when there are some (hint SIRET_UNLABELLED).
 * E-mail: exactly one distinct plausible address, else LIQUIDATOR_EMAIL_INVALID; no label or
 * empty value → LIQUIDATOR_EMAIL_MISSING, quoting the addresses written elsewhere (EMAIL_UNLABELLED).
 */
export function extractRequestFields(texts: string | readonly string[]): RequestFields {
  const pieces = linesOf(texts);
  // a value is looked for on the next lines of its own piece only
  const values = pieces.flatMap((piece) => fieldValues(piece));
  const lines = pieces.flat();
  const { siret, problem: siretProblem } = checkSiret(values, lines);
  const { email, problem: emailProblem } = checkEmail(values, lines);
  const problems = [siretProblem, emailProblem].filter((p): p is Problem => p !== null);
  return { siret, liquidatorEmail: email, problems };
}
