/**
 * SIRENs written in a document's text: alone, inside a SIRET, after "RCS <ville>". Pure.
 *
 * Digits are read as runs: digits with at most one separator between two of them (space, NBSP, dot,
 * hyphen), so "732 829 320", "732829320", "7 3 2 8 2 9 3 2 0" (letter-spaced) and "732 829 320 00074"
 * are each one run. A run is cut only where its writer put a separator, and a SIREN is a stretch of
 * whole groups making 9 digits that passes the Luhn key (14 digits passing the SIRET check make a
 * SIRET, whose first 9 are the SIREN). "1732829320" holds no SIREN: a digit glued to it changes the number.
 */
import { isValidSiret, LA_POSTE_SIREN } from '../../parsers/siret.js';

/** How the SIREN was written, from the most to the least telling. */
export type SirenContext = 'siret' | 'labelled' | 'grouped' | 'bare';

export interface FoundSiren {
  siren: string;
  /** 1-based page of its first occurrence. */
  page: number;
  /** As written (separators kept), for the agents. */
  written: string;
  /**
   * siret: inside a valid 14-digit SIRET; labelled: after SIREN, SIRET, RCS <ville>, "immatriculée";
   * grouped: written "732 829 320" with no label; bare: nine digits in a row with no label.
   */
  context: SirenContext;
  /** Read through OCR confusions (O for 0, l for 1…): see {@link findSirens}. */
  ocrFixed: boolean;
}

/** Luhn over 9 digits, as INSEE numbers SIRENs; La Poste's passes it too. */
export function isValidSiren(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || digits === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = digits.charCodeAt(8 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0 || digits === LA_POSTE_SIREN;
}

const SEP = '[ .\\u00a0\\u202f\\u2007\\u2009\\-\\u2010\\u2011]';
const DIGIT_RUN = new RegExp(`\\d(?:${SEP}?\\d)*`, 'g');
/** The same with the characters OCR takes digits for: O o → 0, I l | ! → 1, S → 5, B → 8, Z → 2. */
const LOOSE_RUN = new RegExp(`[\\dOoIl|!SBZ](?:${SEP}?[\\dOoIl|!SBZ])*`, 'g');
const CONFUSION: Record<string, string> = { O: '0', o: '0', I: '1', l: '1', '|': '1', '!': '1', S: '5', B: '8', Z: '2' };
/** Most confusions read into one SIREN. */
const MAX_CONFUSIONS = 2;
/** A label that announces a registration number, close before the digits. */
const LABEL = /(?:\bSIRE[NT]\b|\bR\.?\s?C\.?\s?S\.?(?=[\s\d]|$)|registre du commerce|immatricul|identifi(?:ant|cation))/i;
const LABELS = new RegExp(LABEL.source, 'gi');
/** Characters looked at before a run for its label: "RCS Aix-en-Provence B " fits. */
const LABEL_REACH = 48;
/** A number followed by a currency is an amount, whatever its grouping. */
const AMOUNT_AFTER = /^\s?(?:€|euros?\b|EUR\b)/i;

interface RunMatch {
  siren: string;
  written: string;
  isSiret: boolean;
  groups: string[];
}

/** SIRENs in one run of digit groups, left to right, whole groups only, SIRET preferred. */
function sirensInRun(run: string): RunMatch[] {
  const groups = run.split(new RegExp(SEP));
  const pieces = run.match(new RegExp(`\\d+|${SEP}`, 'g')) ?? [];
  const found: RunMatch[] = [];
  let i = 0;
  while (i < groups.length) {
    let digits = '';
    let hit: { end: number; isSiret: boolean } | null = null;
    for (let j = i; j < groups.length && digits.length < 14; j++) {
      digits += groups[j];
      if (digits.length === 9 && isValidSiren(digits)) hit = { end: j, isSiret: false };
      if (digits.length === 14 && isValidSiret(digits)) hit = { end: j, isSiret: true };
    }
    if (hit === null) {
      i++;
      continue;
    }
    const taken = groups.slice(i, hit.end + 1);
    // the written form: the pieces (digits and separators) from group i to group end
    const written = pieces.slice(2 * i, 2 * hit.end + 1).join('');
    found.push({ siren: taken.join('').slice(0, 9), written, isSiret: hit.isSiret, groups: taken });
    i = hit.end + 1;
  }
  return found;
}

function contextOf(text: string, at: number, m: RunMatch): SirenContext | null {
  if (m.isSiret) return 'siret';
  const before = text.slice(Math.max(0, at - LABEL_REACH), at);
  if (LABEL.test(before.split(/[\n;]/).pop() ?? '')) return 'labelled';
  if (m.groups.length === 3 && m.groups.every((g) => g.length === 3)) return 'grouped';
  if (m.groups.length === 1) return 'bare';
  // letter-spaced or oddly grouped digits with no label: too easily a table of figures
  return null;
}

/**
 * Every distinct SIREN of the pages, with the page of its first occurrence, in order of appearance.
 *
 * OCR confusions (O for 0, l for 1, S for 5, B for 8…) are read only in the few characters after a
 * label (SIREN, SIRET, RCS …, immatriculée), at most two of them in the nine, and the result must still
 * pass the Luhn key: a word is never taken for a number, and a random misread passes the key one time
 * in ten, so such a SIREN is marked `ocrFixed`.
 */
export function findSirens(pages: readonly string[]): FoundSiren[] {
  const found = new Map<string, FoundSiren>();
  const add = (f: FoundSiren) => {
    if (!found.has(f.siren)) found.set(f.siren, f);
  };
  pages.forEach((text, p) => {
    const page = p + 1;
    for (const run of text.matchAll(DIGIT_RUN)) {
      const after = text.slice(run.index + run[0].length, run.index + run[0].length + 8);
      if (AMOUNT_AFTER.test(after)) continue;
      for (const m of sirensInRun(run[0])) {
        const context = contextOf(text, run.index + run[0].indexOf(m.written), m);
        if (context !== null) add({ siren: m.siren, page, written: m.written, context, ocrFixed: false });
      }
    }
    for (const label of text.matchAll(LABELS)) {
      const from = label.index + label[0].length;
      const window = text.slice(from, from + LABEL_REACH);
      for (const loose of window.matchAll(LOOSE_RUN)) {
        // one character for one: offsets in `fixed` are offsets in the text
        const fixed = [...loose[0]].map((c) => CONFUSION[c] ?? c).join('');
        for (const m of sirensInRun(fixed)) {
          const offset = fixed.indexOf(m.written);
          const original = loose[0].slice(offset, offset + m.written.length);
          const confusions = [...original].filter((c) => c in CONFUSION).length;
          // none: the exact pass has it; more: a word, not a misread number
          if (confusions === 0 || confusions > MAX_CONFUSIONS) continue;
          add({ siren: m.siren, page, written: original, context: m.isSiret ? 'siret' : 'labelled', ocrFixed: true });
        }
      }
    }
  });
  return [...found.values()];
}
