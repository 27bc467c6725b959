import { AppError } from '../errors';
/**
 * Is the company's SIREN written in the court document? A warning for the agents when a PDF whose text
 * can be read does not show it. Reads content streams as bytes (Flate decoded within bounds) and stops
 * at the first match. Pure: no I/O, no clock.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';

/** Most bytes inflated from one PDF, all streams together. */
export const PDF_MAX_INFLATED_BYTES = 20 * 1024 * 1024;
/** Most streams looked at in one PDF. */
export const PDF_MAX_STREAMS = 2000;
/** Fewer letters and digits than this in the text found: the PDF is taken for a scan. */
export const PDF_MIN_READABLE_CHARS = 20;

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

// Content streams are read byte by byte as latin1 (one byte, one character): the PDF defines the
// strings that text operators show as bytes, and this keeps the scan free of string building.
const OP_START = 1; // a letter, ' or ": an operator begins
const OP_CHAR = 2; // … and continues with these, or *
const OCTAL = 4;
const SYNTAX = 8; // a byte the scan must look at: an operator, a string or a comment begins
const BYTE_CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const c = String.fromCharCode(b);
  if (/[A-Za-z'"]/.test(c)) BYTE_CLASS[b]! |= OP_START | OP_CHAR | SYNTAX;
  if (/[(<%]/.test(c)) BYTE_CLASS[b]! |= SYNTAX;
  if (c === '*') BYTE_CLASS[b]! |= OP_CHAR;
  if (/[0-7]/.test(c)) BYTE_CLASS[b]! |= OCTAL;
}
/** Value of a hex digit, -1 for any other byte. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let b = 0; b < 256; b++) {
  const c = String.fromCharCode(b);
  if (/[0-9A-Fa-f]/.test(c)) HEX_VALUE[b] = parseInt(c, 16);
}
/** Byte written by `\x` in a literal string, -1 when `x` is not one of the escapes. */
const ESCAPE_BYTE = new Int16Array(256).fill(-1);
for (const [c, byte] of Object.entries({ n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 })) {
  ESCAPE_BYTE[c.charCodeAt(0)] = byte;
}
/** Longest operator name looked at; longer runs of letters are read as several operators. */
const MAX_OPERATOR = 8;

/** Receives, in order, the text shown by each text operator of one content stream. */
interface ShownTextSink {
  /** One operator's text, `units[0 … length)` as UTF-16 code units. Returns true to stop the scan. */
  show(units: Uint16Array, length: number): boolean;
}

/**
 * Reads content streams: the strings of the `Tj`, `TJ`, `'` and `"` operators, decoded (UTF-16BE
 * with a BOM, else one character per byte), are handed to a sink one operator at a time. Strings
 * followed by any other operator are dropped. Its buffers are reused from one stream to the next.
 */
class ContentScanner {
  /** Text of the strings read since the last operator; the string being read is at its end. */
  private units = new Uint16Array(256);
  private unitCount = 0;
  private stringCount = 0;
  /** Where the string being read starts in `units`. */
  private stringStart = 0;

  /** Scans one content stream; true when the sink asked to stop. */
  scan(content: Uint8Array, sink: ShownTextSink): boolean {
    this.unitCount = 0;
    this.stringCount = 0;
    const n = content.length;
    let i = 0;
    while (i < n) {
      const b = content[i]!;
      if ((BYTE_CLASS[b]! & SYNTAX) === 0) {
        // numbers, spaces, delimiters: most of the bytes of a stream
        i++;
        while (i < n && (BYTE_CLASS[content[i]!]! & SYNTAX) === 0) i++;
      } else if (b === 0x28 /* ( */) {
        i = this.literalString(content, i);
        this.endString();
      } else if (b === 0x3c /* < */ && content[i + 1] !== 0x3c) {
        i = this.hexString(content, i);
        this.endString();
      } else if (b === 0x25 /* % */) {
        i++;
        while (i < n && content[i] !== 0x0a && content[i] !== 0x0d) i++;
      } else if (BYTE_CLASS[b]! & OP_START) {
        const stop = Math.min(n, i + MAX_OPERATOR);
        let end = i + 1;
        while (end < stop && BYTE_CLASS[content[end]!]! & OP_CHAR) end++;
        const showsText = end - i === 2
          ? b === 0x54 /* T */ && (content[i + 1] === 0x6a /* j */ || content[i + 1] === 0x4a /* J */)
          : end - i === 1 && (b === 0x27 /* ' */ || b === 0x22 /* " */);
        if (showsText && this.stringCount > 0 && sink.show(this.units, this.unitCount)) return true;
        this.unitCount = 0;
        this.stringCount = 0;
        i = end;
      } else {
        i++; // `<<`
      }
    }
    return false;
  }

  /** Appends one byte of the string being read (as a character; see endString). */
  private pushByte(byte: number): void {
    if (this.unitCount === this.units.length) {
      const grown = new Uint16Array(this.units.length * 2);
      grown.set(this.units);
      this.units = grown;
    }
    this.units[this.unitCount++] = byte;
  }

  /** A literal string `( … )` starting at `content[i]`: reads its bytes, returns the index after it. */
  private literalString(content: Uint8Array, i: number): number {
    this.stringStart = this.unitCount;
    const n = content.length;
    let depth = 1;
    let j = i + 1;
    while (j < n) {
      const b = content[j]!;
      if (b === 0x5c /* \ */) {
        const stop = Math.min(n, j + 4);
        let k = j + 1;
        let octal = 0;
        while (k < stop && BYTE_CLASS[content[k]!]! & OCTAL) octal = octal * 8 + content[k++]! - 0x30;
        if (k > j + 1) {
          this.pushByte(octal & 0xff);
          j = k;
          continue;
        }
        if (j + 1 < n) {
          const e = content[j + 1]!;
          if (ESCAPE_BYTE[e]! >= 0) this.pushByte(ESCAPE_BYTE[e]!);
          else if (e === 0x0d) j += content[j + 2] === 0x0a ? 1 : 0; // line continuation
          else if (e !== 0x0a) this.pushByte(e);
        } else {
          this.pushByte(0); // a backslash ending the stream stands for a NUL, as it always has here
        }
        j += 2;
        continue;
      }
      if (b === 0x28) depth++;
      else if (b === 0x29 && --depth === 0) return j + 1;
      this.pushByte(b);
      j++;
    }
    return j;
  }

  /** A hex string `< … >` starting at `content[i]`: reads its bytes, returns the index after it. */
  private hexString(content: Uint8Array, i: number): number {
    this.stringStart = this.unitCount;
    const end = content.indexOf(0x3e /* > */, i);
    const stop = end < 0 ? content.length : end;
    let high = -1;
    for (let k = i + 1; k < stop; k++) {
      const v = HEX_VALUE[content[k]!]!;
      if (v < 0) continue;
      if (high < 0) high = v;
      else {
        this.pushByte(high * 16 + v);
        high = -1;
      }
    }
    if (high >= 0) this.pushByte(high * 16);
    return stop + 1;
  }

  /** Ends the string just read: its bytes are its characters, unless it is UTF-16BE with a BOM. */
  private endString(): void {
    this.stringCount++;
    const units = this.units;
    const start = this.stringStart;
    const end = this.unitCount;
    if (end - start >= 2 && units[start] === 0xfe && units[start + 1] === 0xff) {
      // pairs of bytes become one code unit, in place (a dangling last byte is dropped)
      let to = start;
      for (let k = start + 2; k + 1 < end; k += 2) units[to++] = (units[k]! << 8) | units[k + 1]!;
      this.unitCount = to;
    }
  }
}

/** UTF-16 code units as a string, in chunks (a spread of a long array overflows the stack). */
function unitsToString(units: Uint16Array, length: number): string {
  let s = '';
  for (let k = 0; k < length; k += 8192) s += String.fromCharCode(...units.subarray(k, Math.min(length, k + 8192)));
  return s;
}

/**
 * The text shown by a content stream (given as latin1 text, one character per byte): the strings
 * of its `Tj`, `TJ`, `'` and `"` operators, one space between operators. Fonts with custom
 * encodings (CID/Identity-H without a ToUnicode map applied) give garbage, which the caller then
 * sees as unreadable or not found.
 */
export function contentStreamText(content: string): string {
  const shown: string[] = [];
  new ContentScanner().scan(Buffer.from(content, 'latin1'), {
    show(units, length) {
      shown.push(unitsToString(units, length));
      return false;
    },
  });
  return shown.join(' ');
}

/** Streams that are not page content: images, fonts, cross-reference and object streams, metadata. */
const SKIPPED_STREAM =
  /\/Subtype\s*\/(?:Image|Type1C|CIDFontType0C|OpenType|XML)\b|\/Type\s*\/(?:XRef|ObjStm|Metadata|EmbeddedFile)\b|\/Length[123]\b/;

/** The decoded bytes of every readable content stream of the PDF, in order, within the bounds. */
function* contentStreams(pdf: Buffer): Generator<Buffer> {
  let inflated = 0;
  for (const { dict, data } of streams(pdf)) {
    if (SKIPPED_STREAM.test(dict)) continue;
    if (/\/FlateDecode|\/Fl\b/.test(dict)) {
      // other filters chained after Flate (or before it) cannot be read here
      if (/\/(?:DCTDecode|JPXDecode|CCITTFaxDecode|JBIG2Decode|LZWDecode|ASCII85Decode|ASCIIHexDecode|RunLengthDecode)/.test(dict)) continue;
      const budget = PDF_MAX_INFLATED_BYTES - inflated;
      if (budget <= 0) return;
      let content: Buffer;
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
      yield content;
    } else if (!/\/Filter/.test(dict)) {
      yield data;
    }
  }
}

const ALPHANUMERIC = new Uint8Array(128);
for (let u = 0; u < 128; u++) ALPHANUMERIC[u] = /[A-Za-z0-9]/.test(String.fromCharCode(u)) ? 1 : 0;

/** Characters allowed between two digits of the SIREN, at most three in a row. */
function isSirenSeparator(u: number): boolean {
  return u === 0x20 || u === 0x2e || u === 0xa0 || u === 0x202f || u === 0x09 || u === 0x2d;
}
const SIREN_MAX_SEPARATORS = 3;
/** Characters of one stream's text kept for matching: 9 digits, 8 × 3 separators and the one before. */
const WINDOW = 64;
const WINDOW_MASK = WINDOW - 1;

/**
 * Follows the text of the streams, one stream at a time, counting letters and digits and looking
 * for the SIREN: its 9 digits, at most {@link SIREN_MAX_SEPARATORS} separators between two of them,
 * not preceded by a digit. A match never spans two streams (their texts are separate lines).
 */
class SirenMatcher implements ShownTextSink {
  /** Letters and digits seen so far (ASCII). */
  readable = 0;
  found = false;
  private readonly digits: Uint16Array;
  private readonly window = new Uint16Array(WINDOW);
  /** Code units of the current stream's text so far. */
  private length = 0;
  private operators = 0;

  constructor(siren: string) {
    this.digits = Uint16Array.from(siren, (c) => c.charCodeAt(0));
  }

  startStream(): void {
    this.length = 0;
    this.operators = 0;
  }

  /** True once the answer is known to be 'found'. */
  get done(): boolean {
    return this.found && this.readable >= PDF_MIN_READABLE_CHARS;
  }

  show(units: Uint16Array, length: number): boolean {
    // one space between the texts of two operators, as in contentStreamText
    if (this.operators++ > 0) this.push(0x20);
    let readable = 0;
    let k = 0;
    if (!this.found) {
      const window = this.window;
      const last = this.digits[8]!;
      let at = this.length;
      for (; k < length; k++) {
        const u = units[k]!;
        if (u < 128 && ALPHANUMERIC[u] === 1) readable++;
        window[at & WINDOW_MASK] = u;
        if (u === last && this.sirenEndsAt(at)) {
          this.found = true;
          k++;
          break;
        }
        at++;
      }
      this.length = at;
    }
    for (; k < length; k++) {
      const u = units[k]!;
      if (u < 128 && ALPHANUMERIC[u] === 1) readable++;
    }
    this.readable += readable;
    return this.done;
  }

  private push(u: number): void {
    if (u < 128 && ALPHANUMERIC[u] === 1) this.readable++;
    if (this.found) return;
    const at = this.length++;
    this.window[at & WINDOW_MASK] = u;
    if (u === this.digits[8]) this.found = this.sirenEndsAt(at);
  }

  /** Whether the SIREN ends at `at`: walk back over its digits and the separators between them. */
  private sirenEndsAt(at: number): boolean {
    let p = at;
    for (let d = 7; d >= 0; d--) {
      let separators = 0;
      for (;;) {
        if (--p < 0) return false;
        const u = this.window[p & WINDOW_MASK]!;
        if (u === this.digits[d]) break;
        if (!isSirenSeparator(u) || ++separators > SIREN_MAX_SEPARATORS) return false;
      }
    }
    if (p === 0) return true;
    const before = this.window[(p - 1) & WINDOW_MASK]!;
    return before < 0x30 || before > 0x39;
  }
}

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
 * It stops as soon as the SIREN is found with enough text around it. Throws only when `siren`
 * is not 9 digits (programmer error).
 */
export function findSirenInPdf(pdf: Buffer, siren: string): 'found' | 'not-found' | 'unreadable' {
  if (!/^\d{9}$/.test(siren)) throw new AppError('INTERNAL', `findSirenInPdf: "${siren}" is not a 9-digit SIREN`);
  if (!pdf.subarray(0, 1024).includes('%PDF-')) return 'unreadable';
  const matcher = new SirenMatcher(siren);
  const scanner = new ContentScanner();
  for (const content of contentStreams(pdf)) {
    matcher.startStream();
    if (scanner.scan(content, matcher)) return 'found';
  }
  if (matcher.readable < PDF_MIN_READABLE_CHARS) return 'unreadable';
  return matcher.found ? 'found' : 'not-found';
}
