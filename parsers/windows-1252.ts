/**
 * windows-1252 decoding, written out because Node 20's TextDecoder('windows-1252')
 * decodes 0x80–0x9F as C1 controls (U+0080…) instead of € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ.
 * Also used for ISO-8859-1, as browsers do (WHATWG): real Latin-1 text never uses 0x80–0x9F.
 */

/** Code points of bytes 0x80–0x9F in windows-1252; the five undefined bytes keep their C1 value. */
const HIGH: readonly number[] = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** The Unicode code point of one windows-1252 byte (or of an HTML numeric reference in 128–159). */
export function windows1252CodePoint(byte: number): number {
  return byte >= 0x80 && byte <= 0x9f ? (HIGH[byte - 0x80] ?? byte) : byte;
}

/** Decodes windows-1252 bytes; every byte maps to exactly one character. */
export function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    const chunk = bytes.subarray(i, i + 4096);
    out += String.fromCharCode(...Array.from(chunk, windows1252CodePoint));
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** True when the bytes are well-formed UTF-8 (pure ASCII included). */
export function isWellFormedUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes bytes in the given charset label. windows-1252 and its Latin-1 aliases use
 * {@link decodeWindows1252}; us-ascii that carries 8-bit bytes is treated as undeclared; other
 * labels go to TextDecoder. Undeclared (null, '') or unknown labels decode as UTF-8 when the bytes
 * are well-formed UTF-8, else as windows-1252 (the usual truth of French mail without a charset).
 */
export function decodeBytes(bytes: Uint8Array, charset: string | null): string {
  const label = (charset ?? '').trim().toLowerCase();
  if (/^(?:windows-?1252|cp-?1252|iso[-_]?8859-1|iso8859-1|latin-?1|l1)$/.test(label)) {
    return decodeWindows1252(bytes);
  }
  if (label && !/^(?:us-)?ascii$/.test(label)) {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // unknown label: guess below
    }
  }
  return isWellFormedUtf8(bytes) ? new TextDecoder('utf-8').decode(bytes) : decodeWindows1252(bytes);
}
