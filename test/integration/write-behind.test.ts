import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { enqueueMail } from '../../src/db/outbox-queries';
import { tickets } from '../../src/db/schema';
import { insertTicket, insertTicketBehind, nextTicketId } from '../../src/db/ticket-queries';
import { settlingTransaction, writeBehind } from '../../src/db/write-behind';
import { outboxRowFor } from '../../src/outbox/outgoing-mail';
import { EMPTY_CHECK, type TicketCheck } from '../../src/workflow/ticket-check';
import { databaseForSuite, type DbKind } from './support/liquibot-harness';

const rendered = { subject: 's', text: 't', html: null, templateName: 'acknowledgment' as const, templateVersion: 'v1' };

/**
 * Statements sent behind (src/db/write-behind.ts): their answers are waited for before COMMIT, a failed
 * one fails the transaction with its own error and leaves nothing written, and a ticket inserted behind
 * is returned as the database wrote it.
 */
describe.each<DbKind>(['postgres', 'pglite'])('statements sent behind on %s', (kind) => {
  const db = databaseForSuite(kind);
  const count = async (ref: string) =>
    Number((await db.database.rows<{ n: number }>(sql`select count(*)::int as n from tickets where ref = ${ref}`))[0]!.n);
  const mail = (purposeKey: string, ticketId: number | null) => outboxRowFor({
    purposeKey, kind: 'acknowledgment', ticketId, ticketRef: null, to: 'wb@etude.example.fr', rendered,
    messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now: new Date(),
  });

  it('returns the ticket it inserts as the database wrote it', async () => {
    const now = new Date('2026-12-06T10:11:12.345Z');
    // What jsonb keeps of a check: no undefined, dates as text.
    const check = { ...EMPTY_CHECK, siret: '73282932000074', changes: [{ field: 'siret', from: null, to: '73282932000074', inboundMessageId: 1, sender: undefined, at: now }] } as unknown as TicketCheck;
    const built = await settlingTransaction(db.database.db, async (tx) => {
      const id = await nextTicketId(tx);
      return insertTicketBehind(tx, {
        id, ref: `LJ-WB-${kind}-${id}`, status: 'awaiting_approval', requesterEmail: 'wb@etude.example.fr', siret: '73282932000074',
        liquidatorEmail: undefined, check, createdAt: now, updatedAt: now,
      });
    });
    const [stored] = await db.database.db.select().from(tickets).where(sql`${tickets.id} = ${built.id}`);
    expect(built).toEqual(stored);
  });

  it('fails the transaction with the error of a statement sent behind, and writes nothing of it', async () => {
    const ref = `LJ-WB-FAIL-${kind}`;
    const failure = settlingTransaction(db.database.db, async (tx) => {
      const id = await nextTicketId(tx);
      await insertTicketBehind(tx, { id, ref, status: 'non_conforming', requesterEmail: 'wb@etude.example.fr', check: EMPTY_CHECK, createdAt: new Date(), updatedAt: new Date() });
      // The same id again: a unique violation, sent behind, and a statement after it that waits for its answer.
      await writeBehind(tx, insertTicket(tx, { id, ref: `${ref}-2`, status: 'non_conforming', requesterEmail: 'wb@etude.example.fr', check: EMPTY_CHECK }));
      await tx.execute(sql`select 1`);
    });
    await expect(failure).rejects.toMatchObject({ cause: { code: '23505' } });
    expect(await count(ref)).toBe(0);
  });

  it('fails the transaction when what the caller took for granted does not hold', async () => {
    const key = `wb-check-${kind}`;
    await db.database.db.transaction((tx) => enqueueMail(tx, mail(key, null)));
    const ref = `LJ-WB-CHECK-${kind}`;
    const failure = settlingTransaction(db.database.db, async (tx) => {
      const id = await nextTicketId(tx);
      await insertTicketBehind(tx, { id, ref, status: 'non_conforming', requesterEmail: 'wb@etude.example.fr', check: EMPTY_CHECK, createdAt: new Date(), updatedAt: new Date() });
      // Already queued: the insert does nothing, and the check says so.
      await writeBehind(tx, enqueueMail(tx, mail(key, null)), (inserted) => {
        if (!inserted) throw new Error('already queued');
      });
    });
    await expect(failure).rejects.toThrow('already queued');
    expect(await count(ref)).toBe(0);
  });

  it('waits for the statement where it is sent, in a transaction that does not settle', async () => {
    const ref = `LJ-WB-PLAIN-${kind}`;
    let after = false;
    const failure = db.database.db.transaction(async (tx) => {
      const id = await nextTicketId(tx);
      await insertTicket(tx, { id, ref, status: 'non_conforming', requesterEmail: 'wb@etude.example.fr', check: EMPTY_CHECK });
      await writeBehind(tx, insertTicket(tx, { id, ref: `${ref}-2`, status: 'non_conforming', requesterEmail: 'wb@etude.example.fr', check: EMPTY_CHECK }));
      after = true;
    });
    await expect(failure).rejects.toMatchObject({ cause: { code: '23505' } });
    expect(after).toBe(false);
    expect(await count(ref)).toBe(0);
  });
});
