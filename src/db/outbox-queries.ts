import { and, asc, eq, gte, inArray, lte, or, sql } from 'drizzle-orm';
import type { Db, Tx } from './client';
import { outbox, type NewOutboxRow, type OutboxRow } from './schema';
import { canonicalMailbox, sameMailbox, type MailboxOptions } from '../../parsers/mailbox';

/** Write a mail to the outbox; a row with the same purpose key already there makes this a no-op. */
export async function enqueueMail(tx: Tx, row: NewOutboxRow): Promise<boolean> {
  const inserted = await tx.insert(outbox).values(row).onConflictDoNothing({ target: outbox.purposeKey }).returning({ id: outbox.id });
  return inserted.length > 0;
}

/**
 * Claim due rows for sending. A claim is a lease: a sender that dies leaves rows that become due
 * again when `claimedUntil` passes. SKIP LOCKED lets several instances share the outbox.
 * Mails of one ticket to one address go out in the order they were decided: a row waits while an
 * earlier one of its ticket to the same address is still pending or being sent.
 */
export async function claimDueMail(db: Db, opts: { now: Date; limit: number; leaseMs: number }): Promise<OutboxRow[]> {
  const leaseEnd = new Date(opts.now.getTime() + opts.leaseMs);
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(
        or(
          and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, opts.now)),
          and(eq(outbox.status, 'sending'), lte(outbox.claimedUntil, opts.now)),
        ),
        sql`not exists (select 1 from outbox earlier where earlier.ticket_id = ${outbox.ticketId} and earlier.to_address = ${outbox.toAddress}
          and earlier.id < ${outbox.id} and earlier.status in ('pending', 'sending'))`,
      ))
      .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
      .limit(opts.limit)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(outbox)
      .set({ status: 'sending', claimedUntil: leaseEnd, attempts: sql`${outbox.attempts} + 1` })
      .where(inArray(outbox.id, due.map((r) => r.id)))
      .returning();
  });
}

/** A row as this sender holds it: its id and the end of the lease it was claimed (or renewed) with. */
export interface OutboxClaim {
  id: number;
  claimedUntil: Date | null;
}

const heldBy = (claim: OutboxClaim) =>
  and(eq(outbox.id, claim.id), eq(outbox.status, 'sending'), claim.claimedUntil ? eq(outbox.claimedUntil, claim.claimedUntil) : sql`false`);

/**
 * Extends a claim just before its mail is sent, if it is still this sender's: a lease that ran out while
 * the row waited its turn may have been taken by another instance, which then sends it; this one must not.
 * Returns the new lease end, or null when the row is no longer ours.
 */
export async function renewClaim(db: Db, claim: OutboxClaim, until: Date): Promise<Date | null> {
  const rows = await db.update(outbox).set({ claimedUntil: until }).where(heldBy(claim)).returning({ claimedUntil: outbox.claimedUntil });
  return rows[0]?.claimedUntil ?? null;
}

/** The outcome of a send is recorded only under the claim it was sent with; false when the row had passed to another sender. */
export async function markMailSent(db: Db, claim: OutboxClaim, now: Date): Promise<boolean> {
  const rows = await db.update(outbox).set({ status: 'sent', sentAt: now, claimedUntil: null, lastError: null }).where(heldBy(claim)).returning({ id: outbox.id });
  return rows.length > 0;
}

export async function markMailRetry(db: Db, claim: OutboxClaim, error: string, nextAttemptAt: Date): Promise<boolean> {
  const rows = await db
    .update(outbox)
    .set({ status: 'pending', claimedUntil: null, lastError: error.slice(0, 1000), nextAttemptAt })
    .where(heldBy(claim))
    .returning({ id: outbox.id });
  return rows.length > 0;
}

export async function markMailFailed(tx: Db | Tx, claim: OutboxClaim, error: string): Promise<boolean> {
  const rows = await tx.update(outbox).set({ status: 'failed', claimedUntil: null, lastError: error.slice(0, 1000) }).where(heldBy(claim)).returning({ id: outbox.id });
  return rows.length > 0;
}

/**
 * How many mails of these kinds went (or will go) to a mailbox since a moment: the notice rate limit.
 * `to_address` keeps the address as it was sent; they are compared as mailboxes (parsers/mailbox.ts,
 * sameMailbox), so `jean+1@x.fr`, `jean+2@x.fr` and `Jean@X.fr.` count as one sender. Nothing more is
 * stored: the database narrows the rows to the addresses that contain the local part's base (every
 * way of writing the mailbox does, but for quoted-pair escapes), and those are compared here in full.
 */
export async function countRecentMailTo(db: Db | Tx, to: string, kinds: string[], since: Date, mailbox: MailboxOptions = {}): Promise<number> {
  const canonical = canonicalMailbox(to, mailbox);
  // Not one clean mailbox: only the same string (sameMailbox's rule) is the same sender.
  const key = canonical ? canonical.slice(0, canonical.lastIndexOf('@')) : to.trim().toLowerCase();
  const rows = await db
    .select({ to: outbox.toAddress, n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(and(sql`strpos(lower(${outbox.toAddress}), ${key}) > 0`, inArray(outbox.kind, kinds), gte(outbox.createdAt, since)))
    .groupBy(outbox.toAddress);
  return rows.filter((row) => sameMailbox(row.to, to, mailbox)).reduce((sum, row) => sum + Number(row.n), 0);
}

/** The same count, on one ticket's thread only. */
export async function countRecentThreadMailTo(
  db: Db | Tx, ticketId: number, to: string, kinds: string[], since: Date, mailbox: MailboxOptions = {},
): Promise<number> {
  const rows = await db
    .select({ to: outbox.toAddress, n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(and(eq(outbox.ticketId, ticketId), inArray(outbox.kind, kinds), gte(outbox.createdAt, since)))
    .groupBy(outbox.toAddress);
  return rows.filter((row) => sameMailbox(row.to, to, mailbox)).reduce((sum, row) => sum + Number(row.n), 0);
}

export async function outboxOfTicket(db: Db, ticketId: number) {
  return db
    .select({
      id: outbox.id, kind: outbox.kind, toAddress: outbox.toAddress, subject: outbox.subject, status: outbox.status,
      attempts: outbox.attempts, lastError: outbox.lastError, messageId: outbox.messageId, createdAt: outbox.createdAt,
      sentAt: outbox.sentAt, templateName: outbox.templateName, templateVersion: outbox.templateVersion,
    })
    .from(outbox)
    .where(eq(outbox.ticketId, ticketId))
    .orderBy(outbox.id);
}

/** Rows not yet sent (pending or being sent), for graceful shutdown and health. */
export async function outboxBacklog(db: Db): Promise<{ count: number; oldest: Date | null; failed: number }> {
  const [row] = await db
    .select({
      count: sql<number>`count(*) filter (where ${outbox.status} in ('pending','sending'))::int`,
      oldest: sql<string | null>`min(${outbox.createdAt}) filter (where ${outbox.status} in ('pending','sending'))`,
      failed: sql<number>`count(*) filter (where ${outbox.status} = 'failed')::int`,
    })
    .from(outbox);
  return {
    count: Number(row?.count ?? 0),
    oldest: row?.oldest ? new Date(row.oldest) : null,
    failed: Number(row?.failed ?? 0),
  };
}

/**
 * Marks as superseded the pending (not yet claimed) mails of a ticket to one address whose kind is in
 * `kinds`, except the one with `keepPurposeKey`: a later step made them stale. Returns what it marked.
 */
export async function supersedePendingMail(
  tx: Tx, opts: { ticketId: number; toAddress: string; kinds: readonly string[]; keepPurposeKey: string },
): Promise<{ id: number; purposeKey: string; kind: string }[]> {
  if (opts.kinds.length === 0) return [];
  return tx.update(outbox).set({ status: 'superseded', lastError: null })
    .where(and(
      eq(outbox.ticketId, opts.ticketId), eq(outbox.toAddress, opts.toAddress), eq(outbox.status, 'pending'),
      inArray(outbox.kind, [...opts.kinds]), sql`${outbox.purposeKey} <> ${opts.keepPurposeKey}`,
    ))
    .returning({ id: outbox.id, purposeKey: outbox.purposeKey, kind: outbox.kind });
}
