import { EMPTY_CHECK } from '../../src/workflow/ticket-check';
import { eq } from 'drizzle-orm';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { storeInbound } from '../../src/db/inbound-queries';
import { claimDueMail, enqueueMail } from '../../src/db/outbox-queries';
import { outbox } from '../../src/db/schema';
import { insertTicket, nextTicketId } from '../../src/db/ticket-queries';
import { createLogger } from '../../src/log';
import { ATTACHED_HANDOVER_MS, createOutboxWorker } from '../../src/mail/outbox-worker';
import { createSmtpSender } from '../../src/mail/smtp-transport';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { outboxRowFor } from '../../src/outbox/outgoing-mail';
import { startSink } from '../helpers/smtp-sink';
import { freshDatabase } from './support/liquibot-harness';

const LEASE_MS = 10_000;
const rendered = { subject: 'Accusé de réception', text: 'Bonjour', html: null, templateName: 'acknowledgment' as const, templateVersion: 'v1' };

describe('outbox claims between two senders', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sink: SmtpSink;
  beforeAll(async () => {
    db = await freshDatabase('postgres');
    sink = await startSink();
  });
  afterAll(async () => {
    await sink?.stop();
    await db?.cleanup();
  });

  it('a row whose lease ran out while it waited, and that another sender took, is not sent by the first', async () => {
    const t0 = new Date();
    await db.database.db.transaction(async (tx) => {
      const id = await nextTicketId(tx);
      await insertTicket(tx, { id, ref: `LJ-LEASE-${id}`, status: 'awaiting_approval', requesterEmail: 'r@x.fr', check: EMPTY_CHECK });
      for (const n of [1, 2]) {
        await enqueueMail(tx, outboxRowFor({
          purposeKey: `lease:${n}`, kind: 'acknowledgment', ticketId: id, ticketRef: `LJ-LEASE-${id}`, to: `lease${n}@etude.example.fr`, rendered,
          messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now: t0,
          attachments: [{ inboundMessageId: 1, sha256: 'a'.repeat(64), filename: 'doc.pdf' }],
        }));
      }
    });
    const lines = new PassThrough();
    const logged: string[] = [];
    lines.on('data', (b: Buffer) => logged.push(...b.toString().split('\n').filter(Boolean)));
    // Sender A claims at t0; by the time it gets to the first row, its clock says most of the lease is gone,
    // and sender B, whose clock is past the lease, has taken that row.
    let clock = t0.getTime();
    let taken: number | null = null;
    const sender = createSmtpSender(`${sink.url}?starttls=never`, createLogger({ level: 'silent' }));
    const worker = createOutboxWorker({
      database: db.database, sender, log: createLogger({ level: 'info', destination: lines }),
      from: { name: 'Liquibot', address: 'liquibot@support.example.fr' },
      maxAttempts: 3, pollMs: 60_000, retryBaseMs: 1000, leaseMs: LEASE_MS, concurrency: 1, now: () => new Date(clock),
      loadAttachments: async () => {
        clock = t0.getTime() + LEASE_MS * 0.6;
        if (taken === null) {
          const byB = await claimDueMail(db.database.db, { now: new Date(t0.getTime() + LEASE_MS + 1), limit: 1, leaseMs: LEASE_MS });
          taken = byB[0]!.id;
        }
        return [];
      },
    });
    await worker.drain();
    await worker.stop();
    sender.close();

    const rows = await db.database.db.select().from(outbox).orderBy(outbox.id);
    const byB = rows.find((r) => r.id === taken)!;
    const other = rows.find((r) => r.id !== taken)!;
    // B's row: still B's claim, never sent by A.
    expect(byB).toMatchObject({ status: 'sending', sentAt: null });
    expect(byB.claimedUntil!.getTime()).toBe(t0.getTime() + 2 * LEASE_MS + 1);
    // A's other row: its lease was renewed (it had less than half left) and it was sent.
    expect(other.status).toBe('sent');
    expect(sink.messages.map((m) => m.envelope.to).flat()).toEqual([other.toAddress]);
    expect(logged.filter((l) => l.includes('outbox row no longer held'))).toHaveLength(1);
  });

  it('a send that lasts longer than the lease keeps its claim: another sender finds nothing to take, and the mail goes once', async () => {
    const leaseMs = 600;
    const t0 = new Date();
    const to = 'slow-send@etude.example.fr';
    await db.database.db.transaction(async (tx) => {
      const id = await nextTicketId(tx);
      await insertTicket(tx, { id, ref: `LJ-SLOW-${id}`, status: 'awaiting_approval', requesterEmail: 'r@x.fr', check: EMPTY_CHECK });
      await enqueueMail(tx, outboxRowFor({
        purposeKey: `slow:${id}`, kind: 'acknowledgment', ticketId: id, ticketRef: `LJ-SLOW-${id}`, to, rendered,
        messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now: t0, attachments: [],
      }));
    });
    const real = createSmtpSender(`${sink.url}?starttls=never`, createLogger({ level: 'silent' }));
    // The server takes four leases to accept the mail (a large document, a slow link); meanwhile, past two
    // leases, another sender claims what is due with the real clock (once: a row it took would come back to
    // this worker when its lease ends, and be sent a second time).
    const takenMeanwhile: number[][] = [];
    const slow = {
      async send(mail: Parameters<typeof real.send>[0]) {
        await new Promise((r) => setTimeout(r, 2 * leaseMs));
        if (takenMeanwhile.length === 0) takenMeanwhile.push((await claimDueMail(db.database.db, { now: new Date(), limit: 10, leaseMs })).map((r) => r.id));
        await new Promise((r) => setTimeout(r, 2 * leaseMs));
        return real.send(mail);
      },
      close: () => real.close(),
    };
    const worker = createOutboxWorker({
      database: db.database, sender: slow, log: createLogger({ level: 'silent' }),
      from: { name: 'Liquibot', address: 'liquibot@support.example.fr' },
      maxAttempts: 3, pollMs: 60_000, retryBaseMs: 1000, leaseMs, concurrency: 1,
    });
    const before = sink.messages.length;
    await worker.drain();
    await worker.stop();
    slow.close();
    // The earlier tests' rows with leases long over are anyone's: only this one must not be taken.
    const [row] = await db.database.db.select().from(outbox).where(eq(outbox.toAddress, to));
    expect(takenMeanwhile).toHaveLength(1);
    expect(takenMeanwhile[0]).not.toContain(row!.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, claimedUntil: null });
    expect(sink.messages.slice(before).filter((m) => m.envelope.to.includes(to))).toHaveLength(1);
  });

  it('a follower leaves a fresh mail with documents to the leader, and sends it once the hand-over time is over', async () => {
    const t0 = new Date();
    const ticketId = await db.database.db.transaction(async (tx) => {
      const id = await nextTicketId(tx);
      await insertTicket(tx, { id, ref: `LJ-HAND-${id}`, status: 'awaiting_approval', requesterEmail: 'r@x.fr', check: EMPTY_CHECK });
      for (const [n, attachments] of [[1, []], [2, [{ inboundMessageId: 1, sha256: 'b'.repeat(64), filename: 'doc.pdf' }]]] as const) {
        expect(await enqueueMail(tx, outboxRowFor({
          purposeKey: `hand:${id}:${n}`, kind: 'acknowledgment', ticketId: id, ticketRef: `LJ-HAND-${id}`, to: `hand${n}@etude.example.fr`, rendered,
          messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now: t0, attachments: [...attachments],
        }))).toBe(true);
      }
      return id;
    });
    const ids = (await db.database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(outbox.id)).map((r) => r.id);
    expect(ids).toHaveLength(2);
    let clock = t0.getTime();
    const loaded: number[] = [];
    const sender = createSmtpSender(`${sink.url}?starttls=never`, createLogger({ level: 'silent' }));
    const worker = createOutboxWorker({
      database: db.database, sender, log: createLogger({ level: 'silent' }),
      from: { name: 'Liquibot', address: 'liquibot@support.example.fr' },
      maxAttempts: 3, pollMs: 60_000, retryBaseMs: 1000, leaseMs: LEASE_MS, concurrency: 1, now: () => new Date(clock),
      loadAttachments: async (row) => {
        loaded.push(row.id);
        return [];
      },
      leavesAttachedMail: () => ({ mailbox: null }),
    });
    const statusOf = async () => (await db.database.db.select().from(outbox).orderBy(outbox.id)).filter((r) => ids.includes(r.id)).map((r) => r.status);
    await worker.drain();
    expect(await statusOf()).toEqual(['sent', 'pending']);
    expect(loaded.filter((id) => ids.includes(id))).toEqual([]);
    // The leader did not send it (gone, or stuck): past the hand-over time, the follower does.
    clock = t0.getTime() + ATTACHED_HANDOVER_MS - 1;
    await worker.drain();
    expect(await statusOf()).toEqual(['sent', 'pending']);
    clock = t0.getTime() + ATTACHED_HANDOVER_MS;
    await worker.drain();
    expect(await statusOf()).toEqual(['sent', 'sent']);
    // (The first test's row, whose lease is over by now, is sent too: only this test's rows count.)
    expect(loaded.filter((id) => ids.includes(id))).toEqual([ids[1]]);
    await worker.stop();
    sender.close();
  });

  it('the leader of one mailbox takes the fresh mails whose documents came from it, and leaves another mailbox\'s to its leader', async () => {
    const t0 = new Date();
    const source = async (mailbox: string, uid: number) => (await storeInbound(db.database.db, {
      mailbox, uidValidity: 1n, uid, sha256: createHash('sha256').update(`${mailbox}:${uid}:${t0.getTime()}`).digest('hex'), raw: Buffer.from('Subject: x\r\n\r\nx\r\n'),
    })).row.id;
    const fromA = await source('support-a@imap.example.fr/INBOX', 1);
    const fromB = await source('support-b@imap.example.fr/INBOX', 1);
    const ticketId = await db.database.db.transaction(async (tx) => {
      const id = await nextTicketId(tx);
      await insertTicket(tx, { id, ref: `LJ-MBX-${id}`, status: 'awaiting_approval', requesterEmail: 'r@x.fr', check: EMPTY_CHECK });
      for (const [n, inboundMessageId] of [[1, fromA], [2, fromB]] as const) {
        expect(await enqueueMail(tx, outboxRowFor({
          purposeKey: `mbx:${id}:${n}`, kind: 'acknowledgment', ticketId: id, ticketRef: `LJ-MBX-${id}`, to: `mbx${n}@etude.example.fr`, rendered,
          messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now: t0,
          attachments: [{ inboundMessageId, sha256: 'c'.repeat(64), filename: 'doc.pdf' }],
        }))).toBe(true);
      }
      return id;
    });
    const ids = (await db.database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(outbox.id)).map((r) => r.id);
    let clock = t0.getTime();
    const sender = createSmtpSender(`${sink.url}?starttls=never`, createLogger({ level: 'silent' }));
    const worker = createOutboxWorker({
      database: db.database, sender, log: createLogger({ level: 'silent' }),
      from: { name: 'Liquibot', address: 'liquibot@support.example.fr' },
      maxAttempts: 3, pollMs: 60_000, retryBaseMs: 1000, leaseMs: LEASE_MS, concurrency: 1, now: () => new Date(clock),
      loadAttachments: async () => [],
      leavesAttachedMail: () => ({ mailbox: 'support-a@imap.example.fr/INBOX' }),
    });
    const statusOf = async () => (await db.database.db.select().from(outbox).orderBy(outbox.id)).filter((r) => ids.includes(r.id)).map((r) => r.status);
    await worker.drain();
    expect(await statusOf()).toEqual(['sent', 'pending']);
    clock = t0.getTime() + ATTACHED_HANDOVER_MS;
    await worker.drain();
    expect(await statusOf()).toEqual(['sent', 'sent']);
    await worker.stop();
    sender.close();
  });
});
