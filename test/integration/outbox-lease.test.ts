import { EMPTY_CHECK } from '../../src/workflow/ticket-check';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueMail, enqueueMail } from '../../src/db/outbox-queries';
import { outbox } from '../../src/db/schema';
import { insertTicket, nextTicketId } from '../../src/db/ticket-queries';
import { createLogger } from '../../src/log';
import { createOutboxWorker } from '../../src/mail/outbox-worker';
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
});
