/**
 * Reads the two fields the procedure asks for in the body of the request:
 *
 *   SIRET concerné :
 *   Mail du liquidateur à renseigner :
 *
 * Only labelled values are read: a body without the labels has missing fields,
 * numbers elsewhere in the body are never taken for a SIRET.
 */
import { findEmailTokens, isPlausibleEmail } from './email-address.js';
import { FOUND_MAX, foundText } from './found-text.js';
import type { Problem } from './problems.js';
import { isValidSiret, normalizeSiret } from './siret.js';

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
    // "SIRET :", "N° SIRET :", "Numéro SIRET :" — only at the start of a line
    re: new RegExp(`^[\\s*_•·\\-–]*(?:N\\s*[°º]\\s*|No\\.?\\s*|Num[ée]ro\\s+(?:de\\s+)?)?SIRET${LABEL_END}`, 'giu'),
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

function checkSiret(values: readonly FieldValue[]): { siret: string | null; problem: Problem | null } {
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
      : { siret: null, problem: { code: 'SIRET_INVALID', found: foundText(asWritten, FOUND_MAX.siret) } };
  }
  const first = written[0];
  return first
    ? { siret: null, problem: { code: 'SIRET_INVALID', found: foundText(first.value, FOUND_MAX.siret) } }
    : { siret: null, problem: { code: 'SIRET_MISSING' } };
}

function checkEmail(values: readonly FieldValue[]): { email: string | null; problem: Problem | null } {
  const written = values.filter((v) => v.kind === 'email' && v.value !== '');
  if (written.length === 0) return { email: null, problem: { code: 'LIQUIDATOR_EMAIL_MISSING' } };
  const shown = foundText(written.map((v) => v.value).join(' ; '), FOUND_MAX.email);
  const distinct = new Set(written.flatMap((v) => findEmailTokens(v.value)));
  const [only] = distinct;
  if (distinct.size === 1 && only !== undefined && isPlausibleEmail(only)) return { email: only, problem: null };
  return { email: null, problem: { code: 'LIQUIDATOR_EMAIL_INVALID', found: shown } };
}

/**
 * Extracts and checks the SIRET and the liquidator's address from the NEW text of a request
 * (quoted earlier messages already removed, see stripQuoted).
 *
 * Labels are matched case- and accent-insensitively, with any spacing (NBSP included) around
 * the colon, anywhere in a line for "SIRET concerné" and "Mail du liquidateur (à renseigner)"
 * (also Email/E-mail/Adresse mail/Courriel du liquidateur); the bare "SIRET :" / "N° SIRET :"
 * labels count only at the start of a line and only when no "SIRET concerné" label exists
 * (a firm's signature often carries its own SIRET). Text after a "-- " signature line is ignored.
 *
 * SIRET: several distinct numbers → SIRET_MULTIPLE; one number that is not 14 digits or fails
 * the check, or a value without a number → SIRET_INVALID; no label or empty value → SIRET_MISSING.
 * E-mail: exactly one distinct plausible address, else LIQUIDATOR_EMAIL_INVALID; no label or
 * empty value → LIQUIDATOR_EMAIL_MISSING.
 */
export function extractRequestFields(text: string): RequestFields {
  const lines = text.normalize('NFC').replace(/\r\n?/g, '\n').split('\n');
  const signature = lines.findIndex((line) => line === '-- ' || line === '--');
  const values = fieldValues(signature >= 0 ? lines.slice(0, signature) : lines);
  const { siret, problem: siretProblem } = checkSiret(values);
  const { email, problem: emailProblem } = checkEmail(values);
  const problems = [siretProblem, emailProblem].filter((p): p is Problem => p !== null);
  return { siret, liquidatorEmail: email, problems };
}
