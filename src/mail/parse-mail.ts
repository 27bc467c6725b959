/**
 * The mailparser adapter: raw RFC 5322 bytes → our InboundMail. The only file that imports
 * mailparser, so the parser can be swapped without touching the checks.
 */
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  MailParser,
  type AddressObject,
  type Attachment,
  type AttachmentStream,
  type HeaderLines,
  type HeaderValue,
  type ParsedMail,
  type StructuredHeader,
} from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import { decodeEncodedWords } from '../../parsers/encoded-words.js';
import type { AttachedMessage, InboundAttachment, InboundMail, MailAddress, SenderAddress } from '../../parsers/inbound-mail.js';
import { canonicalMailbox, writtenMailboxOf } from '../../parsers/mailbox.js';
import { textPartsOf } from '../../parsers/mime-text-parts.js';
import { decodeBytes, decodeWindows1252, isWellFormedUtf8 } from '../../parsers/windows-1252.js';
import { AppError, isAppError } from '../errors.js';
import { ByteCollector } from './byte-collector.js';

const PARSER_OPTIONS = {
  keepCidLinks: true,
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  // HTML-only mail keeps text '': checkRequest converts the HTML after removing its quoted parts
  skipHtmlToText: true,
  // every message/rfc822 part stays an attachment, its text out of ours: it is read on its own
  // (see attachedMessagesOf), as a request forwarded as an attachment
  ignoreEmbedded: true,
} as const;

/**
 * Bytes kept for sniffing and the integrity check: the PDF header may sit anywhere in the first 1024,
 * and a JPEG's frame header (its dimensions) comes after its EXIF block, at most 64 KiB long.
 */
const HEAD_BYTES = 64 * 1024 + 1024;
/** The last bytes, where a whole PDF has its startxref and %%EOF, a PNG its IEND, a JPEG its EOI. */
const TAIL_BYTES = 1024;

/** Headers whose value keeps its raw (unfolded) form; encoded words are decoded in all others. */
const STRUCTURED = new Set([
  'from', 'to', 'cc', 'bcc', 'sender', 'reply-to', 'return-path', 'delivered-to', 'disposition-notification-to',
  'resent-from', 'resent-to', 'resent-cc', 'resent-sender', 'message-id', 'in-reply-to', 'references',
  'resent-message-id', 'content-type', 'content-disposition', 'content-transfer-encoding', 'content-id',
  'mime-version', 'date', 'resent-date', 'received', 'dkim-signature', 'arc-seal', 'arc-message-signature',
  'arc-authentication-results', 'authentication-results', 'received-spf', 'list-id', 'list-unsubscribe',
  'list-unsubscribe-post', 'list-post', 'list-help', 'list-subscribe', 'list-owner', 'list-archive',
]);

/** A header line as mailparser keeps it (bytes as latin1 chars) → its text after the colon, unfolded. */
function rawHeaderValue(line: string): string {
  const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n(?=[ \t])/g, '').trim();
  // 8-bit header bytes: UTF-8 when well-formed, else windows-1252
  return /^[\x00-\xff]*$/.test(value) ? decodeBytes(Buffer.from(value, 'latin1'), null) : value;
}

function headerMap(lines: HeaderLines): Record<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { key, line } of lines) {
    if (!key || !line.includes(':')) continue;
    const raw = rawHeaderValue(line);
    const value = STRUCTURED.has(key) ? raw : decodeEncodedWords(raw);
    const values = map.get(key);
    if (values) values.push(value);
    else map.set(key, [value]);
  }
  // fromEntries defines own properties: a '__proto__' header cannot reach the prototype
  return Object.fromEntries(map);
}

function firstAddress(header: AddressObject | AddressObject[] | undefined): MailAddress | null {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const entry of objects.flatMap((o) => o.value.flatMap((v) => (v.group ? v.group : [v])))) {
    if (entry.address) return { address: entry.address.toLowerCase(), name: entry.name ?? '' };
  }
  return null;
}

/**
 * Whether the raw From header names exactly one clean mailbox, the one mailparser read (`read`): one
 * From header; nodemailer's address parser reads it as one mailbox (no list, no group); it is written
 * in a plain form (parsers/mailbox.ts, writtenMailboxOf: nothing the parser had to guess at); its
 * address is one clean addr-spec (canonicalMailbox), the same for both readings; and, lower-cased,
 * it is mailparser's. mailparser decodes encoded words before it reads the addresses: a From whose
 * address changes once decoded disagrees, and is not clean either.
 */
function isOneCleanMailbox(raw: string[] | undefined, read: MailAddress): boolean {
  if (raw?.length !== 1) return false;
  const written = writtenMailboxOf(raw[0]!);
  const canonical = written === null ? null : canonicalMailbox(written);
  if (!canonical) return false;
  const entries = addressparser(raw[0]!);
  if (entries.length !== 1) return false;
  const only = entries[0]!;
  if (only.group !== undefined || !only.address) return false;
  return canonicalMailbox(only.address) === canonical && only.address.toLowerCase() === read.address;
}

/**
 * The sender: mailparser's first mailbox of From, unchanged (a requester with an odd From is still
 * answered there), marked `ambiguous` when the header does not name exactly one clean mailbox, so
 * that it never counts as an agent.
 */
function senderOf(parsed: ParsedMail, headers: Record<string, string[]>): SenderAddress | null {
  const from = firstAddress(parsed.from);
  if (!from) return null;
  return isOneCleanMailbox(headers['from'], from) ? from : { ...from, ambiguous: true };
}

/** '' for the null sender `<>`, null when absent. */
function returnPathOf(headers: Record<string, string[]>): string | null {
  const value = headers['return-path']?.[0];
  if (value === undefined) return null;
  const inner = /<([^>]*)>/.exec(value)?.[1] ?? value;
  return inner.trim().toLowerCase();
}

function firstMessageId(value: string | undefined): string | null {
  if (!value) return null;
  const m = /<[^<>\s]+>/.exec(value);
  return m ? m[0] : null;
}

/** Every `<id>` of the References headers, oldest first; mailparser's reading when none is bracketed. */
function referencesOf(headers: Record<string, string[]>, parsed: ParsedMail): string[] {
  const ids = (headers['references'] ?? []).flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);
  if (ids.length > 0 || parsed.references === undefined) return ids;
  return Array.isArray(parsed.references) ? parsed.references : [parsed.references];
}

function dateOf(headers: Record<string, string[]>): Date | null {
  // mailparser replaces an unreadable Date by "now": read the header ourselves, no clock here
  const value = headers['date']?.[0];
  if (!value) return null;
  const date = new Date(value.replace(/\([^)]*\)/g, '').trim());
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Every `cid:` reference of the HTML, percent-decoded and lower-cased. */
function cidReferences(html: string | null): Set<string> {
  const refs = new Set<string>();
  for (const m of (html ?? '').matchAll(/\bcid:([^"'\s>)]+)/gi)) {
    let ref = m[1] ?? '';
    try {
      ref = decodeURIComponent(ref);
    } catch {
      // keep it as written
    }
    refs.add(ref.toLowerCase());
  }
  return refs;
}

/** A Content-Type / Content-Disposition value as mailparser parses it, or null. */
function asStructured(value: HeaderValue | undefined): StructuredHeader | null {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return null;
  const v = value as Partial<StructuredHeader>;
  return typeof v.value === 'string' && typeof v.params === 'object' ? (v as StructuredHeader) : null;
}

function toAttachment(att: Attachment, cids: Set<string>): InboundAttachment {
  const content = att.content;
  const contentId = att.cid?.trim() || null;
  const disposition = att.contentDisposition?.trim().toLowerCase();
  return {
    filename: att.filename ?? null,
    declaredType: (asStructured(att.headers.get('content-type'))?.value ?? att.contentType).toLowerCase(),
    size: content.length,
    head: new Uint8Array(content.subarray(0, HEAD_BYTES)),
    tail: new Uint8Array(content.subarray(Math.max(0, content.length - TAIL_BYTES))),
    sha256: createHash('sha256').update(content).digest('hex'),
    contentId,
    disposition: !disposition ? null : disposition === 'inline' ? 'inline' : 'attachment',
    referencedByHtml: contentId !== null && cids.has(contentId.toLowerCase()),
    related: att.related === true,
  };
}

/**
 * mailparser decodes an 8-bit text part without charset as UTF-8, so Latin-1 bytes become U+FFFD
 * (and "SIRET concerné" is no longer found). When the text or the HTML has U+FFFD, the raw parts are
 * looked at (parsers/mime-text-parts.ts): the text (or HTML) made of exactly one part that declares no
 * charset (or us-ascii) and is not well-formed UTF-8 is decoded as windows-1252 instead, in a
 * single-part mail and in a multipart one alike. Limits: a body made of several such parts keeps
 * mailparser's decoding, and a format=flowed body decoded this way is not re-flowed.
 */
async function undeclaredCharsetFallback(raw: Buffer, mail: InboundMail): Promise<Pick<InboundMail, 'text' | 'html'>> {
  const parts = await textPartsOf(raw);
  const redecode = (type: 'text/plain' | 'text/html', current: string): string | null => {
    const ofType = parts.filter((p) => p.contentType === type);
    const only = ofType.length === 1 ? ofType[0]! : null;
    if (!only || !current.includes('\ufffd')) return null;
    if (only.charset !== null && !/^(?:us-)?ascii$/.test(only.charset.trim())) return null;
    return isWellFormedUtf8(only.body) ? null : decodeWindows1252(only.body).replace(/\r\n?/g, '\n');
  };
  return {
    text: redecode('text/plain', mail.text) ?? mail.text,
    html: (mail.html !== null ? redecode('text/html', mail.html) : null) ?? mail.html,
  };
}

/** The source in pieces (views, no copies): fed whole, mailparser holds about 3.5× a large mail at once. */
const PARSE_PIECE_BYTES = 64 * 1024;
function* pieces(raw: Buffer): Generator<Buffer> {
  for (let at = 0; at < raw.length; at += PARSE_PIECE_BYTES) yield raw.subarray(at, at + PARSE_PIECE_BYTES);
}

/** Decoded attachments up to this size are copied out to a buffer of their size; larger ones keep theirs. */
const EXACT_COPY_BYTES = 1024 * 1024;

/**
 * An attachment's decoded bytes, written as they come into one buffer sized for the most they can be
 * (what is left of the source: decoding never makes a part larger). mailparser's own simpleParser keeps
 * the chunks and then concatenates them, so a 40 MiB PDF is held twice at the end of its part; here it
 * is held once, and the pages of the buffer that are never written are never resident.
 */
function collectAttachment(att: AttachmentStream, bound: number, done: (content: Buffer) => void): void {
  const collector = new ByteCollector(bound);
  const stream = att.content;
  stream.on('readable', () => {
    for (let chunk: Buffer | null = stream.read(); chunk !== null; chunk = stream.read()) collector.push(chunk);
  });
  stream.on('end', () => done(collector.bytes(EXACT_COPY_BYTES)));
}

/**
 * mailparser's MailParser driven as its simpleParser does (same result, same options), except that
 * attachments are collected by collectAttachment. `fed()` tells how many source bytes have gone into
 * the parser so far, `total` how many there are: what is left bounds the next attachment's size.
 */
function parseStream(input: Readable, total: number, fed: () => number): Promise<ParsedMail> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: unknown, mail?: ParsedMail) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(mail!);
    };
    const parser = new MailParser(PARSER_OPTIONS);
    const mail: Record<string, unknown> & { attachments: Attachment[]; headers?: ParsedMail['headers'] } = { attachments: [] };
    parser.on('error', (err) => settle(err));
    parser.on('headers', (headers) => {
      mail.headers = headers;
      mail.headerLines = parser.headerLines;
    });
    let reading = false;
    const reader = (): void => {
      reading = true;
      const data = parser.read();
      if (data === null) {
        reading = false;
        return;
      }
      if (data.type === 'text') {
        for (const key of ['text', 'html', 'textAsHtml'] as const) if (key in data) mail[key] = data[key];
        reader();
        return;
      }
      const att = data;
      mail.attachments.push(att as unknown as Attachment);
      // The parser may hold a few pieces not yet read: they count as left.
      const bound = Math.min(total, total - fed() + 4 * PARSE_PIECE_BYTES);
      collectAttachment(att, bound, (content) => {
        (att as unknown as Attachment).content = content;
        att.release?.();
        reader();
      });
    };
    parser.on('readable', () => {
      if (!reading) reader();
    });
    parser.on('end', () => {
      for (const key of ['subject', 'references', 'date', 'to', 'from', 'cc', 'bcc', 'message-id', 'in-reply-to', 'reply-to']) {
        if (mail.headers?.has(key)) mail[key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())] = mail.headers.get(key);
      }
      settle(null, mail as unknown as ParsedMail);
    });
    input
      .once('error', (err) => {
        input.destroy();
        parser.destroy();
        settle(err);
      })
      .pipe(parser);
  });
}

async function runParser(raw: Buffer): Promise<ParsedMail> {
  let fed = 0;
  function* counted(): Generator<Buffer> {
    for (const piece of pieces(raw)) {
      fed += piece.length;
      yield piece;
    }
  }
  try {
    // Measured on a 55 MB mail (40 MiB PDF): +192 MB of RSS while parsing when fed whole, +36 MB in pieces.
    return await parseStream(Readable.from(counted(), { objectMode: false }), raw.length, () => fed);
  } catch (cause) {
    throw new AppError('MAIL_UNPARSEABLE', `mailparser failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** Attached messages read at most this deep (1: the mail's own message/rfc822 parts)… */
export const MAX_ATTACHED_DEPTH = 3;
/** …and at most this many in one mail: each is parsed again. */
export const MAX_ATTACHED_MESSAGES = 10;

/** A message/rfc822 (or message/global) part: declared so, or an octet-stream named `*.eml`. */
function isMessagePart(att: Attachment): boolean {
  const type = att.contentType.toLowerCase();
  return type === 'message/rfc822' || type === 'message/global';
}

/** A part that parses as a message: it has at least one of a message's headers. */
function hasMessageHeaders(parsed: ParsedMail): boolean {
  return (parsed.headerLines ?? []).some(({ key }) => key === 'from' || key === 'subject' || key === 'date' || key === 'message-id');
}

/**
 * The attached messages of a parsed mail to read, parsed by the same parser, depth first, within
 * MAX_ATTACHED_DEPTH and MAX_ATTACHED_MESSAGES. A delivery report's (multipart/report) returned
 * message is not read: it is the bounced mail, not a request. A part that does not parse, or parses
 * to no message, is left a plain attachment.
 */
async function attachedMessagesOf(
  parsed: ParsedMail, depth = 0, budget = { left: MAX_ATTACHED_MESSAGES },
): Promise<Array<{ depth: number; parsed: ParsedMail; raw: Buffer }>> {
  const found: Array<{ depth: number; parsed: ParsedMail; raw: Buffer }> = [];
  if (depth >= MAX_ATTACHED_DEPTH) return found;
  if ((asStructured(parsed.headers.get('content-type'))?.value ?? '').toLowerCase() === 'multipart/report') return found;
  for (const att of parsed.attachments) {
    if (!isMessagePart(att) || budget.left <= 0) continue;
    budget.left--;
    let inner: ParsedMail;
    try {
      inner = await runParser(att.content);
    } catch (err) {
      // a damaged attached message is the attachment's problem, not the mail's
      if (isAppError(err, 'MAIL_UNPARSEABLE')) continue;
      throw err;
    }
    if (!hasMessageHeaders(inner)) continue;
    found.push({ depth: depth + 1, parsed: inner, raw: att.content });
    found.push(...(await attachedMessagesOf(inner, depth + 1, budget)));
  }
  return found;
}

/**
 * Parses a raw message into an InboundMail.
 *
 * - headers: every header, lower-cased name → values in order, unfolded; encoded words decoded
 *   except in structured headers (addresses, ids, Content-*, Date, Received, List-*…), kept raw.
 * - text: the text/plain content; '' for an HTML-only mail (checkRequest converts the HTML).
 * - attachments: every non-body part, message/rfc822 and winmail.dat included, with sniffing head,
 *   size, SHA-256 and whether the HTML shows it through `cid:`.
 * - attachedMessages: each message/rfc822 part (a request forwarded as an attachment) parsed by the
 *   same parser, with its text and its own attachments, depth first (bounded: MAX_ATTACHED_DEPTH,
 *   MAX_ATTACHED_MESSAGES); the checks read them as part of the request (parsers/check-request.ts).
 *
 * @throws AppError MAIL_UNPARSEABLE when mailparser gives up (too many parts, oversized headers…)
 *   or when the input has neither a header nor a body.
 */
export async function parseMail(raw: Buffer): Promise<InboundMail> {
  return (await parseMailWithContents(raw)).mail;
}

/**
 * parseMail, plus the decoded content of each attachment by SHA-256: the pipeline reads the court
 * document's text (the SIREN check) from the parse it already made instead of parsing the mail again.
 */
export async function parseMailWithContents(raw: Buffer): Promise<ParsedWithContents> {
  return toInboundMail(await runParser(raw), raw.length, async () => raw);
}

/** A mail as parseMail reads it, with the decoded content of each attachment by SHA-256. */
export interface ParsedWithContents {
  mail: InboundMail;
  contents: Map<string, AttachmentContent>;
}

/**
 * mailparser's result → InboundMail. `source` gives the raw bytes, asked for only in the rare case that
 * needs them (a single-part text mail whose undeclared charset mailparser got wrong). `readAttached`:
 * whether its attached messages are read (the mail's are; an attached message's own are read from the mail).
 */
async function toInboundMail(
  parsed: ParsedMail, sizeBytes: number, source: () => Promise<Buffer | null>, readAttached = true,
): Promise<ParsedWithContents> {
  const lines = parsed.headerLines ?? [];
  const headers = headerMap(lines);
  const html = typeof parsed.html === 'string' ? parsed.html : null;
  const hasHeaders = Object.keys(headers).length > 0;
  if (!hasHeaders && !(parsed.text ?? '').trim() && !html && parsed.attachments.length === 0) {
    throw new AppError('MAIL_UNPARSEABLE', 'no header and no body');
  }
  const cids = cidReferences(html);
  const structured = asStructured(parsed.headers.get('content-type'));
  const subject = parsed.subject ?? '';
  const mail: InboundMail = {
    messageId: firstMessageId(headers['message-id']?.[0]) ?? parsed.messageId ?? null,
    inReplyTo: firstMessageId(headers['in-reply-to']?.[0]) ?? parsed.inReplyTo ?? null,
    references: referencesOf(headers, parsed),
    // a raw 8-bit Latin-1 subject comes out of mailparser with U+FFFD; ours falls back to windows-1252
    subject: subject.includes('\ufffd') && headers['subject']?.[0] !== undefined ? headers['subject'][0] : subject,
    from: senderOf(parsed, headers),
    replyTo: firstAddress(parsed.replyTo),
    returnPath: returnPathOf(headers),
    date: dateOf(headers),
    headers,
    contentType: (structured?.value ?? 'text/plain').toLowerCase(),
    text: parsed.text ?? '',
    html,
    attachments: parsed.attachments.map((att) => toAttachment(att, cids)),
    sizeBytes,
  };
  const contents = new Map<string, AttachmentContent>();
  parsed.attachments.forEach((att, i) => {
    const sha256 = mail.attachments[i]!.sha256;
    // The first part with these bytes, as extractAttachments picks it.
    if (!contents.has(sha256)) contents.set(sha256, { filename: att.filename ?? null, contentType: att.contentType, sha256, content: att.content });
  });
  const raw = `${mail.text}${mail.html ?? ''}`.includes('\ufffd') ? await source() : null;
  const read = raw ? { ...mail, ...(await undeclaredCharsetFallback(raw, mail)) } : mail;
  if (!readAttached) return { mail: read, contents };
  const attachedMessages: AttachedMessage[] = [];
  for (const inner of await attachedMessagesOf(parsed)) {
    let message: ParsedWithContents;
    try {
      message = await toInboundMail(inner.parsed, inner.raw.length, async () => inner.raw, false);
    } catch (err) {
      if (isAppError(err, 'MAIL_UNPARSEABLE')) continue;
      throw err;
    }
    const m = message.mail;
    attachedMessages.push({
      depth: inner.depth, subject: m.subject, from: m.from ? { address: m.from.address, name: m.from.name } : null, date: m.date,
      messageId: m.messageId, text: m.text, html: m.html, attachments: m.attachments,
    });
    for (const [sha256, content] of message.contents) if (!contents.has(sha256)) contents.set(sha256, content);
  }
  return { mail: attachedMessages.length > 0 ? { ...read, attachedMessages } : read, contents };
}

/** A parse fed with the source piece by piece, as it arrives, for a mail too large to hold whole. */
export interface StreamParse {
  /** The next piece of the source; resolves once the parser has room for more. */
  write(piece: Buffer): Promise<void>;
  /**
   * The end of the source: the parse.
   * @throws AppError MAIL_UNPARSEABLE as parseMail does.
   */
  end(): Promise<ParsedWithContents>;
}

/**
 * Starts parsing a source of `total` bytes that will come in pieces (see StreamParse). `source` gives
 * the whole stored source in the rare case the charset fallback needs it.
 */
export function startStreamParse(total: number, source: () => Promise<Buffer | null>): StreamParse {
  const input = new PassThrough({ highWaterMark: PARSE_PIECE_BYTES });
  let fed = 0;
  let failed: unknown = null;
  const parsing = parseStream(input, total, () => fed).then(
    (parsed) => parsed,
    (err: unknown) => {
      failed = err;
      return null;
    },
  );
  return {
    async write(piece) {
      for (const p of pieces(piece)) {
        if (failed) return; // the parser gave up: the rest of the source is still stored, not parsed
        fed += p.length;
        if (!input.write(p)) await Promise.race([once(input, 'drain'), parsing]);
      }
    },
    async end() {
      input.end();
      const parsed = await parsing;
      if (!parsed) {
        throw new AppError('MAIL_UNPARSEABLE', `mailparser failed: ${(failed as Error)?.message ?? String(failed)}`, { cause: failed });
      }
      return toInboundMail(parsed, total, source);
    },
  };
}

/** The decoded content of an attachment, for forwarding court documents to the agents. */
export interface AttachmentContent {
  filename: string | null;
  contentType: string;
  sha256: string;
  content: Buffer;
}

/**
 * The attachments of a stored raw message (and of its attached messages) whose SHA-256 is in `sha256s`, decoded.
 * @throws AppError MAIL_UNPARSEABLE as parseMail does.
 */
export async function extractAttachments(raw: Buffer, sha256s: readonly string[]): Promise<AttachmentContent[]> {
  const parsed = await runParser(raw);
  const wanted = new Set(sha256s);
  const found: AttachmentContent[] = [];
  // the documents of attached messages too (a request forwarded as an attachment), as parseMail reads them
  const attached = wanted.size > 0 ? (await attachedMessagesOf(parsed)).map((m) => m.parsed) : [];
  for (const att of [parsed, ...attached].flatMap((p) => p.attachments)) {
    const sha256 = createHash('sha256').update(att.content).digest('hex');
    if (wanted.has(sha256) && !found.some((f) => f.sha256 === sha256)) {
      found.push({ filename: att.filename ?? null, contentType: att.contentType, sha256, content: att.content });
    }
  }
  return found;
}
