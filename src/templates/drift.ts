/**
 * Drift between the text and the HTML part of a mail: the two are sent together (multipart/alternative)
 * and the recipient's mail program shows one of them, so they must say the same thing. A sentence or a
 * variable found in one part only is reported. Pure: the caller renders both parts with the same data
 * and lists the variables each part reads.
 */

/** One part as the drift check needs it. */
export interface DriftPart {
  /** The part rendered with sample data (the HTML as markup). */
  rendered: string;
  /** The data variables the part reads, as written (`requester.email`, `siret`). */
  variables: readonly string[];
}

export type DriftSide = 'text' | 'html';

export type DriftFinding =
  | { kind: 'sentence'; only: DriftSide; sentence: string }
  | { kind: 'variable'; only: DriftSide; variable: string };

const ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', laquo: '«', raquo: '»', rsquo: '’', lsquo: '‘',
  ldquo: '“', rdquo: '”', hellip: '…', eacute: 'é', egrave: 'è', agrave: 'à', ccedil: 'ç', ecirc: 'ê', ocirc: 'ô',
  euro: '€', mdash: '—', ndash: '–', middot: '·',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

const BLOCK = /^(p|div|br|li|ul|ol|tr|td|th|table|h[1-6]|blockquote|pre|hr|section|article|header|footer|dd|dt|dl)$/i;

/**
 * The words of an HTML part as a reader sees them: no head, style or script, a line break at every
 * block, entities decoded. With `withLinks`, each link's address follows its words, in parentheses
 * (the text part usually writes the address itself). Pure.
 */
export function htmlToPlainText(markup: string, withLinks = false): string {
  let s = markup.replace(/<!--[\s\S]*?-->/g, '').replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '');
  let pendingHref: string[] = [];
  s = s.replace(/<\/?([a-z][a-z0-9]*)\b([^>]*)>/gi, (tag, name: string, attrs: string) => {
    const closing = tag.startsWith('</');
    if (name.toLowerCase() === 'a') {
      if (!closing) {
        const href = /\bhref\s*=\s*("([^"]*)"|'([^']*)')/i.exec(attrs);
        pendingHref.push(href ? decodeEntities(href[2] ?? href[3] ?? '') : '');
        return '';
      }
      const href = pendingHref.pop() ?? '';
      return withLinks && href ? ` (${href}) ` : '';
    }
    return BLOCK.test(name) ? '\n' : '';
  });
  pendingHref = [];
  return decodeEntities(s.replace(/<[^>]*>/g, ''));
}

/** The sentences of a text: one per line, lines cut after `.`, `!` or `?`. Blank ones dropped. Pure. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .flatMap((line) => line.split(/(?<=[.!?…])\s+(?=\S)/))
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s !== '');
}

/**
 * A sentence as compared: letters and digits only (NFKC, lower case), every run of anything else one
 * space. Punctuation, typography, list bullets, symbols (✔) and layout (a table's label and value
 * cells against "Label : value") then do not count; words and values do.
 */
export function normalizeSentence(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Too short to be a sentence worth comparing (a lone "–", a number, "OK"). */
function meaningful(normalized: string): boolean {
  return (normalized.match(/\p{L}/gu) ?? []).length >= 4;
}

/** Sentences of `from` found in none of `others` (each normalized as one string, padded with spaces). */
function missingSentences(from: string[], others: string[]): string[] {
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const sentence of from) {
    const n = normalizeSentence(sentence);
    if (!meaningful(n) || seen.has(n)) continue;
    seen.add(n);
    if (!others.some((other) => other.includes(` ${n} `))) missing.push(sentence);
  }
  return missing;
}

/** `requester.email` and `requester.email | x` alike; loop items are read through their list. */
function variableSet(vars: readonly string[]): Set<string> {
  return new Set(vars.map((v) => v.trim()).filter((v) => v !== ''));
}

/**
 * What one part says that the other does not: sentences (compared loosely: case, spacing, apostrophes,
 * list bullets and final punctuation do not count; a link's address in the HTML counts as written) and
 * variables. Empty when the parts agree, or when there is no HTML part. Pure.
 */
export function findDrift(parts: { text: DriftPart; html: DriftPart | null }): DriftFinding[] {
  const { text, html } = parts;
  if (html === null || html.rendered.trim() === '') return [];
  const findings: DriftFinding[] = [];
  const textSentences = sentencesOf(text.rendered);
  const htmlSentences = sentencesOf(htmlToPlainText(html.rendered));
  // Padded with spaces so that a sentence matches whole words only.
  const textAll = ` ${normalizeSentence(text.rendered)} `;
  const htmlAll = ` ${normalizeSentence(htmlToPlainText(html.rendered))} `;
  const htmlAllWithLinks = ` ${normalizeSentence(htmlToPlainText(html.rendered, true))} `;
  for (const sentence of missingSentences(textSentences, [htmlAll, htmlAllWithLinks])) findings.push({ kind: 'sentence', only: 'text', sentence });
  for (const sentence of missingSentences(htmlSentences, [textAll])) findings.push({ kind: 'sentence', only: 'html', sentence });
  const textVars = variableSet(text.variables);
  const htmlVars = variableSet(html.variables);
  for (const v of [...textVars].sort()) if (!htmlVars.has(v)) findings.push({ kind: 'variable', only: 'text', variable: v });
  for (const v of [...htmlVars].sort()) if (!textVars.has(v)) findings.push({ kind: 'variable', only: 'html', variable: v });
  return findings;
}
