import { and, asc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { tickets, type Ticket } from './schema';
import { rowsOf, type Db, type Tx } from './client';

/**
 * Read-mostly queries for health, metrics, `liquibot status` and the retention purge. Each one is
 * meant to be cheap: it uses an index (status, message id, primary key) or one aggregate scan.
 */

/** What replaces the bodies of outgoing mails once retention removed them. */
export const PURGED_BODY = '[removed by retention]';

async function rows<T>(db: Db | Tx, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

/** A timestamp from a raw query (a string with both drivers here), or null. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

const idList = (ids: number[]) => sql.join(ids.map((id) => sql`${id}`), sql`, `);
/** A timestamp parameter: postgres.js here takes no Date objects in raw queries. */
const at = (date: Date) => sql`${date.toISOString()}::timestamptz`;

export interface OutboxHealth {
  /** Rows pending or being sent. */
  unsent: number;
  oldestUnsentAt: Date | null;
  failed: number;
}

/** Unsent and failed outgoing mail; filtered on status, so outbox_pending_due and outbox_sending_failed serve it. */
export async function outboxHealth(db: Db): Promise<OutboxHealth> {
  const [row] = await rows<{ unsent: number; oldest: unknown; failed: number }>(db, sql`
    select
      (select count(*)::int from outbox where status in ('pending', 'sending')) as unsent,
      (select min(created_at) from outbox where status in ('pending', 'sending')) as oldest,
      (select count(*)::int from outbox where status = 'failed') as failed`);
  return { unsent: Number(row?.unsent ?? 0), oldestUnsentAt: toDate(row?.oldest), failed: Number(row?.failed ?? 0) };
}

/** A mailbox the database serves (mailbox_state), and when its newest stored mail arrived. */
export interface MailboxActivity {
  mailbox: string;
  lastMailAt: Date | null;
}

/**
 * Every mailbox with a cursor in the database (several may share it, see mail/mailbox-identity.ts), with
 * the arrival of its newest stored mail in the current UIDVALIDITY: the highest UID, one backward step
 * of the inbound_messages_mailbox_uid index per mailbox.
 */
export async function mailboxActivity(db: Db): Promise<MailboxActivity[]> {
  const found = await rows<{ mailbox: string; last: unknown }>(db, sql`
    select s.mailbox, (select i.received_at from inbound_messages i
        where i.mailbox = s.mailbox and i.uid_validity = s.uid_validity order by i.uid desc limit 1) as last
      from mailbox_state s order by s.mailbox`);
  return found.map((r) => ({ mailbox: r.mailbox, lastMailAt: toDate(r.last) }));
}

/** Inbound mails in quarantine; served by the inbound_messages_status index. */
export async function quarantinedCount(db: Db): Promise<number> {
  const [row] = await rows<{ n: number }>(db, sql`select count(*)::int as n from inbound_messages where status = 'quarantined'`);
  return Number(row?.n ?? 0);
}

/** processed_at of the newest processed (or quarantined) message, by id: one step down the primary key. */
export async function lastProcessedAt(db: Db): Promise<Date | null> {
  const [row] = await rows<{ at: unknown }>(db, sql`
    select processed_at as at from inbound_messages where processed_at is not null order by id desc limit 1`);
  return toDate(row?.at);
}

/**
 * Since when the longest-waiting request has awaited the agents' decision: among the tickets in
 * awaiting_approval, the earliest of their latest entries into that state (its status_changed event;
 * updated_at for a ticket without one); null when none waits. Served by the tickets_status and
 * ticket_events_ticket indexes.
 */
/** Requests waiting for a person (a message handed to the agents), and since when the oldest waits. */
export async function needingPerson(db: Db): Promise<{ count: number; oldestSince: Date | null }> {
  const [row] = await rows<{ n: number; since: unknown }>(db, sql`
    select count(*)::int as n, min(needs_person_since) as since from tickets where needs_person_since is not null`);
  return { count: Number(row?.n ?? 0), oldestSince: toDate(row?.since) };
}

export async function oldestPendingApprovalSince(db: Db): Promise<Date | null> {
  const [row] = await rows<{ since: unknown }>(db, sql`
    select min(coalesce(entered.at, t.updated_at)) as since
    from tickets t
    left join lateral (
      select max(e.at) as at from ticket_events e
      where e.ticket_id = t.id and e.kind = 'status_changed' and e.to_status = 'awaiting_approval'
    ) entered on true
    where t.status = 'awaiting_approval'`);
  return toDate(row?.since);
}

export interface CheckCounts {
  /** conforme / non_conforme → number of checks. */
  verdicts: Record<string, number>;
  /** Problem code → number of checks that found it. */
  problems: Record<string, number>;
}

/**
 * Every check ever made, from the `checked` events of the tickets' history (one per request and per
 * follow-up checked again). One scan of ticket_events, grouped by distinct verdict and problem list.
 */
export async function checkCounts(db: Db): Promise<CheckCounts> {
  const grouped = await rows<{ verdict: string | null; problems: unknown; n: number }>(db, sql`
    select detail->>'verdict' as verdict, detail->'problems' as problems, count(*)::int as n
    from ticket_events where kind = 'checked' group by 1, 2`);
  const verdicts: Record<string, number> = {};
  const problems: Record<string, number> = {};
  for (const g of grouped) {
    const n = Number(g.n);
    if (g.verdict) verdicts[g.verdict] = (verdicts[g.verdict] ?? 0) + n;
    const codes = typeof g.problems === 'string' ? JSON.parse(g.problems) : g.problems;
    for (const code of Array.isArray(codes) ? codes : []) problems[String(code)] = (problems[String(code)] ?? 0) + n;
  }
  return { verdicts, problems };
}

/** A stored raw source that retention might remove, with what the rule needs to know. */
export interface RawRetentionCandidate {
  id: number;
  status: string;
  processedAt: Date | null;
  sizeBytes: number;
  sha256: string;
  ticketId: number | null;
  ticketStatus: string | null;
  ticketUpdatedAt: Date | null;
  /** An unsent outgoing mail still has to attach documents from this source. */
  awaitedByOutbox: boolean;
}

interface CandidateRow {
  id: number; status: string; processed_at: unknown; size_bytes: number; sha256: string;
  ticket_id: number | null; ticket_status: string | null; ticket_updated_at: unknown; awaited: boolean;
}

const candidateColumns = sql`
  i.id::int as id, i.status, i.processed_at, i.size_bytes, i.sha256, i.ticket_id, t.status as ticket_status,
  t.updated_at as ticket_updated_at,
  exists (
    select 1 from outbox o where o.status in ('pending', 'sending')
      and o.attachments @> jsonb_build_array(jsonb_build_object('inboundMessageId', i.id))
  ) as awaited`;

function toCandidate(r: CandidateRow): RawRetentionCandidate {
  return {
    id: Number(r.id), status: r.status, processedAt: toDate(r.processed_at), sizeBytes: Number(r.size_bytes), sha256: r.sha256,
    ticketId: r.ticket_id === null ? null : Number(r.ticket_id), ticketStatus: r.ticket_status,
    ticketUpdatedAt: toDate(r.ticket_updated_at), awaitedByOutbox: r.awaited === true || (r.awaited as unknown) === 't',
  };
}

/**
 * The next page (by id) of messages with a raw source, handled, and handled before the cutoff. The
 * ticket-related part of the rule is applied by the caller (rawRetentionDecision).
 */
export async function rawRetentionCandidates(db: Db, opts: { cutoff: Date; afterId: number; limit: number }): Promise<RawRetentionCandidate[]> {
  const found = await rows<CandidateRow>(db, sql`
    select ${candidateColumns}
    from inbound_messages i left join tickets t on t.id = i.ticket_id
    where i.id > ${opts.afterId} and i.raw is not null and i.status <> 'stored' and i.processed_at < ${at(opts.cutoff)}
    order by i.id limit ${opts.limit}`);
  return found.map(toCandidate);
}

/** The same candidates, read again and row-locked inside the purge transaction; rows another purge holds are skipped. */
export async function lockRawRetentionCandidates(tx: Tx, ids: number[]): Promise<RawRetentionCandidate[]> {
  if (ids.length === 0) return [];
  const found = await rows<CandidateRow>(tx, sql`
    select ${candidateColumns}
    from inbound_messages i left join tickets t on t.id = i.ticket_id
    where i.id in (${idList(ids)}) and i.raw is not null
    order by i.id for update of i skip locked`);
  return found.map(toCandidate);
}

/** Drop the raw sources; the rows keep sha256 and size_bytes. */
export async function clearRawSources(tx: Tx, ids: number[]): Promise<void> {
  if (ids.length > 0) await tx.execute(sql`update inbound_messages set raw = null where id in (${idList(ids)})`);
}

/**
 * Lock up to `limit` non-conforming tickets unchanged since before `cutoff`, for retention to close
 * (rows another transaction holds are skipped: the next run gets them).
 */
export async function lockStaleTickets(tx: Tx, cutoff: Date, limit: number): Promise<Ticket[]> {
  return tx.select().from(tickets)
    .where(and(eq(tickets.status, 'non_conforming'), lt(tickets.updatedAt, cutoff)))
    .orderBy(asc(tickets.id)).limit(limit).for('update', { skipLocked: true });
}

/** How many non-conforming tickets are unchanged since before `cutoff` (what a purge would close). */
export async function countStaleTickets(db: Db, cutoff: Date): Promise<number> {
  const [row] = await rows<{ n: number }>(db, sql`
    select count(*)::int as n from tickets where status = 'non_conforming' and updated_at < ${at(cutoff)}`);
  return Number(row?.n ?? 0);
}

/** tickets.check of these tickets, by id. */
export async function ticketChecks(tx: Tx, ticketIds: number[]): Promise<Map<number, unknown>> {
  if (ticketIds.length === 0) return new Map();
  const found = await rows<{ id: number; check: unknown }>(tx, sql`select id, "check" from tickets where id in (${idList(ticketIds)})`);
  return new Map(found.map((r) => [Number(r.id), typeof r.check === 'string' ? JSON.parse(r.check) : r.check]));
}

export interface OutboxBodyCandidate {
  id: number;
  status: string;
  sentAt: Date | null;
  createdAt: Date;
  /** Bytes of text and HTML body. */
  bytes: number;
}

/** The next page (by id) of sent or failed mails from before the cutoff whose bodies are still there. */
export async function outboxBodyCandidates(db: Db, opts: { cutoff: Date; afterId: number; limit: number }): Promise<OutboxBodyCandidate[]> {
  const found = await rows<{ id: number; status: string; sent_at: unknown; created_at: unknown; bytes: number }>(db, sql`
    select id::int as id, status, sent_at, created_at, (octet_length(text_body) + coalesce(octet_length(html_body), 0))::int as bytes
    from outbox
    where id > ${opts.afterId} and status in ('sent', 'failed') and coalesce(sent_at, created_at) < ${at(opts.cutoff)}
      and text_body <> ${PURGED_BODY}
    order by id limit ${opts.limit}`);
  return found.map((r) => ({
    id: Number(r.id), status: r.status, sentAt: toDate(r.sent_at), createdAt: toDate(r.created_at)!, bytes: Number(r.bytes),
  }));
}

/** Replace the bodies by PURGED_BODY; returns the rows changed with the bytes they held. */
export async function clearOutboxBodies(db: Db, ids: number[], cutoff: Date): Promise<{ id: number; bytes: number }[]> {
  if (ids.length === 0) return [];
  const changed = await rows<{ id: number; bytes: number }>(db, sql`
    with old as (
      select id, (octet_length(text_body) + coalesce(octet_length(html_body), 0))::int as bytes from outbox
      where id in (${idList(ids)}) and status in ('sent', 'failed') and coalesce(sent_at, created_at) < ${at(cutoff)}
        and text_body <> ${PURGED_BODY}
      for update skip locked
    )
    update outbox o set text_body = ${PURGED_BODY}, html_body = null from old where o.id = old.id
    returning o.id::int as id, old.bytes`);
  return changed.map((r) => ({ id: Number(r.id), bytes: Number(r.bytes) }));
}
