/**
 * Content-Transfer-Encoding and RFC 2047 "Q" decoding, for the few places where the
 * adapter decodes raw bytes itself (see src/mail/parse-mail.ts).
 */

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Quoted-printable to bytes (RFC 2045 §6.7): `=XX` escapes, soft line breaks (`=` at end of line,
 * trailing spaces tolerated) removed. A malformed `=` is kept as a literal '='.
 * With `underscoreIsSpace` it is the "Q" encoding of RFC 2047 encoded words.
 */
export function decodeQuotedPrintable(input: Uint8Array, underscoreIsSpace = false): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const c = input[i] ?? 0;
    if (c === 0x5f && underscoreIsSpace) {
      out.push(0x20);
      continue;
    }
    if (c !== 0x3d) {
      out.push(c);
      continue;
    }
    let j = i + 1;
    while (input[j] === 0x20 || input[j] === 0x09) j++;
    if (input[j] === 0x0d || input[j] === 0x0a || j >= input.length) {
      i = input[j] === 0x0d && input[j + 1] === 0x0a ? j + 1 : j; // soft line break
      continue;
    }
    const hi = hexValue(input[i + 1] ?? 0);
    const lo = hexValue(input[i + 2] ?? 0);
    if (hi < 0 || lo < 0) {
      out.push(c);
      continue;
    }
    out.push(hi * 16 + lo);
    i += 2;
  }
  return Uint8Array.from(out);
}

/**
 * Decodes a body according to its Content-Transfer-Encoding (`base64`, `quoted-printable`;
 * anything else, 7bit/8bit/binary or absent, is returned as is).
 */
export function decodeTransferEncoding(body: Uint8Array, encoding: string | null): Uint8Array {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'base64':
      return new Uint8Array(Buffer.from(Buffer.from(body).toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}
