import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from './client';
import { rowShape, runShape, slot } from './statement-shapes';
import { outbox, ticketEvents, tickets, type NewTicket, type NewTicketEvent, type Ticket, type TicketStatus } from './schema';
import { ticketIdsOfInboundMessageIds } from './inbound-queries';
import { writeBehind } from './write-behind';
import { DECIDABLE_STATUSES, REOPENABLE_STATUSES } from '../workflow/ticket-transitions';

/** Reserve the next ticket id, so its reference can be made before the row is written. */
export async function nextTicketId(tx: Tx): Promise<number> {
  const [row] = rowsOf<{ id: number }>(await tx.execute(sql`select nextval(pg_get_serial_sequence('tickets', 'id'))::int as id`));
  return Number(row!.id);
}

export async function insertTicket(tx: Tx, values: NewTicket & { id: number }): Promise<Ticket> {
  const shape = rowShape(values);
  const [row] = await runShape<Ticket[]>(tx, `insertTicket:${shape.key}`, () => tx.insert(tickets).values(shape.placeholders as NewTicket).returning(), shape.values);
  return row!;
}

/**
 * insertTicket sent behind (write-behind.ts), with the statements that follow: the row returned is built
 * here, from the values and the columns' defaults, as the database writes it. Its times are given, so that
 * no default of the server's is in it; its check is what jsonb keeps (undefined dropped, dates as text).
 */
export async function insertTicketBehind(tx: Tx, values: NewTicket & { id: number; createdAt: Date; updatedAt: Date }): Promise<Ticket> {
  const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as typeof values;
  const row: Ticket = {
    requesterName: '', subject: '', siret: null, liquidatorEmail: null, rootMessageId: null, approvalMessageId: null, approvalTokenHash: null,
    decision: null, decidedBy: null, decidedAt: null, refusalReason: null, linkReissues: 0, needsPersonSince: null,
    ...given,
    check: JSON.parse(JSON.stringify(values.check)) as Ticket['check'],
  };
  const shape = rowShape(values);
  await writeBehind(tx, runShape(tx, `insertTicketBehind:${shape.key}`, () => tx.insert(tickets).values(shape.placeholders as NewTicket), shape.values));
  return row;
}

export async function updateTicket(
  tx: Tx,
  id: number,
  values: Partial<Pick<Ticket, 'status' | 'check' | 'siret' | 'liquidatorEmail'>> & { updatedAt: Date },
): Promise<void> {
  await tx.update(tickets).set(values).where(eq(tickets.id, id));
}

/**
 * The newest request of this requester for this company that is open (a link went out, or the agents
 * decide): a second request for it is that one's follow-up.
 */
export async function openRequestOf(tx: Tx, requester: string, siret: string): Promise<Ticket | null> {
  const [row] = await runShape<Ticket[]>(tx, 'openRequestOf', () => tx.select().from(tickets)
    .where(and(eq(tickets.requesterEmail, slot('requester')), eq(tickets.siret, slot('siret')), inArray(tickets.status, [...REOPENABLE_STATUSES, ...DECIDABLE_STATUSES])))
    .orderBy(desc(tickets.id)).limit(1), { requester, siret });
  return row ?? null;
}

/** Binds a ticket to the approval request just queued for it: the agents' answer names one or the other. */
export function bindApprovalRequest(tx: Tx, id: number, binding: { messageId: string; tokenHash: string; now: Date }): Promise<unknown> {
  return runShape(tx, 'bindApprovalRequest', () => tx.update(tickets)
    .set({ approvalMessageId: slot('messageId'), approvalTokenHash: slot('tokenHash'), updatedAt: slot('now') } as unknown as Partial<Ticket>)
    .where(eq(tickets.id, slot('id'))), { ...binding, id });
}

/** Lock a ticket row for the rest of the transaction (first decision wins). */
export async function lockTicket(tx: Tx, id: number): Promise<Ticket | null> {
  const [row] = await tx.select().from(tickets).where(eq(tickets.id, id)).for('update');
  return row ?? null;
}

export async function findTicketByRef(db: Db | Tx, ref: string): Promise<Ticket | null> {
  const [row] = await db.select().from(tickets).where(eq(tickets.ref, ref.toUpperCase()));
  return row ?? null;
}

/**
 * The ticket a mail is bound to: its In-Reply-To/References name a mail liquibot sent on that ticket
 * (outbox Message-IDs hold 128 random bits: only someone who received the mail knows one). The newest
 * match wins.
 */
export async function findTicketBySentMessageIds(db: Db | Tx, messageIds: string[]): Promise<Ticket | null> {
  if (messageIds.length === 0) return null;
  const sent = await db.select({ ticketId: outbox.ticketId }).from(outbox).where(inArray(outbox.messageId, messageIds));
  const ids = [...new Set(sent.map((r) => r.ticketId).filter((v): v is number => v !== null))];
  if (ids.length === 0) return null;
  const [row] = await db.select().from(tickets).where(inArray(tickets.id, ids)).orderBy(desc(tickets.id)).limit(1);
  return row ?? null;
}

/**
 * The ticket a mail threads onto: any of its In-Reply-To/References naming a mail we sent for a ticket
 * or a mail we received for one (which anyone who saw that mail, or guessed its Message-ID, can name:
 * this finds the ticket, it does not bind to it). The newest match wins.
 */
export async function findTicketByMessageIds(db: Db | Tx, messageIds: string[]): Promise<Ticket | null> {
  if (messageIds.length === 0) return null;
  const sent = await db
    .select({ ticketId: outbox.ticketId })
    .from(outbox)
    .where(inArray(outbox.messageId, messageIds));
  const ids = new Set<number>([
    ...sent.map((r) => r.ticketId).filter((v): v is number => v !== null),
    ...(await ticketIdsOfInboundMessageIds(db, messageIds)),
  ]);
  if (ids.size === 0) return null;
  const [row] = await db.select().from(tickets).where(inArray(tickets.id, [...ids])).orderBy(desc(tickets.id)).limit(1);
  return row ?? null;
}

export async function listTickets(db: Db, opts: { status?: TicketStatus; limit?: number } = {}): Promise<Ticket[]> {
  const q = db.select().from(tickets);
  const filtered = opts.status ? q.where(eq(tickets.status, opts.status)) : q;
  return filtered.orderBy(desc(tickets.id)).limit(opts.limit ?? 200);
}

/** Requests that wait for a person (a message handed to the agents), oldest first. */
export async function ticketsNeedingPerson(db: Db, limit = 200): Promise<Ticket[]> {
  return db.select().from(tickets).where(isNotNull(tickets.needsPersonSince)).orderBy(asc(tickets.needsPersonSince)).limit(limit);
}

export async function eventsOfTicket(db: Db, ticketId: number) {
  return db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(ticketEvents.id);
}

/** Transactions whose history lines wait to be written with their last statement (deferEvents). */
const deferred = new WeakMap<Tx, NewTicketEvent[]>();

/**
 * From now on, the history lines written in `tx` are kept, in order, instead of inserted: the caller
 * writes them with its last statement (markInboundProcessed), one round trip less per mail. Nothing in
 * such a transaction reads its own history lines back.
 */
export function deferEvents(tx: Tx): NewTicketEvent[] {
  const rows: NewTicketEvent[] = [];
  deferred.set(tx, rows);
  return rows;
}

export async function insertEvents(tx: Tx, rows: NewTicketEvent[]): Promise<void> {
  const later = deferred.get(tx);
  if (later) later.push(...rows);
  else if (rows.length > 0) await tx.insert(ticketEvents).values(rows);
}

export async function countTicketsByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.select({ status: tickets.status, n: sql<number>`count(*)::int` }).from(tickets).groupBy(tickets.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
