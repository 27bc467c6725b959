import { toOneLine } from '../../parsers/one-line';
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { inboundMessages, type OutboxRow } from '../db/schema';
import type { OutgoingMail } from './smtp-transport';
import type { DocumentCache } from './document-cache';
import { extractAttachments, type AttachmentContent } from './parse-mail';

/**
 * The court documents an outbox row forwards (the approval request to the agents): from the intake's
 * in-memory hand-over when it still holds them, else decoded from the stored raw sources. A document
 * whose source was purged is missing; the mail goes without it.
 */
export async function loadOutboxAttachments(
  database: Database, row: OutboxRow, cache?: DocumentCache,
): Promise<NonNullable<OutgoingMail['attachments']>> {
  const found = new Map<string, AttachmentContent>();
  for (const a of row.attachments) {
    const doc = found.has(a.sha256) ? undefined : cache?.take(a.sha256);
    if (doc) found.set(a.sha256, doc);
  }
  const missing = row.attachments.filter((a) => !found.has(a.sha256));
  const ids = [...new Set(missing.map((a) => a.inboundMessageId))];
  if (ids.length > 0) {
    const sources = await database.db
      .select({ id: inboundMessages.id, raw: inboundMessages.raw })
      .from(inboundMessages)
      .where(inArray(inboundMessages.id, ids));
    for (const source of sources) {
      if (!source.raw) continue;
      const wanted = missing.filter((a) => a.inboundMessageId === source.id);
      for (const att of await extractAttachments(source.raw, wanted.map((w) => w.sha256))) found.set(att.sha256, att);
    }
  }
  // In the row's order, each document once.
  const out: NonNullable<OutgoingMail['attachments']> = [];
  for (const sha256 of new Set(row.attachments.map((a) => a.sha256))) {
    const att = found.get(sha256);
    // The sender's file name, on one line: the agents' mail client shows it as it is.
    if (att) out.push({ filename: att.filename ? toOneLine(att.filename, 120) : `document-${att.sha256.slice(0, 8)}`, content: att.content, contentType: att.contentType });
  }
  return out;
}
