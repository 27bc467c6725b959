import { and, eq, getTableColumns, gte, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from './client';
import { rowShape, runShape, slot } from './statement-shapes';
import { inboundMessages, outbox, type NewOutboxRow, type OutboxRow } from './schema';
import { heartbeatLive } from './instance-heartbeat';
import { canonicalMailbox, sameMailbox, type MailboxOptions } from '../../parsers/mailbox';

/** Write a mail to the outbox; a row with the same purpose key already there makes this a no-op. */
export async function enqueueMail(tx: Tx, row: NewOutboxRow): Promise<boolean> {
  const shape = rowShape(row);
  const inserted = await runShape<{ id: number }[]>(tx, `enqueueMail:${shape.key}`, () => tx
    .insert(outbox).values(shape.placeholders as NewOutboxRow).onConflictDoNothing({ target: outbox.purposeKey }).returning({ id: outbox.id }), shape.values);
  return inserted.length > 0;
}

/** Who claims: this instance, and what it knows of its own claims (see claimDueMail). */
export interface OutboxClaimer {
  instanceId: string;
  /** Another instance whose heartbeat is older than this is dead. */
  staleSeconds: number;
  /** Rows this instance is still working on (claimed and not settled): its other claims are orphans. */
  held: readonly number[];
  /** PGlite: one process per database, so any claim but those held was made by a process now gone. */
  kind: 'postgres' | 'pglite';
}

/** Why a row in 'sending' was claimed again: its mail may already have been accepted by the SMTP server. */
export type ReclaimReason = 'lease_expired' | 'claimer_dead' | 'orphaned';

export type ClaimedOutboxRow = OutboxRow & {
  /** Set when the row was being sent by someone (its mail possibly accepted): the claim it was taken from. */
  reclaimed: { reason: ReclaimReason; claimedBy: string | null } | null;
  /**
   * When the mail this row answers (its In-Reply-To) arrived, read with the claim so that timing the
   * answer costs no query of its own; null when it answers no stored mail.
   */
  answersArrivedAt: Date | null;
};

/**
 * The condition under which a claim in 'sending' is dead before its lease ends. On PostgreSQL: its
 * claimer has no live heartbeat (heartbeatLive: the row is gone or stale, or its session has ended
 * while the server that recorded it still runs; a quick server restart releases nothing of a live
 * instance). Our own claims that we no longer hold are orphans (an error left them behind).
 */
function deadClaim(c: OutboxClaimer) {
  // The rows held, as one array parameter (its text, `{1,2,3}`): the statement's text stays the same
  // whatever is in flight, so it is built and planned once.
  const held = sql`${outbox.id} <> all(${slot('held')}::text::bigint[])`;
  if (c.kind === 'pglite') return held;
  // Parenthesised whole: drizzle's and() does not wrap a raw fragment, and an `or` inside would escape it.
  return sql`((${outbox.claimedBy} = ${slot('instanceId')}::text and ${held}) or (${outbox.claimedBy} <> ${slot('instanceId')}::text and not exists (
    select 1 from instance_heartbeats h where h.instance_id = ${outbox.claimedBy}
      and ${heartbeatLive(sql`${slot('staleSeconds')}::integer`, 'grace')})))`;
}

/**
 * Claim due rows for sending. A claim is a lease: a sender that dies leaves rows that become due
 * again when `claimedUntil` passes. With a `claimer`, the claim records the instance, and a claim whose
 * claimer is known dead (see deadClaim) is taken at once, without waiting for the lease; such rows come
 * back with `reclaimed` set. SKIP LOCKED lets several instances share the outbox.
 * Mails of one ticket to one address go out in the order they were decided: a row waits while an
 * earlier one of its ticket to the same address is still pending or being sent.
 */
export async function claimDueMail(
  db: Db, opts: {
    now: Date; limit: number; leaseMs: number; claimer?: OutboxClaimer;
    /**
     * Pending rows that forward documents and were queued after `after` are left alone, unless their
     * (first) document came from the mailbox `takeFromMailbox`: the leader of the mailbox a document came
     * from decoded it at intake and holds it in memory (document-cache), where this instance would read
     * the whole source back and parse it again. Older ones are anyone's. null: every row is taken.
     */
    leaveAttached?: { after: Date; takeFromMailbox: string | null } | null;
  },
): Promise<ClaimedOutboxRow[]> {
  const leaseEnd = new Date(opts.now.getTime() + opts.leaseMs);
  const claimer = opts.claimer;
  const leave = opts.leaveAttached ?? null;
  // Built once per kind of claimer and hand-over (statement-shapes); each batch runs it with its values.
  const build = () => {
    const now = sql`${slot('now')}::timestamptz`;
    // The statuses are written in the SQL, not sent as values: a plan made once for every call (prepared)
    // must know them to use the partial indexes (outbox_pending_due, outbox_sending_failed).
    const pending = and(sql`${outbox.status} = 'pending'`, sql`${outbox.nextAttemptAt} <= ${now}`,
      ...(leave ? [sql`(${outbox.attachments} = '[]'::jsonb or ${outbox.createdAt} <= ${slot('leaveAfter')}::timestamptz
        or (select i.mailbox from inbound_messages i where i.id = (${outbox.attachments}->0->>'inboundMessageId')::bigint) = ${slot('takeFromMailbox')}::text)`] : []));
    const sending = and(sql`${outbox.status} = 'sending'`, or(sql`${outbox.claimedUntil} <= ${now}`, ...(claimer ? [deadClaim(claimer)] : [])));
    // The first of its ticket's mails to its address still to go: no earlier one of them is pending or
    // being sent. Under the OR it stays a look-up per row read, never a join that compares every pending
    // row with every other (planned on estimates that lag a burst, that took 1.5 s a claim among 4,000
    // pending mails). The status is compared through an expression so that the look-up goes by the ticket
    // (outbox_ticket_to_id, a few rows), never through the status indexes, which statistics that say
    // 'pending' is rare make look cheaper and which hold every pending mail of every ticket.
    const first = sql`(${outbox.ticketId} is null or not exists (select 1 from outbox earlier
      where earlier.ticket_id = ${outbox.ticketId} and earlier.to_address = ${outbox.toAddress}
        and earlier.id < ${outbox.id} and earlier.status || '' in ('pending', 'sending')))`;
    // Each kind of due row is read in due order and locked as it is read (skipping rows another sender
    // holds), until the batch is full: pending and due through outbox_pending_due, so a claim reads about as
    // many rows as it takes, however many wait behind them; being sent with its lease over or its claimer
    // dead among the few being sent (outbox_sending_failed).
    // The three as one OR were one bitmap scan, every due row read and sorted to keep ten: 6-11 ms a claim
    // with a few thousand mails pending. FOR UPDATE is not allowed on a UNION, hence a CTE per kind; the
    // few rows locked by the second and not taken are released when the statement ends. Each keeps what
    // the row was before the update, which the reclaim reason needs.
    const kind = (condition: SQL | undefined) => sql`select ${outbox.id}, ${outbox.nextAttemptAt}, ${outbox.status} as was_status,
        ${outbox.claimedBy} as was_claimed_by, coalesce(${outbox.claimedUntil} <= ${now}, true) as lease_over
      from ${outbox} where ${condition} and ${first}
      order by ${outbox.nextAttemptAt}, ${outbox.id} limit ${slot('limit')} for update skip locked`;
    // drizzle writes the fields of a CTE given as raw SQL without the CTE's name, which beside outbox's own
    // columns would be ambiguous: the update below names them itself ("due"."id", …).
    const due = db.$with('due', {
      id: sql<number>``.as('id'),
      wasStatus: sql<string>``.as('was_status'),
      wasClaimedBy: sql<string | null>``.as('was_claimed_by'),
      leaseOver: sql<boolean>``.as('lease_over'),
    }).as(sql`with due_pending as (${kind(pending)}), due_sending as (${kind(sending)})
      select * from due_pending union all select * from due_sending order by next_attempt_at, id limit ${slot('limit')}`);
    // Prepared, as every statement on PostgreSQL is (src/db/client.ts, preparing): planned once per
    // connection, where planning this one costs several times what running it does (measured: 1.2 ms a
    // call unprepared, 0.7 ms prepared, few rows due).
    return db
      .with(due)
      .update(outbox)
      .set({ status: 'sending', claimedUntil: slot('leaseEnd'), claimedBy: claimer ? slot('instanceId') : null, attempts: sql`${outbox.attempts} + 1` } as unknown as Partial<OutboxRow>)
      .from(due)
      .where(sql`${outbox.id} = "due"."id"`)
      .returning({
        ...getTableColumns(outbox),
        wasStatus: sql<string>`"due"."was_status"`,
        wasClaimedBy: sql<string | null>`"due"."was_claimed_by"`,
        leaseOver: sql<boolean>`"due"."lease_over"`,
        // In RETURNING, so it is read for the claimed rows only. A Message-ID stored more than once counts
        // by its newest copy.
        answersArrivedAt: sql<Date | null>`(select i.received_at from inbound_messages i where i.message_id = ${outbox.inReplyTo}
          order by i.id desc limit 1)`.mapWith(inboundMessages.receivedAt),
      });
  };
  type Claimed = OutboxRow & { wasStatus: string; wasClaimedBy: string | null; leaseOver: boolean; answersArrivedAt: Date | null };
  const rows = await runShape<Claimed[]>(db, `claimDueMail:${claimer?.kind ?? 'anonymous'}:${leave ? 'leave' : 'all'}`, build, {
    now: opts.now.toISOString(), limit: opts.limit, leaseEnd,
    ...(claimer ? { instanceId: claimer.instanceId, staleSeconds: claimer.staleSeconds, held: `{${claimer.held.join(',')}}` } : {}),
    ...(leave ? { leaveAfter: leave.after.toISOString(), takeFromMailbox: leave.takeFromMailbox } : {}),
  });
  // RETURNING keeps no order: the due order is restored here.
  rows.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
  return rows.map(({ wasStatus, wasClaimedBy, leaseOver, answersArrivedAt, ...row }) => {
    if (wasStatus !== 'sending') return { ...row, reclaimed: null, answersArrivedAt };
    const reason: ReclaimReason = leaseOver ? 'lease_expired' : wasClaimedBy === opts.claimer?.instanceId ? 'orphaned' : 'claimer_dead';
    return { ...row, reclaimed: { reason, claimedBy: wasClaimedBy }, answersArrivedAt };
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
  return (await markMailsSent(db, [{ id: claim.id, claimedUntil: claim.claimedUntil, sentAt: now }])).has(claim.id);
}

/** A send the SMTP server accepted, to record under the claim it was made with. */
export interface SentMark extends OutboxClaim {
  sentAt: Date;
}

/**
 * Records several sends in one statement (one round trip), each under its own claim as markMailSent
 * does. Returns the ids recorded: a row left out had passed to another sender.
 */
export async function markMailsSent(db: Db, marks: readonly SentMark[]): Promise<Set<number>> {
  // A claim with no lease end is no claim (heldBy's rule): nothing to compare it with. Listed in id order:
  // two such writes over the same rows (claims one sender lost to another) then lock them in the same
  // order as the plan walks the list; a deadlock, should one happen anyway, fails a write, which is retried.
  const held = marks.filter((m) => m.claimedUntil !== null).sort((a, b) => a.id - b.id);
  if (held.length === 0) return new Set();
  // Typed in place: the drivers send these as text. The lease end compares equal to the stored one, as
  // heldBy's does: both come from the same JavaScript Date, at millisecond precision.
  // Built once per number of marks (statement-shapes): a write carries one to a few.
  const values: Record<string, unknown> = {};
  held.forEach((m, i) => Object.assign(values, { [`id${i}`]: m.id, [`held${i}`]: m.claimedUntil!.toISOString(), [`sent${i}`]: m.sentAt.toISOString() }));
  const rows = await runShape<{ id: number }[]>(db, `markMailsSent:${held.length}`, () => {
    const list = sql.join(held.map((_, i) =>
      sql`(${slot(`id${i}`)}::bigint, ${slot(`held${i}`)}::timestamptz, ${slot(`sent${i}`)}::timestamptz)`), sql`, `);
    return db
      .update(outbox)
      .set({ status: 'sent', sentAt: sql`v.sent_at`, claimedUntil: null, lastError: null })
      .from(sql`(values ${list}) as v(id, claimed_until, sent_at)`)
      .where(and(sql`${outbox.id} = v.id`, eq(outbox.status, 'sending'), sql`${outbox.claimedUntil} = v.claimed_until`))
      .returning({ id: outbox.id });
  }, values);
  return new Set(rows.map((r) => Number(r.id)));
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
    .from(outbox)
    // Read through outbox_pending_due and outbox_sending_failed: sent mail, most of the table, is not read.
    .where(sql`${outbox.status} in ('pending', 'sending', 'failed')`);
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
