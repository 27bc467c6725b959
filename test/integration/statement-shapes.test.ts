import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueMail, enqueueMail } from '../../src/db/outbox-queries';
import { outbox, tickets } from '../../src/db/schema';
import { shapesBuilt } from '../../src/db/statement-shapes';
import { bindApprovalRequest, insertTicket, nextTicketId, openRequestOf } from '../../src/db/ticket-queries';
import { outboxRowFor } from '../../src/outbox/outgoing-mail';
import { EMPTY_CHECK } from '../../src/workflow/ticket-check';
import { freshDatabase } from './support/liquibot-harness';

const rendered = { subject: 'Accusé de réception', text: 'Bonjour', html: '<p>Bonjour</p>', templateName: 'acknowledgment' as const, templateVersion: 'v1' };

/** Statements built once (src/db/statement-shapes.ts) run on the transaction they are given, with their own values. */
describe.each(['postgres', 'pglite'] as const)('statements built once (%s)', (kind) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase(kind);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  const newTicket = (id: number, extra: Partial<Parameters<typeof insertTicket>[1]> = {}) => ({
    id, ref: `LJ-SHAPE-${id}`, status: 'awaiting_approval' as const, requesterEmail: `r${id}@etude.example.fr`, siret: '73282932000074',
    check: EMPTY_CHECK, ...extra,
  });

  it('a shape built in one transaction writes in the next one, and its rollback takes the row away', async () => {
    const first = await db.database.db.transaction(async (tx) => {
      const id = await nextTicketId(tx);
      return insertTicket(tx, newTicket(id, { liquidatorEmail: 'mandataire@etude.example.fr', needsPersonSince: null }));
    });
    expect(first).toMatchObject({ liquidatorEmail: 'mandataire@etude.example.fr', needsPersonSince: null, requesterName: '', status: 'awaiting_approval' });
    expect(first.createdAt).toBeInstanceOf(Date);
    const built = shapesBuilt(db.database.db);

    let rolledBack = 0;
    await expect(db.database.db.transaction(async (tx) => {
      rolledBack = await nextTicketId(tx);
      await insertTicket(tx, newTicket(rolledBack, { liquidatorEmail: 'autre@etude.example.fr', needsPersonSince: null }));
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    // Same shape: not built again; and the row went with its transaction.
    expect(shapesBuilt(db.database.db)).toBe(built);
    expect(await db.database.db.select().from(tickets).where(eq(tickets.id, rolledBack))).toEqual([]);
    expect(await db.database.db.select().from(tickets).where(eq(tickets.id, first.id))).toHaveLength(1);
  });

  it('a null, a value and a missing column make three shapes, each written as it should be', async () => {
    const at = new Date('2026-12-01T10:00:00.000Z');
    const rows = await db.database.db.transaction(async (tx) => Promise.all([
      insertTicket(tx, newTicket(await nextTicketId(tx), { needsPersonSince: null })),
      insertTicket(tx, newTicket(await nextTicketId(tx), { needsPersonSince: at })),
      insertTicket(tx, newTicket(await nextTicketId(tx))),
    ]));
    expect(rows.map((r) => r.needsPersonSince)).toEqual([null, at, null]);
  });

  it('outbox rows keep their values (jsonb as JSON, dates, nulls), and the purpose key still makes a second one a no-op', async () => {
    const now = new Date('2026-12-02T08:30:00.000Z');
    const ticket = await db.database.db.transaction(async (tx) => insertTicket(tx, newTicket(await nextTicketId(tx))));
    const attachments = [{ inboundMessageId: 7, sha256: 'c'.repeat(64), filename: 'jugement « 2026 ».pdf' }];
    const row = (n: number, withHtml: boolean) => outboxRowFor({
      purposeKey: `shape:${ticket.id}:${n}`, kind: 'acknowledgment', ticketId: ticket.id, ticketRef: ticket.ref, to: `dest${n}@etude.example.fr`,
      rendered: { ...rendered, html: withHtml ? rendered.html : null }, messageIdDomain: 'liquibot.example.fr', parent: null,
      autoSubmitted: 'auto-replied', now, attachments: n === 1 ? attachments : [],
    });
    await db.database.db.transaction(async (tx) => {
      expect(await enqueueMail(tx, row(1, true))).toBe(true);
      expect(await enqueueMail(tx, row(2, false))).toBe(true);
      expect(await enqueueMail(tx, row(1, true))).toBe(false);
    });
    const stored = await db.database.db.select().from(outbox).where(eq(outbox.ticketId, ticket.id)).orderBy(outbox.id);
    expect(stored.map((r) => ({ to: r.toAddress, html: r.htmlBody, attachments: r.attachments, createdAt: r.createdAt, next: r.nextAttemptAt }))).toEqual([
      { to: 'dest1@etude.example.fr', html: '<p>Bonjour</p>', attachments, createdAt: now, next: now },
      { to: 'dest2@etude.example.fr', html: null, attachments: [], createdAt: now, next: now },
    ]);
  });

  it('a select and an update built once take each call its own values', async () => {
    const now = new Date('2026-12-03T09:00:00.000Z');
    const [a, b] = await db.database.db.transaction(async (tx) => [
      await insertTicket(tx, newTicket(await nextTicketId(tx), { requesterEmail: 'a@etude.example.fr', siret: '11111111111111' })),
      await insertTicket(tx, newTicket(await nextTicketId(tx), { requesterEmail: 'b@etude.example.fr', siret: '22222222222222' })),
    ]);
    await db.database.db.transaction(async (tx) => {
      expect((await openRequestOf(tx, 'a@etude.example.fr', '11111111111111'))?.id).toBe(a!.id);
      expect((await openRequestOf(tx, 'b@etude.example.fr', '22222222222222'))?.id).toBe(b!.id);
      expect(await openRequestOf(tx, 'a@etude.example.fr', '22222222222222')).toBeNull();
      await bindApprovalRequest(tx, b!.id, { messageId: '<approval-b@liquibot.example.fr>', tokenHash: 'f'.repeat(64), now });
    });
    const [boundA, boundB] = await Promise.all([a!, b!].map(async (t) => (await db.database.db.select().from(tickets).where(eq(tickets.id, t.id)))[0]!));
    expect(boundA).toMatchObject({ approvalMessageId: null });
    expect(boundB).toMatchObject({ approvalMessageId: '<approval-b@liquibot.example.fr>', approvalTokenHash: 'f'.repeat(64), updatedAt: now });
  });

  it('the outbox claim is one statement whatever rows the claimer holds (built and planned once)', async () => {
    const claim = (held: number[]) => claimDueMail(db.database.db, {
      now: new Date(), limit: 10, leaseMs: 60_000, claimer: { instanceId: `shape-${kind}`, staleSeconds: 30, held, kind },
    });
    await claim([]);
    const built = shapesBuilt(db.database.db);
    await claim([1, 2, 3]);
    await claim([4]);
    expect(shapesBuilt(db.database.db)).toBe(built);
  });
});
