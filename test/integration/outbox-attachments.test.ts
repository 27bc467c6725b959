import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { storeInbound } from '../../src/db/inbound-queries';
import type { OutboxRow } from '../../src/db/schema';
import { createDocumentCache } from '../../src/mail/document-cache';
import { loadOutboxAttachments } from '../../src/mail/outbox-attachments';
import { parseMailWithContents } from '../../src/mail/parse-mail';
import { databaseForSuite, type DbKind } from './support/liquibot-harness';

const FIXTURES = ['gmail-alternative-pdf-conforming.eml', 'thunderbird-flowed-jpeg-scan-conforming.eml'];

describe.each<DbKind>(['postgres', 'pglite'])('court documents for the approval request on %s', (kind) => {
  const db = databaseForSuite(kind);

  it('are the same bytes, name and type from the in-memory hand-over as from the stored source', async () => {
    const attachments: OutboxRow['attachments'] = [];
    const cache = createDocumentCache(1024 * 1024);
    for (const [i, name] of FIXTURES.entries()) {
      const raw = readFileSync(new URL(`../fixtures/eml/${name}`, import.meta.url));
      const stored = await storeInbound(db.database.db, { mailbox: 'INBOX', uidValidity: 1n, uid: i + 1, sha256: createHash('sha256').update(raw).digest('hex'), raw });
      const { mail, contents } = await parseMailWithContents(raw);
      const document = mail.attachments.find((a) => a.disposition !== 'inline' || !a.referencedByHtml)!;
      attachments.push({ inboundMessageId: stored.row.id, sha256: document.sha256, filename: document.filename });
      cache.put(contents.get(document.sha256)!);
    }
    const row = { attachments } as OutboxRow;

    const fromMemory = await loadOutboxAttachments(db.database, row, cache);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 0, entries: 0 });
    const fromSource = await loadOutboxAttachments(db.database, row, cache); // taken once: now from the database
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2 });
    const withoutCache = await loadOutboxAttachments(db.database, row);

    expect(fromMemory).toHaveLength(2);
    expect(fromSource).toEqual(fromMemory);
    expect(withoutCache).toEqual(fromMemory);
    expect(fromMemory.map((a) => a.contentType)).toEqual(['application/pdf', 'image/jpeg']);
  });
});
