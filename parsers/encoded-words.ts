/**
 * RFC 2047 encoded words in header values (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`).
 */
import { decodeQuotedPrintable } from './transfer-encoding.js';
import { decodeBytes } from './windows-1252.js';

const WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

function wordBytes(encoding: string, text: string): Uint8Array {
  if (encoding.toUpperCase() === 'B') return new Uint8Array(Buffer.from(text, 'base64'));
  return decodeQuotedPrintable(new Uint8Array(Buffer.from(text, 'latin1')), true);
}

/**
 * Decodes the encoded words of a header value. Whitespace between two encoded words is
 * dropped (RFC 2047 §6.2), and adjacent words of one charset are decoded together, so a
 * multi-byte character split across two words comes out whole. The charset's RFC 2231
 * language suffix (`UTF-8*fr`) is ignored. Text outside encoded words is kept as is.
 */
export function decodeEncodedWords(value: string): string {
  let out = '';
  let pending: { charset: string; bytes: number[] } | null = null;
  let last = 0;
  const flush = (): void => {
    if (pending) out += decodeBytes(Uint8Array.from(pending.bytes), pending.charset);
    pending = null;
  };
  for (const m of value.matchAll(WORD)) {
    const between = value.slice(last, m.index);
    const charset = (m[1] ?? '').split('*')[0]?.toLowerCase() ?? '';
    const bytes = wordBytes(m[2] ?? 'Q', m[3] ?? '');
    const joinable = pending !== null && /^\s*$/.test(between);
    if (!joinable) {
      flush();
      out += between;
    } else if (pending && pending.charset !== charset) {
      flush();
    }
    pending ??= { charset, bytes: [] };
    pending.bytes.push(...bytes);
    last = (m.index ?? 0) + m[0].length;
  }
  flush();
  return out + value.slice(last);
}
