import type { Ticket } from '../db/schema';
import { markInboundProcessed } from '../db/inbound-queries';
import { insertEvents, lockTicket } from '../db/ticket-queries';
import { parseAgentReply } from '../../parsers/agent-reply';
import type { MessageContext, ProcessResult } from '../tickets/process-inbound';
import { queueTicketMail, requesterOf } from '../tickets/queue-ticket-mail';
import { applyApproval, applyRefusal, contactOfDecider, type DecisionDeps } from './apply-decision';
import { authorizeAgentReply, decideAgentReply, type DecisionRefusal } from './decide-agent-reply';

/** Refusals worth explaining to the sender: an allow-listed agent who replied the wrong way. */
const EXPLAINED: DecisionRefusal[] = ['NOT_BOUND', 'BINDING_CONFLICT'];

/**
 * A reply bound to an approval request. It decides only when authorised; every refused attempt is
 * kept in the ticket's history. The first decision wins (the ticket row is locked).
 */
export async function handleAgentReply(
  ctx: MessageContext, found: Ticket, boundTicketIds: number[], dkim: 'pass' | 'fail' | 'none' | 'not-checked',
): Promise<ProcessResult> {
  const { tx, row, mail, now } = ctx;
  const deps = ctx.deps as DecisionDeps;
  const sender = mail.from!.address;
  const ticket = (await lockTicket(tx, found.id))!;
  const auth = authorizeAgentReply({
    sender, ticket, senderAllowed: deps.isAgent(sender), boundTicketIds, ticketId: ticket.id, dkim, requireDkim: deps.config.REQUIRE_DKIM,
  });
  let queued = 0;
  let outcome: string;
  if (!auth.ok) {
    outcome = `agent-reply:rejected:${auth.reason}`;
    await insertEvents(tx, [{ ticketId: ticket.id, at: now, kind: 'decision_rejected', actor: sender, detail: { reason: auth.reason, inboundMessageId: row.id, dkim } }]);
    if (EXPLAINED.includes(auth.reason) && deps.isAgent(sender)) queued += await explain(ctx, ticket, 'NOT_BOUND', null);
    deps.log.warn({ ticketRef: ticket.ref, reason: auth.reason }, 'decision attempt rejected');
  } else {
    const decision = decideAgentReply(ticket, parseAgentReply(mail));
    const actor = { email: sender, name: mail.from!.name || null, via: 'mail' as const, inboundMessageId: row.id };
    outcome = `agent-reply:${decision.kind}`;
    switch (decision.kind) {
      case 'approve':
        await applyApproval(deps, tx, ticket, actor, now);
        queued += 3;
        break;
      case 'refuse':
        await applyRefusal(deps, tx, ticket, actor, decision.reason, now);
        queued += 1;
        break;
      case 'already-decided':
        await insertEvents(tx, [{ ticketId: ticket.id, at: now, kind: 'decision_rejected', actor: sender, detail: { reason: 'ALREADY_DECIDED', inboundMessageId: row.id } }]);
        queued += (await queueTicketMail(deps, tx, ticket, {
          template: 'already-decided',
          vars: {
            ticketRef: ticket.ref, requester: requesterOf(ticket), agent: { email: sender, name: actor.name },
            decision: decision.decision === 'approved' ? 'APPROVED' : 'REFUSED', decidedBy: contactOfDecider(decision.decidedBy, null, deps.config.AGENTS_ADDRESS), decidedAt: decision.decidedAt,
          },
          to: sender, purpose: `already-decided:${row.id}`, parent: mail, autoSubmitted: 'auto-replied',
        }, now)) ? 1 : 0;
        break;
      case 'not-awaiting':
        await insertEvents(tx, [{ ticketId: ticket.id, at: now, kind: 'decision_rejected', actor: sender, detail: { reason: 'NOT_AWAITING', status: decision.status, inboundMessageId: row.id } }]);
        break;
      case 'reply-error':
        await insertEvents(tx, [{ ticketId: ticket.id, at: now, kind: 'decision_rejected', actor: sender, detail: { reason: decision.error, inboundMessageId: row.id } }]);
        queued += await explain(ctx, ticket, decision.error, decision.firstLine);
        break;
    }
  }
  await markInboundProcessed(tx, row.id, { outcome, ticketId: ticket.id, messageId: mail.messageId, now });
  return { outcome, ticketRef: ticket.ref, mailsQueued: queued };
}

/** An agent wrote about a ticket without replying to its approval request: nothing changes, they are told how. */
export async function handleAgentUnbound(ctx: MessageContext, ticket: Ticket): Promise<ProcessResult> {
  const { tx, row, mail, now } = ctx;
  const sender = mail.from!.address;
  await insertEvents(tx, [{ ticketId: ticket.id, at: now, kind: 'decision_rejected', actor: sender, detail: { reason: 'NOT_BOUND', inboundMessageId: row.id } }]);
  const queued = ticket.status === 'awaiting_approval' ? await explain(ctx, ticket, 'NOT_BOUND', null) : 0;
  await markInboundProcessed(tx, row.id, { outcome: 'agent-unbound', ticketId: ticket.id, messageId: mail.messageId, now });
  return { outcome: 'agent-unbound', ticketRef: ticket.ref, mailsQueued: queued };
}

async function explain(
  ctx: MessageContext, ticket: Ticket, error: 'NOT_UNDERSTOOD' | 'BOTH' | 'NEITHER' | 'REFUSAL_WITHOUT_REASON' | 'NOT_BOUND', firstLine: string | null,
): Promise<number> {
  const { mail, now, row } = ctx;
  const sent = await queueTicketMail(ctx.deps, ctx.tx, ticket, {
    template: 'agent-reply-error',
    vars: { ticketRef: ticket.ref, requester: requesterOf(ticket), agent: { email: mail.from!.address, name: mail.from!.name || null }, error, firstLine },
    to: mail.from!.address, purpose: `agent-reply-error:${row.id}`, parent: mail, autoSubmitted: 'auto-replied',
  }, now);
  return sent ? 1 : 0;
}
