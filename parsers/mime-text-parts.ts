/**
 * The body text parts of a raw MIME message, found by a small walk of its structure, for the one
 * thing mailparser cannot do for us: a text part that declares no charset (or us-ascii) but holds
 * 8-bit bytes that are not UTF-8, which mailparser reads as UTF-8 and turns into U+FFFD. Old clients
 * send Latin-1 that way, and "SIRET concerné" must still be found. Only what that needs is read:
 * Content-Type (type, charset, boundary), Content-Transfer-Encoding and Content-Disposition.
 */
import { decodeTransferEncoding } from './transfer-encoding.js';

export interface RawTextPart {
  contentType: 'text/plain' | 'text/html';
  /** The declared charset, lower-cased; null when none. */
  charset: string | null;
  /** The body, transfer-decoded, in the bytes it was sent in. */
  body: Uint8Array;
}

/** Deeper multipart nesting than this is not walked (mailparser itself refuses absurd depths). */
const MAX_DEPTH = 20;
/** At most this many parts are looked at. */
const MAX_PARTS = 500;

interface PartHeader {
  type: string;
  params: Map<string, string>;
  transferEncoding: string | null;
  attachment: boolean;
}

/** Header block and body of an entity: the header ends at the first empty line. */
function splitEntity(entity: Buffer): { header: string; body: Buffer } {
  const crlf = entity.indexOf('\r\n\r\n');
  const lf = entity.indexOf('\n\n');
  let end: number;
  let bodyStart: number;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) [end, bodyStart] = [crlf, crlf + 4];
  else if (lf >= 0) [end, bodyStart] = [lf, lf + 2];
  else if (/^\r?\n/.test(entity.subarray(0, 2).toString('latin1'))) [end, bodyStart] = [0, entity[0] === 0x0d ? 2 : 1];
  else [end, bodyStart] = [entity.length, entity.length];
  return { header: entity.subarray(0, end).toString('latin1'), body: entity.subarray(bodyStart) };
}

/** The first value of a header field, unfolded; null when absent. */
function field(header: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\n)${name}[ \\t]*:((?:[^\\r\\n]|\\r?\\n[ \\t])*)`, 'i').exec(header);
  return m ? m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : null;
}

/** `type/subtype; a=b; c="d"` → the lower-cased type and the parameters (names lower-cased). */
export function parseStructuredValue(value: string): { value: string; params: Map<string, string> } {
  const semi = value.indexOf(';');
  const main = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const params = new Map<string, string>();
  const rest = semi < 0 ? '' : value.slice(semi);
  for (const m of rest.matchAll(/;\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;\s]*)/g)) {
    const name = m[1]!.toLowerCase();
    if (!params.has(name)) params.set(name, m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!);
  }
  return { value: main, params };
}

function partHeader(header: string, defaultType: string): PartHeader {
  const ct = field(header, 'content-type');
  const parsed = ct ? parseStructuredValue(ct) : { value: defaultType, params: new Map<string, string>() };
  const disposition = field(header, 'content-disposition');
  return {
    type: parsed.value.includes('/') ? parsed.value : defaultType,
    params: parsed.params,
    transferEncoding: field(header, 'content-transfer-encoding'),
    attachment: disposition !== null && parseStructuredValue(disposition).value === 'attachment',
  };
}

/** The parts of a multipart body, between its delimiter lines (preamble and epilogue dropped). */
function multipartParts(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const starts: { lineStart: number; after: number; close: boolean }[] = [];
  for (let at = text.indexOf(delimiter); at >= 0; at = text.indexOf(delimiter, at + delimiter.length)) {
    if (at > 0 && text[at - 1] !== '\n') continue; // only at the start of a line
    const eol = text.indexOf('\n', at);
    // The whole line: the boundary, `--` for the last one, then only white space (`--b1` is not `--b10`).
    const rest = /^(--)?[ \t]*\r?$/.exec(text.slice(at + delimiter.length, eol < 0 ? text.length : eol));
    if (!rest) continue;
    const close = rest[1] !== undefined;
    starts.push({ lineStart: at, after: eol < 0 ? text.length : eol + 1, close });
    if (close) break;
  }
  const parts: Buffer[] = [];
  for (let i = 0; i < starts.length; i += 1) {
    const from = starts[i]!;
    if (from.close) break;
    const next = starts[i + 1];
    // The line break before the next delimiter belongs to the delimiter; without a next one, the part runs to the end.
    let end = next ? next.lineStart : text.length;
    if (next && end > from.after && text[end - 1] === '\n') end -= 1;
    if (next && end > from.after && text[end - 1] === '\r') end -= 1;
    parts.push(body.subarray(from.after, Math.max(from.after, end)));
  }
  return parts;
}

/**
 * The text/plain and text/html parts of the message that are its body (not attachments, not inside
 * a forwarded message/rfc822), in order, each with its declared charset and its transfer-decoded bytes.
 */
export function textPartsOf(raw: Buffer): RawTextPart[] {
  const out: RawTextPart[] = [];
  let seen = 0;
  const walk = (entity: Buffer, depth: number, defaultType: string): void => {
    if (depth > MAX_DEPTH || ++seen > MAX_PARTS) return;
    const { header, body } = splitEntity(entity);
    const h = partHeader(header, defaultType);
    if (h.type.startsWith('multipart/')) {
      const boundary = h.params.get('boundary');
      if (!boundary) return;
      const childDefault = h.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
      for (const part of multipartParts(body, boundary)) walk(part, depth + 1, childDefault);
      return;
    }
    if ((h.type === 'text/plain' || h.type === 'text/html') && !h.attachment) {
      out.push({ contentType: h.type, charset: h.params.get('charset')?.toLowerCase() ?? null, body: decodeTransferEncoding(body, h.transferEncoding) });
    }
  };
  walk(raw, 0, 'text/plain');
  return out;
}
