/**
 * Header fields of a raw RFC 5322 message: lower-cased names, unfolded values, no MIME decoding.
 * Cheap on purpose (the sink only needs Message-ID, Subject and friends for assertions);
 * parse with the real parser when a test needs decoded content.
 */
export function parseRawHeaders(raw: Buffer | string): Record<string, string[]> {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end === -1 ? text : text.slice(0, end);
  const headers: Record<string, string[]> = {};
  for (const field of block.split(/\r?\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    const value = field.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    (headers[name] ??= []).push(value);
  }
  return headers;
}
