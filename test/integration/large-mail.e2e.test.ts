import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { inboundMessages } from '../../src/db/schema';
import { buildRequestMail, sampleSiret } from '../support/sample-mails';
import { DONE_KEYWORD, STREAMED_FETCH_BYTES } from '../../src/mail/mailbox-watcher';
import { withImapSession } from '../support/sandbox/imap-seed';
import { outbox, tickets } from '../../src/db/schema';
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

  it('is answered once, however often it comes back: the same bytes twice, a restart before its processing, a UIDVALIDITY reset', async () => {
    h = await createHarness();
    const big = buildRequestMail({ from: 'gros@etude.example.fr', siret: sampleSiret(4), pdfPadBytes: STREAMED_FETCH_BYTES + 1 });
    await h.mailbox.append(big);
    await h.mailbox.append(big); // the requester sent it twice: the same bytes under another UID
    await h.start();
    await h.waitForProcessed(2, 60_000);
    const answers = () => h!.mailsTo('gros@etude.example.fr').length;
    expect(answers()).toBe(1);
    expect(await h.database.db.select({ id: inboundMessages.id }).from(inboundMessages)).toHaveLength(1);
    expect(await h.database.db.select({ id: tickets.id }).from(tickets)).toHaveLength(1);

    // Killed after storing it and before processing it: stored, not processed, not flagged.
    await h.stopDaemon();
    await h.database.db.delete(outbox);
    await h.database.db.update(inboundMessages).set({ status: 'stored', outcome: null, ticketId: null, processedAt: null });
    await h.database.db.delete(tickets);
    await restartWithFlagsCleared(h, '1', 1);
    await h.sink.waitFor((m) => m.envelope.to[0] === 'gros@etude.example.fr', 10_000);
    expect(await h.database.db.select({ status: inboundMessages.status }).from(inboundMessages)).toEqual([{ status: 'processed' }]);

    // The server renumbers everything and loses our flags: fetched again, recognised by its bytes, not answered.
    await h.stopDaemon();
    h.mailbox.resetUidValidity();
    await restartWithFlagsCleared(h, '1:*', 2);
    expect(h.sink.messages).toHaveLength(0);
    expect(await h.database.db.select({ id: inboundMessages.id }).from(inboundMessages)).toHaveLength(1);
    expect((await h.mailbox.list()).every((m) => m.flags.includes(DONE_KEYWORD))).toBe(true);
  }, 180_000);
});

/** Our flag removed from `range` (as if the daemon died before setting it), then the daemon started again until `n` mails are handled. */
async function restartWithFlagsCleared(h: Harness, range: string, n: number): Promise<void> {
  await withImapSession(h.mailbox, async (c) => {
    await c.mailboxOpen('INBOX');
    await c.messageFlagsRemove(range, [DONE_KEYWORD]);
  });
  h.sink.clear();
  h.processed.length = 0;
  await h.start();
  await h.waitForProcessed(n, 60_000);
}
