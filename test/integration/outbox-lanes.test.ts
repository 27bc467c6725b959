import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { enqueueMail } from '../../src/db/outbox-queries';
import type { OutboxAttachmentRef } from '../../src/db/schema';
import { createLogger } from '../../src/log';
import { createOutboxWorker } from '../../src/mail/outbox-worker';
import type { MailSender, OutgoingMail, SendResult } from '../../src/mail/smtp-transport';
import { outboxRowFor } from '../../src/outbox/outgoing-mail';
import { databaseForSuite } from './support/liquibot-harness';

const LEASE_MS = 180_000;
const rendered = { subject: 'Accusé de réception', text: 'Bonjour', html: null, templateName: 'acknowledgment' as const, templateVersion: 'v1' };
const DOCUMENT: OutboxAttachmentRef = { inboundMessageId: 1, sha256: 'c'.repeat(64), filename: 'minutes.pdf' };

/**
 * How the outbox keeps the SMTP connections busy in a burst: no sender waits for a batch's slowest mail
 * (nor for the next claim), while no more mails are under way (sent and not yet recorded, or their
 * documents in memory) than there are connections.
 */
describe('the outbox’s senders', () => {
  const db = databaseForSuite('postgres');
  let n = 0;

  afterEach(async () => {
    await db.database.rows(sql`update outbox set status = 'sent', claimed_until = null where status in ('pending', 'sending')`);
  });

  async function rows(count: number, attachments: OutboxAttachmentRef[] = []): Promise<void> {
    await db.database.db.transaction(async (tx) => {
      for (let i = 0; i < count; i += 1) {
        n += 1;
        await enqueueMail(tx, outboxRowFor({
          purposeKey: `lanes:${n}`, kind: 'acknowledgment', ticketId: null, ticketRef: null, to: `lanes${n}@etude.example.fr`, rendered,
          messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now: new Date(Date.now() - 60_000), attachments,
        }));
      }
    });
  }

  /** A sender that answers each mail when `answer` says so, and counts the mails under way. */
  function countingSender(answer: (mail: OutgoingMail, underWay: number) => Promise<void>) {
    let underWay = 0;
    const stats = { peak: 0, order: [] as string[] };
    const sender: MailSender = {
      async send(mail): Promise<SendResult> {
        underWay += 1;
        stats.peak = Math.max(stats.peak, underWay);
        try {
          await answer(mail, underWay);
        } finally {
          underWay -= 1;
        }
        stats.order.push(mail.to);
        return { kind: 'sent', response: '250 ok' };
      },
      close() {},
    };
    return { sender, stats };
  }

  function worker(sender: MailSender, loadAttachments?: () => Promise<OutgoingMail['attachments']>) {
    return createOutboxWorker({
      database: db.database, sender, log: createLogger({ level: 'silent' }),
      from: { name: 'Liquibot', address: 'liquibot@support.example.fr' },
      maxAttempts: 3, pollMs: 60_000, retryBaseMs: 1000, leaseMs: LEASE_MS, concurrency: 3,
      ...(loadAttachments ? { loadAttachments } : {}),
    });
  }

  it('sends the rest of a burst while one mail is slow, never more mails under way than connections', async () => {
    await rows(25);
    let slowDone: () => void = () => {};
    const slow = new Promise<void>((resolve) => (slowDone = resolve));
    let others = 0;
    const { sender, stats } = countingSender(async (mail) => {
      // The first mail is answered once the 24 others were (or after 5 s: then the test fails below).
      if (mail.to === `lanes${n - 24}@etude.example.fr`) {
        await Promise.race([slow, new Promise((r) => setTimeout(r, 5_000))]);
        return;
      }
      // The others take a moment each, so that several are under way together.
      await new Promise((r) => setTimeout(r, 5));
      others += 1;
      if (others === 24) slowDone();
    });
    const w = worker(sender);
    await w.drain();
    await w.stop();
    expect(stats.order).toHaveLength(25);
    expect(stats.order.at(-1)).toBe(`lanes${n - 24}@etude.example.fr`);
    // Three connections, three mails under way at most: a crash resends no more than that.
    expect(stats.peak).toBe(3);
    const left = await db.database.rows<{ count: number }>(sql`select count(*)::int as count from outbox where status <> 'sent'`);
    expect(left[0]!.count).toBe(0);
  });

  it('loads the documents of no more rows at once than there are connections', async () => {
    await rows(12, [DOCUMENT]);
    let loading = 0;
    let peakHolding = 0;
    let holding = 0;
    const { sender, stats } = countingSender(async () => {
      await new Promise((r) => setTimeout(r, 5));
      holding -= 1;
    });
    const w = worker(sender, async () => {
      loading += 1;
      holding += 1;
      peakHolding = Math.max(peakHolding, holding);
      await new Promise((r) => setTimeout(r, 2));
      return [{ filename: 'minutes.pdf', content: Buffer.alloc(4), contentType: 'application/pdf' }];
    });
    await w.drain();
    await w.stop();
    expect(loading).toBe(12);
    expect(stats.order).toHaveLength(12);
    expect(peakHolding).toBe(3);
  });
});
