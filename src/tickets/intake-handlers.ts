import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { tickets, type NewTicketEvent, type Ticket } from '../db/schema';
import { markInboundProcessed } from '../db/inbound-queries';
import { countRecentMailTo } from '../db/outbox-queries';
import { insertEvents, insertTicket, lockTicket, nextTicketId, updateTicket } from '../db/ticket-queries';
import { checkRequest } from '../../parsers/check-request';
import { requestApproval } from '../approval/queue-approval-request';
import { handleReopen } from '../reset/handle-reopen';
import { REOPENABLE_STATUSES } from './classify';
import { decideFollowUp, decideNewRequest, type TicketDecision } from './decide-intake';
import { intakeMailVars } from './intake-mail-vars';
import type { MessageContext, PipelineDeps, ProcessResult } from './process-inbound';
import { queueTicketMail } from './queue-ticket-mail';
import { formatTicketRef } from './ticket-ref';
import type { TicketCheck } from './ticket-check';

/** Kinds of automatic answer to a requester that count against the per-sender limit. */
export const RATE_LIMITED_KINDS = ['non-conformity', 'link-still-valid', 'too-large'];

/** Whether the requester may get one more automatic notice now (loop protection). */
export async function noticeAllowed(deps: PipelineDeps, tx: Tx, to: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - deps.config.NOTICE_RATE_WINDOW_MINUTES * 60_000);
  return (await countRecentMailTo(tx, to, RATE_LIMITED_KINDS, since)) < deps.config.NOTICE_RATE_LIMIT;
}

/**
 * A new request. When the same requester already has an open ticket for the same company, the mail
 * joins that ticket instead (one request per company; a new request after an expired link reopens it).
 */
export async function openTicket(ctx: MessageContext): Promise<ProcessResult> {
  const { deps, tx, row, mail, now } = ctx;
  const requester = mail.from!.address;
  const check = checkRequest(mail);
  if (check.siret) {
    const [open] = await tx.select().from(tickets)
      .where(and(eq(tickets.requesterEmail, requester), eq(tickets.siret, check.siret),
        inArray(tickets.status, ['non_conforming', 'awaiting_approval', ...REOPENABLE_STATUSES])))
      .orderBy(desc(tickets.id)).limit(1);
    if (open) {
      await insertEvents(tx, [{ ticketId: open.id, at: now, kind: 'duplicate_request', actor: requester, detail: { inboundMessageId: row.id } }]);
      return continueTicket({ ...ctx, outcome: 'follow-up:duplicate' }, open);
    }
  }
  // The notice limit matters only for a notice: a conforming request skips the count.
  const allowed = check.problems.length === 0 || (await noticeAllowed(deps, tx, requester, now));
  const decision = decideNewRequest({ mail, check, inboundMessageId: row.id, noticeAllowed: allowed });
  const id = await nextTicketId(tx);
  const ticket = await insertTicket(tx, {
    id,
    ref: formatTicketRef(id, now, deps.config.TIMEZONE),
    status: decision.status,
    requesterEmail: requester,
    requesterName: mail.from!.name,
    subject: mail.subject.slice(0, 500),
    siret: decision.check.siret,
    liquidatorEmail: decision.check.liquidatorEmail,
    check: decision.check,
    rootMessageId: mail.messageId,
    createdAt: now,
    updatedAt: now,
  });
  const queued = await applyIntakeDecision(ctx, ticket, null, decision);
  await markInboundProcessed(tx, row.id, { outcome: ctx.outcome, ticketId: ticket.id, messageId: mail.messageId, now });
  return { outcome: `${ctx.outcome}:${decision.status}`, ticketRef: ticket.ref, mailsQueued: queued };
}

/** A requester's (or liquidator's) mail on an existing ticket: a fix, a reopening, or a note for the history. */
export async function continueTicket(ctx: MessageContext, found: Ticket): Promise<ProcessResult> {
  const { deps, tx, row, mail, now } = ctx;
  const ticket = (await lockTicket(tx, found.id))!;
  if (REOPENABLE_STATUSES.includes(ticket.status)) {
    const queued = await handleReopen(ctx, ticket);
    await markInboundProcessed(tx, row.id, { outcome: ctx.outcome, ticketId: ticket.id, messageId: mail.messageId, now });
    const [after] = await tx.select({ status: tickets.status }).from(tickets).where(eq(tickets.id, ticket.id));
    return { outcome: `${ctx.outcome}:${after!.status}`, ticketRef: ticket.ref, mailsQueued: queued };
  }
  const decision = decideFollowUp({
    ticket: { status: ticket.status, check: ticket.check as TicketCheck, requesterEmail: ticket.requesterEmail },
    mail, check: checkRequest(mail), inboundMessageId: row.id,
    noticeAllowed: await noticeAllowed(deps, tx, ticket.requesterEmail, now),
  });
  await updateTicket(tx, ticket.id, {
    status: decision.status, check: decision.check, siret: decision.check.siret, liquidatorEmail: decision.check.liquidatorEmail, updatedAt: now,
  });
  const updated: Ticket = { ...ticket, status: decision.status, check: decision.check, siret: decision.check.siret, liquidatorEmail: decision.check.liquidatorEmail };
  const queued = await applyIntakeDecision(ctx, updated, ticket.status, decision);
  await markInboundProcessed(tx, row.id, { outcome: ctx.outcome, ticketId: ticket.id, messageId: mail.messageId, now });
  return { outcome: `${ctx.outcome}:${decision.status}`, ticketRef: ticket.ref, mailsQueued: queued };
}

/** Write the decision's history and mails; a ticket that now conforms goes to the agents. */
async function applyIntakeDecision(ctx: MessageContext, ticket: Ticket, from: Ticket['status'] | null, decision: TicketDecision): Promise<number> {
  const { deps, tx, mail, now, row } = ctx;
  // The whole history of this step, in its order, written with one statement at the end.
  const events: NewTicketEvent[] = decision.events.map((e) => ({
    ticketId: ticket.id, at: now, kind: e.kind, actor: e.actor, fromStatus: e.fromStatus ?? null, toStatus: e.toStatus ?? null, detail: e.detail,
  }));
  let queued = 0;
  for (const draft of decision.mails) {
    const sent = await queueTicketMail(deps, tx, ticket, {
      template: draft.template, vars: intakeMailVars(draft, ticket, mail) as never, to: draft.to, purpose: draft.purpose,
      parent: draft.inReplyToInbound ? mail : null, autoSubmitted: draft.inReplyToInbound ? 'auto-replied' : 'auto-generated',
    }, now, events);
    if (sent) queued += 1;
  }
  if (decision.status === 'awaiting_approval' && from !== 'awaiting_approval') {
    if (await requestApproval(deps, tx, ticket, now, `approval-request:${row.id}`, ctx.contents, events)) queued += 1;
  }
  await insertEvents(tx, events);
  return queued;
}
