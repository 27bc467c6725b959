/**
 * The body text parts of a raw MIME message, for the one thing mailparser cannot do for us: a text part
 * that declares no charset (or us-ascii) but holds 8-bit bytes that are not UTF-8, which mailparser reads
 * as UTF-8 and turns into U+FFFD. Old clients send Latin-1 that way, and "SIRET concerné" must still be
 * found. The message is split by mailsplit and each part transfer-decoded by libqp/libbase64, the very
 * pieces mailparser is built on, so the parts found here are the parts mailparser read, byte for byte.
 * Pure: the streams run in memory, nothing is read or written outside.
 */
import type { Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Splitter, type MimeNode, type SplitterChunk } from '@zone-eu/mailsplit';

export interface RawTextPart {
  contentType: 'text/plain' | 'text/html';
  /** The declared charset, lower-cased; null when none. */
  charset: string | null;
  /** The body, transfer-decoded, in the bytes it was sent in. */
  body: Uint8Array;
}

/** mailparser's rule: a text/plain or text/html leaf is body text unless its disposition is other than inline. */
function isBodyText(node: MimeNode): node is MimeNode & { contentType: RawTextPart['contentType'] } {
  return (node.contentType === 'text/plain' || node.contentType === 'text/html') && (!node.disposition || node.disposition === 'inline');
}

/** Everything a transfer decoder (libqp, libbase64 or a pass-through) gives, once it has ended. */
function collect(decoder: Transform): Promise<Buffer> {
  const chunks: Buffer[] = [];
  decoder.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    decoder.once('end', () => resolve(Buffer.concat(chunks)));
    decoder.once('error', reject);
  });
}

/**
 * The text/plain and text/html parts of the message that are its body (not attachments, not inside a
 * forwarded message/rfc822), in order, each with its declared charset and its transfer-decoded bytes.
 * None when mailsplit gives up on the message (more than 1000 parts, an oversized header), as mailparser
 * then does.
 */
export async function textPartsOf(raw: Buffer): Promise<RawTextPart[]> {
  // ignoreEmbedded, as the mailparser adapter parses: a forwarded message is one leaf, not body text
  const splitter = new Splitter({ ignoreEmbedded: true });
  const decoders = new Map<MimeNode, Transform>();
  const parts: { node: MimeNode & { contentType: RawTextPart['contentType'] }; body: Promise<Buffer> }[] = [];
  splitter.on('data', (chunk: SplitterChunk) => {
    if (chunk.type === 'node') {
      if (chunk.multipart || !isBodyText(chunk)) return;
      const decoder = chunk.getDecoder();
      decoders.set(chunk, decoder);
      parts.push({ node: chunk, body: collect(decoder) });
    } else if (chunk.type === 'body') {
      decoders.get(chunk.node)?.write(chunk.value);
    }
  });
  splitter.end(raw);
  const complete = await finished(splitter).then(() => true, () => false);
  for (const decoder of decoders.values()) decoder.end();
  const bodies = await Promise.all(parts.map((p) => p.body));
  if (!complete) return [];
  return parts.map((p, i) => ({ contentType: p.node.contentType, charset: p.node.charset ? p.node.charset.toLowerCase() : null, body: bodies[i]! }));
}
