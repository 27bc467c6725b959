/**
 * Frozen copy of findSirenInPdf as it was before the speed-up (commit 4710a76), kept as the
 * oracle the differential tests and bench/micro-siren.ts compare the fast version with.
 * Do not "fix" it: its results (and its slowness) are the reference.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';

/** Most bytes inflated from one PDF, all streams together. */
const PDF_MAX_INFLATED_BYTES = 20 * 1024 * 1024;
/** Most streams looked at in one PDF. */
const PDF_MAX_STREAMS = 2000;
/** Fewer letters and digits than this in the text found: the PDF is taken for a scan. */
const PDF_MIN_READABLE_CHARS = 20;

const STREAM = Buffer.from('stream');
const END_STREAM = Buffer.from('endstream');

/** The stream's dictionary: the text between the last `<<` before it and the `stream` keyword. */
function dictionaryBefore(pdf: Buffer, at: number): string {
  const from = Math.max(0, at - 2048);
  const head = pdf.subarray(from, at).toString('latin1');
  const obj = head.lastIndexOf(' obj');
  return obj >= 0 ? head.slice(obj) : head;
}

/** The raw content of every stream, with its dictionary, within the bounds. */
function* streams(pdf: Buffer): Generator<{ dict: string; data: Buffer }> {
  let pos = 0;
  for (let count = 0; count < PDF_MAX_STREAMS; count++) {
    const at = pdf.indexOf(STREAM, pos);
    if (at < 0) return;
    let start = at + STREAM.length;
    // `stream` must be a keyword followed by an end of line, not the tail of `endstream`
    const isKeyword = pdf[at - 1] !== 0x64 /* d */ && (pdf[start] === 0x0a || pdf[start] === 0x0d);
    if (!isKeyword) {
      pos = start;
      count--;
      continue;
    }
    if (pdf[start] === 0x0d) start++;
    if (pdf[start] === 0x0a) start++;
    const end = pdf.indexOf(END_STREAM, start);
    const stop = end < 0 ? pdf.length : end;
    yield { dict: dictionaryBefore(pdf, at), data: pdf.subarray(start, stop) };
    pos = stop + END_STREAM.length;
  }
}

/** Decoded bytes of a PDF string as text: UTF-16BE with a BOM, else one character per byte. */
function bytesToText(bytes: number[]): string {
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
    return s;
  }
  return String.fromCharCode(...bytes);
}

const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };

/** A literal string `( … )` starting at `s[i] === '('`: its bytes and the index after it. */
function literalString(s: string, i: number): { bytes: number[]; next: number } {
  const bytes: number[] = [];
  let depth = 1;
  let j = i + 1;
  while (j < s.length) {
    const c = s[j]!;
    if (c === '\\') {
      const e = s[j + 1] ?? '';
      const octal = /^[0-7]{1,3}/.exec(s.slice(j + 1, j + 4));
      if (octal) {
        bytes.push(parseInt(octal[0], 8) & 0xff);
        j += 1 + octal[0].length;
        continue;
      }
      if (e in ESCAPES) bytes.push(ESCAPES[e]!);
      else if (e === '\r') j += s[j + 2] === '\n' ? 1 : 0; // line continuation
      else if (e !== '\n') bytes.push(e.charCodeAt(0));
      j += 2;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && --depth === 0) return { bytes, next: j + 1 };
    bytes.push(c.charCodeAt(0) & 0xff);
    j++;
  }
  return { bytes, next: j };
}

/** A hex string `< … >` starting at `s[i] === '<'`. */
function hexString(s: string, i: number): { bytes: number[]; next: number } {
  const end = s.indexOf('>', i);
  const stop = end < 0 ? s.length : end;
  const hex = s.slice(i + 1, stop).replace(/[^0-9A-Fa-f]/g, '');
  const bytes: number[] = [];
  for (let k = 0; k < hex.length; k += 2) bytes.push(parseInt(hex.slice(k, k + 2).padEnd(2, '0'), 16));
  return { bytes, next: stop + 1 };
}

/**
 * The text shown by a content stream: the strings of its `Tj`, `TJ`, `'` and `"` operators,
 * one space between operators. Fonts with custom encodings (CID/Identity-H without a
 * ToUnicode map applied) give garbage, which the caller then sees as unreadable or not found.
 */
export function referenceContentStreamText(content: string): string {
  const out: string[] = [];
  let pending: string[] = [];
  let i = 0;
  while (i < content.length) {
    const c = content[i]!;
    if (c === '(') {
      const { bytes, next } = literalString(content, i);
      pending.push(bytesToText(bytes));
      i = next;
    } else if (c === '<' && content[i + 1] !== '<') {
      const { bytes, next } = hexString(content, i);
      pending.push(bytesToText(bytes));
      i = next;
    } else if (c === '%') {
      const eol = content.slice(i).search(/[\r\n]/);
      i = eol < 0 ? content.length : i + eol;
    } else if (/[A-Za-z'"]/.test(c)) {
      const op = /^[A-Za-z'"*]+/.exec(content.slice(i, i + 8))![0];
      if ((op === 'Tj' || op === 'TJ' || op === "'" || op === '"') && pending.length > 0) out.push(pending.join(''));
      pending = [];
      i += op.length;
    } else {
      i++;
    }
  }
  return out.join(' ');
}

/** Streams that are not page content: images, fonts, cross-reference and object streams, metadata. */
const SKIPPED_STREAM =
  /\/Subtype\s*\/(?:Image|Type1C|CIDFontType0C|OpenType|XML)\b|\/Type\s*\/(?:XRef|ObjStm|Metadata|EmbeddedFile)\b|\/Length[123]\b/;

/** The text of every readable stream of the PDF, within the bounds. */
function pdfText(pdf: Buffer): string {
  const texts: string[] = [];
  let inflated = 0;
  for (const { dict, data } of streams(pdf)) {
    if (SKIPPED_STREAM.test(dict)) continue;
    let content: Buffer;
    if (/\/FlateDecode|\/Fl\b/.test(dict)) {
      // other filters chained after Flate (or before it) cannot be read here
      if (/\/(?:DCTDecode|JPXDecode|CCITTFaxDecode|JBIG2Decode|LZWDecode|ASCII85Decode|ASCIIHexDecode|RunLengthDecode)/.test(dict)) continue;
      const budget = PDF_MAX_INFLATED_BYTES - inflated;
      if (budget <= 0) break;
      try {
        // a truncated stream still yields what inflated before the cut
        content = inflateSync(data, { maxOutputLength: budget, finishFlush: zlibConstants.Z_SYNC_FLUSH });
      } catch {
        // charge a broken stream what it could have inflated to before failing (deflate's
        // ratio is at most ~1032:1), so that many broken streams cannot multiply the work
        inflated += Math.min(budget, data.length * 1032);
        continue;
      }
      inflated += content.length;
    } else if (/\/Filter/.test(dict)) {
      continue;
    } else {
      content = data;
    }
    const text = referenceContentStreamText(content.toString('latin1'));
    if (text) texts.push(text);
  }
  return texts.join('\n');
}

const SIREN_SEPARATOR = '[ .\\u00a0\\u202f\\t-]{0,3}';

/**
 * Whether the court document shows the company's SIREN (9 digits), read without dependencies:
 * FlateDecode and unfiltered content streams, text of the `Tj`/`TJ`/`'`/`"` operators.
 * The digits may be separated by spaces, dots, hyphens or (narrow) no-break spaces, as in
 * "732 829 320"; they must not follow another digit. A SIRET of that SIREN counts as found.
 *
 * - 'unreadable': not a PDF, or fewer than {@link PDF_MIN_READABLE_CHARS} letters and digits of
 *   text (a scan, or fonts we cannot decode): the agent has to look;
 * - 'found' / 'not-found' otherwise.
 *
 * Work is bounded: {@link PDF_MAX_STREAMS} streams, {@link PDF_MAX_INFLATED_BYTES} inflated bytes.
 * Throws only when `siren` is not 9 digits (programmer error).
 */
export function referenceFindSirenInPdf(pdf: Buffer, siren: string): 'found' | 'not-found' | 'unreadable' {
  if (!/^\d{9}$/.test(siren)) throw new Error(`findSirenInPdf: "${siren}" is not a 9-digit SIREN`);
  if (!pdf.subarray(0, 1024).includes('%PDF-')) return 'unreadable';
  const text = pdfText(pdf);
  const readable = text.match(/[A-Za-z0-9]/g)?.length ?? 0;
  if (readable < PDF_MIN_READABLE_CHARS) return 'unreadable';
  const pattern = new RegExp(`(?<!\\d)${siren.split('').join(SIREN_SEPARATOR)}`);
  return pattern.test(text) ? 'found' : 'not-found';
}
