/** Raw-text helpers for the fuzz mutations: messages are handled as latin1 strings, byte for byte. */

export const CRLF = '\r\n';
export const latin1 = (b: Buffer) => b.toString('latin1');
export const bytes = (s: string) => Buffer.from(s, 'latin1');

/** Split at the first blank line: [header block, body]; no blank line means no body. */
export function splitMessage(raw: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? [raw.slice(0, m.index), raw.slice(m.index + m[0].length)] : [raw, ''];
}

/** Header lines without those named (and their continuation lines). */
export function dropHeaders(head: string, names: string[]): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line)) {
      if (!skipping) out.push(line);
      continue;
    }
    const name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
    skipping = names.includes(name);
    if (!skipping) out.push(line);
  }
  return out.join(CRLF);
}

/** The Content-Type and Content-Transfer-Encoding header lines of the top level (unfolded). */
export function topContentHeaders(head: string): string[] {
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded.split(/\r?\n/).filter((l) => /^content-(type|transfer-encoding):/i.test(l));
}

/** `piece` inserted into `s` at index `at`. */
export function insertAt(s: string, at: number, piece: string): string {
  return s.slice(0, at) + piece + s.slice(at);
}

/** Base64 in lines of 76 characters, as MIME wants. */
export function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}
