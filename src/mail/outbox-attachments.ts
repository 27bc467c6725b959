import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { inboundMessages, type OutboxRow } from '../db/schema';
import type { OutgoingMail } from './smtp-transport';
import { extractAttachments } from './parse-mail';

/**
 * The court documents an outbox row forwards (the approval request to the agents), decoded from the
 * stored raw sources. A document whose source was purged is missing; the mail goes without it.
 */
export async function loadOutboxAttachments(database: Database, row: OutboxRow): Promise<NonNullable<OutgoingMail['attachments']>> {
  const ids = [...new Set(row.attachments.map((a) => a.inboundMessageId))];
  if (ids.length === 0) return [];
  const sources = await database.db
    .select({ id: inboundMessages.id, raw: inboundMessages.raw })
    .from(inboundMessages)
    .where(inArray(inboundMessages.id, ids));
  const out: NonNullable<OutgoingMail['attachments']> = [];
  for (const source of sources) {
    if (!source.raw) continue;
    const wanted = row.attachments.filter((a) => a.inboundMessageId === source.id);
    for (const att of await extractAttachments(source.raw, wanted.map((w) => w.sha256))) {
      out.push({ filename: att.filename ?? `document-${att.sha256.slice(0, 8)}`, content: att.content, contentType: att.contentType });
    }
  }
  return out;
}
