import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { inboundMessages } from '../../src/db/schema';
import { buildRequestMail, sampleSiret } from '../../src/demo/sample-mails';
import { STREAMED_FETCH_BYTES } from '../../src/mail/mailbox-watcher';
import { parseMail } from '../../src/mail/parse-mail';
import { createHarness, type Harness } from './support/liquibot-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('a mail large enough to be fetched in pieces', () => {
  it('is stored byte for byte, handled in its turn, and its document reaches the agents whole', async () => {
    h = await createHarness();
    const small1 = buildRequestMail({ from: 'avant@etude.example.fr', siret: sampleSiret(1) });
    const big = buildRequestMail({ from: 'gros@etude.example.fr', siret: sampleSiret(2), pdfPadBytes: STREAMED_FETCH_BYTES + 3_000_001 });
    const small2 = buildRequestMail({ from: 'apres@etude.example.fr', siret: sampleSiret(3) });
    expect(Buffer.byteLength(big)).toBeGreaterThan(STREAMED_FETCH_BYTES);
    for (const m of [small1, big, small2]) await h.mailbox.append(m);
    await h.start();
    await h.waitForProcessed(3, 60_000);

    const rows = await h.database.db.select().from(inboundMessages).orderBy(asc(inboundMessages.uid));
    expect(rows.map((r) => r.status)).toEqual(['processed', 'processed', 'processed']);
    expect(rows.map((r) => sha(r.raw!))).toEqual([small1, big, small2].map((m) => sha(Buffer.from(m))));
    expect(rows[1]!.sizeBytes).toBe(Buffer.byteLength(big));

    // Three approval requests; the big one forwards the court document, the same bytes.
    await h.sink.waitFor(() => h!.mailsTo('agents@support.example.fr').length >= 3, 30_000);
    const original = await parseMail(Buffer.from(big));
    const forwarded = await Promise.all(h.mailsTo('agents@support.example.fr').map(async (m) => (await parseMail(m.raw)).attachments.map((a) => a.sha256)));
    expect(forwarded.filter((shas) => shas.includes(original.attachments[0]!.sha256))).toHaveLength(1);
    expect((await h.mailbox.list()).every((m) => m.flags.includes('$LiquibotDone'))).toBe(true);
  }, 120_000);
});
