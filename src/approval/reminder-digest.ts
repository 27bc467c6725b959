import { and, asc, desc, eq, gte, inArray, isNotNull, sql } from 'drizzle-orm';
import { LOCK_KEYS, rowsOf, type Tx } from '../db/client';
import { enqueueMail } from '../db/outbox-queries';
import { outbox, resetLinks, ticketEvents, tickets } from '../db/schema';
import { insertEvents } from '../db/ticket-queries';
import { outboxRowFor } from '../outbox/outgoing-mail';
import { REOPENABLE_STATUSES } from '../workflow/ticket-transitions';
import type { PipelineDeps } from '../workflow/context';
import { currentApprovalLinks } from './approval-links';
import { planReminderDigest, type LockedLinkFact, type ReminderFacts } from './reminder-plan';

/** A locked link is listed for this long after the lock, unless a new link replaced it before. */
const LOCKED_LINK_DAYS = 7;
/** At most this many lines of each kind: a digest stays readable (the rest is in `liquibot tickets list`). */
const MAX_LINES = 200;

const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

// Correlated subqueries name the outer row explicitly: in a one-table query drizzle writes `${tickets.id}`
// as a bare "id", which inside the subquery would be the event's own id.
const OUTER_TICKET_ID = sql.raw('"tickets"."id"');
const OUTER_UPDATED_AT = sql.raw('"tickets"."updated_at"');

/** The last `reminded` line of each ticket, as a column. */
const lastRemindedAt = sql<unknown>`(select max(e.at) from ${ticketEvents} e where e.ticket_id = ${OUTER_TICKET_ID} and e.kind = 'reminded')`;

/** Everything the digest shows, read in the job's transaction. */
async function readFacts(tx: Tx, deps: Pick<PipelineDeps, 'config'>, now: Date): Promise<ReminderFacts> {
  const waitingSince = sql<unknown>`coalesce((select max(e.at) from ${ticketEvents} e where e.ticket_id = ${OUTER_TICKET_ID}
    and e.kind in ('approval_requested', 'approval_waiting')), ${OUTER_UPDATED_AT})`;
  const pending = await tx
    .select({ ticket: tickets, waitingSince, lastRemindedAt })
    .from(tickets)
    .where(eq(tickets.status, 'awaiting_approval'))
    .orderBy(asc(waitingSince), asc(tickets.id))
    .limit(MAX_LINES);
  const people = await tx
    .select({ id: tickets.id, ref: tickets.ref, status: tickets.status, since: tickets.needsPersonSince, lastRemindedAt })
    .from(tickets)
    .where(isNotNull(tickets.needsPersonSince))
    .orderBy(asc(tickets.needsPersonSince))
    .limit(MAX_LINES);
  const [last] = await tx.select({ at: sql<unknown>`max(${outbox.createdAt})` }).from(outbox).where(eq(outbox.kind, 'reminder-digest'));
  return {
    approvals: pending.map(({ ticket: t, waitingSince: since, lastRemindedAt: reminded }) => ({
      ticketId: t.id, ref: t.ref, siret: t.siret, requesterEmail: t.requesterEmail, receivedAt: t.createdAt,
      waitingSince: toDate(since) ?? t.updatedAt, approvalMessageId: t.approvalMessageId, lastRemindedAt: toDate(reminded),
      links: currentApprovalLinks(deps.config, t),
    })),
    needsPerson: people.map((p) => ({ ticketId: p.id, ref: p.ref, status: p.status, since: p.since!, lastRemindedAt: toDate(p.lastRemindedAt) })),
    lockedLinks: await lockedLinks(tx, now),
    lastDigestAt: toDate(last?.at),
  };
}

/**
 * Reset links locked by wrong triplets (verify-link.ts: the attempt that used up the last try marks the
 * link expired and records `lockedOut` in the history), still the ticket's last link, locked in the last
 * LOCKED_LINK_DAYS days, on a ticket whose link can still be reissued.
 */
async function lockedLinks(tx: Tx, now: Date): Promise<LockedLinkFact[]> {
  const since = new Date(now.getTime() - LOCKED_LINK_DAYS * 86_400_000);
  const rows = await tx
    .select({
      ticketId: tickets.id, ref: tickets.ref, liquidatorEmail: resetLinks.liquidatorEmail, failedAttempts: resetLinks.failedAttempts,
      lockedAt: ticketEvents.at, linkId: resetLinks.id, lastRemindedAt,
    })
    .from(ticketEvents)
    .innerJoin(tickets, eq(tickets.id, ticketEvents.ticketId))
    .innerJoin(resetLinks, sql`${resetLinks.id} = (${ticketEvents.detail}->>'linkId')::int`)
    .where(and(
      eq(ticketEvents.kind, 'link_verified'),
      sql`(${ticketEvents.detail}->>'lockedOut')::boolean is true`,
      gte(ticketEvents.at, since),
      eq(resetLinks.status, 'expired'),
      inArray(tickets.status, [...REOPENABLE_STATUSES]),
      sql`${resetLinks.id} = (select max(l.id) from ${resetLinks} l where l.ticket_id = ${OUTER_TICKET_ID})`,
    ))
    .orderBy(desc(ticketEvents.at))
    .limit(MAX_LINES);
  const seen = new Set<number>();
  return rows.filter((r) => !seen.has(r.linkId) && seen.add(r.linkId)).map((r) => ({
    ticketId: r.ticketId, ref: r.ref, liquidatorEmail: r.liquidatorEmail, lockedAt: r.lockedAt, failedAttempts: r.failedAttempts,
    lastRemindedAt: toDate(r.lastRemindedAt),
  }));
}

/**
 * The reminder digest (reminder-plan.ts says when one is due and what it shows): one mail to the agents
 * with the whole queue and the decision links, a copy to ESCALATION_ADDRESS past the escalation
 * threshold, and a `reminded` line on each ticket reminded. Runs under a transaction-level advisory
 * lock: with several instances, one digest per run.
 */
export async function sendReminderDigest(
  deps: Pick<PipelineDeps, 'database' | 'config' | 'templates'>, now: Date,
): Promise<{ reminded: number; escalated: number }> {
  return deps.database.db.transaction(async (tx) => {
    const [lock] = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${LOCK_KEYS.jobs}) as ok`));
    if (!lock?.ok) return { reminded: 0, escalated: 0 };
    const plan = planReminderDigest(await readFacts(tx, deps, now), deps.config, now);
    if (!plan.due) return { reminded: 0, escalated: 0 };
    const stamp = now.toISOString();
    await enqueueMail(tx, outboxRowFor({
      purposeKey: `reminder-digest:${stamp}`, kind: 'reminder-digest', ticketId: null, ticketRef: null, to: deps.config.AGENTS_ADDRESS,
      rendered: deps.templates.render('reminder-digest', plan.digest), messageIdDomain: deps.config.messageIdDomain, parent: null,
      autoSubmitted: 'auto-generated', now,
    }));
    if (plan.escalation && deps.config.ESCALATION_ADDRESS) {
      await enqueueMail(tx, outboxRowFor({
        purposeKey: `reminder-escalation:${stamp}`, kind: 'reminder-escalation', ticketId: null, ticketRef: null, to: deps.config.ESCALATION_ADDRESS,
        rendered: deps.templates.render('reminder-digest', plan.escalation), messageIdDomain: deps.config.messageIdDomain, parent: null,
        autoSubmitted: 'auto-generated', now,
      }));
    }
    const escalated = new Set(plan.escalation ? plan.escalatedTicketIds : []);
    await insertEvents(tx, plan.remindedTicketIds.map((ticketId) => ({
      ticketId, at: now, kind: 'reminded' as const, actor: 'liquibot',
      detail: { purposeKey: `reminder-digest:${stamp}`, ...(escalated.has(ticketId) ? { escalatedTo: deps.config.ESCALATION_ADDRESS } : {}) },
    })));
    return { reminded: plan.remindedTicketIds.length, escalated: escalated.size };
  });
}
