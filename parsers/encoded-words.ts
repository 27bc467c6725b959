/**
 * RFC 2047 encoded words in header values (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`), read by libmime,
 * mailparser's own decoder, with the project's charset rule on top (see {@link decodeBytes}).
 */
import libmime from 'libmime';
import { decodeBytes } from './windows-1252.js';

/**
 * libmime finds the words, joins adjacent ones of one charset and undoes B and Q; the bytes are then
 * decoded by decodeBytes rather than by libmime, which reads an unknown charset as UTF-8 (Latin-1 bytes
 * become U+FFFD) where the project reads it as UTF-8 when well-formed, else windows-1252.
 */
class ProjectCharsetLibmime extends libmime.Libmime {
  override decodeWord(charset: string, encoding: string, str: string): string {
    // libmime's 'binary' maps each byte to one character (its 'latin1' means windows-1252): the bytes come back whole
    const bytes = Buffer.from(super.decodeWord('binary', encoding, str), 'latin1');
    return decodeBytes(bytes, charset.split('*')[0] ?? ''); // RFC 2231 language suffix (`UTF-8*fr`) ignored
  }
}

const words = new ProjectCharsetLibmime();

/** A B word whose base64 lacks its padding (`=?utf-8?B?w6k?=`). */
const UNPADDED_B_WORD = /(=\?[^?\s]+\?[Bb]\?)([A-Za-z0-9+/]+)(\?=)/g;

/**
 * libmime joins adjacent B words by joining their base64 text, which is right only when each is padded:
 * `w6k` + `w6k` would decode as one misaligned run. Each word is decodable on its own (RFC 2047 §5), so
 * a missing padding is restored first.
 */
function padBWords(value: string): string {
  return value.replace(UNPADDED_B_WORD, (word, head: string, text: string, tail: string) =>
    text.length % 4 > 1 ? head + text.padEnd(text.length + 4 - (text.length % 4), '=') + tail : word,
  );
}

/**
 * Decodes the encoded words of a header value. Whitespace between two encoded words is dropped
 * (RFC 2047 §6.2), and adjacent words of one charset and encoding are decoded together, so a
 * multi-byte character split across two words comes out whole. Text outside encoded words is kept as is.
 */
export function decodeEncodedWords(value: string): string {
  return words.decodeWords(padBWords(value));
}
