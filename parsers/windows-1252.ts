/**
 * Bytes to text with iconv-lite (Node 20's TextDecoder('windows-1252') decodes 0x80–0x9F as C1 controls
 * instead of € ’ – …), and the project's rule for text whose charset is undeclared or not to be trusted:
 * UTF-8 when the bytes are well-formed UTF-8, else windows-1252 (the usual truth of French mail and of
 * Excel's CSV files).
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** iconv-lite's alias resolution: one cached codec object per encoding (not in its 0.6 typings). */
const { getCodec } = iconv as unknown as { getCodec(label: string): unknown };
const codecOf = (label: string): unknown => {
  try {
    return getCodec(label);
  } catch {
    return null; // a label iconv-lite does not know
  }
};

/** Every label iconv-lite resolves to windows-1252 or Latin-1 (cp1252, iso-8859-1, l1, cp819…) reads as windows-1252. */
const WINDOWS_1252 = new Set(['windows-1252', 'latin1'].map(codecOf));
/**
 * Labels read as undeclared: us-ascii (8-bit bytes in it are not ASCII), and codecs that are not a charset text
 * is written in: UTF-7 would smuggle markup past filters (`+ADw-script+AD4-`), base64/hex/binary are encodings.
 */
const NOT_A_TEXT_CHARSET = new Set(['ascii', 'utf7', 'utf7imap', 'base64', 'hex', 'binary'].map(codecOf));

function textDecoderFor(label: string): InstanceType<typeof TextDecoder> | null {
  try {
    return new TextDecoder(label);
  } catch {
    return null;
  }
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Decodes windows-1252 bytes; every byte maps to exactly one character. The five bytes windows-1252 leaves
 * undefined (0x81 0x8D 0x8F 0x90 0x9D) keep their C1 value, as browsers do (WHATWG), where iconv-lite
 * would lose them to U+FFFD.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  const buf = asBuffer(bytes);
  return iconv.decode(buf, 'windows-1252').replace(/\ufffd/g, (_c, at: number) => String.fromCharCode(buf[at]!));
}

/** True when the bytes are well-formed UTF-8 (pure ASCII included). */
export function isWellFormedUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/**
 * Decodes bytes in the given charset label, with iconv-lite (TextDecoder for the few labels only the WHATWG
 * decoders know). Latin-1 labels decode as windows-1252 (as browsers do: real Latin-1 text never uses
 * 0x80–0x9F). Undeclared (null, ''), us-ascii, unknown and refused labels (UTF-7, base64…) decode as UTF-8
 * when the bytes are well-formed UTF-8, else as windows-1252.
 */
export function decodeBytes(bytes: Uint8Array, charset: string | null): string {
  const label = (charset ?? '').trim();
  const codec = label ? codecOf(label) : null;
  if (WINDOWS_1252.has(codec)) return decodeWindows1252(bytes);
  if (codec !== null && !NOT_A_TEXT_CHARSET.has(codec)) return iconv.decode(asBuffer(bytes), label);
  if (codec === null && label) {
    // the few labels only the WHATWG decoders know (iso-2022-jp, x-mac-roman…)
    const whatwg = textDecoderFor(label);
    if (whatwg) return whatwg.decode(bytes);
  }
  return isWellFormedUtf8(bytes) ? iconv.decode(asBuffer(bytes), 'utf-8') : decodeWindows1252(bytes);
}
