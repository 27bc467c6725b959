import type { AgentReply } from '../../parsers/agent-reply';
import type { Ticket } from '../db/schema';

/** What an authorised, bound agent reply does to its ticket. */
export type AgentReplyOutcome =
  | { kind: 'approve' }
  | { kind: 'refuse'; reason: string }
  | { kind: 'already-decided'; decision: 'approved' | 'refused'; decidedBy: string; decidedAt: Date }
  | { kind: 'not-awaiting'; status: Ticket['status'] }
  | { kind: 'reply-error'; error: Extract<AgentReply, { kind: 'invalid' }>['error']; firstLine: string | null };

/**
 * The first decision wins: a ticket that no longer awaits a decision is never changed by a reply,
 * and the agent is told who decided and when. A reply that is not understood changes nothing.
 */
export function decideAgentReply(
  ticket: Pick<Ticket, 'status' | 'decision' | 'decidedBy' | 'decidedAt'>,
  reply: AgentReply,
): AgentReplyOutcome {
  if (ticket.status !== 'awaiting_approval') {
    if (ticket.decision && ticket.decidedBy && ticket.decidedAt) {
      return { kind: 'already-decided', decision: ticket.decision, decidedBy: ticket.decidedBy, decidedAt: ticket.decidedAt };
    }
    return { kind: 'not-awaiting', status: ticket.status };
  }
  if (reply.kind === 'invalid') return { kind: 'reply-error', error: reply.error, firstLine: reply.firstLine };
  return reply;
}

/** Why an attempt to decide was not counted; kept in the ticket's history. */
export type DecisionRefusal =
  | 'SENDER_NOT_ALLOWED'
  | 'REQUESTER_CANNOT_DECIDE'
  | 'NOT_BOUND'
  | 'BINDING_CONFLICT'
  | 'DKIM_FAILED';

/**
 * Whether a reply may decide: an allow-listed agent, never the requester or the liquidator,
 * bound to exactly this ticket's approval request, and DKIM-verified when required.
 */
export function authorizeAgentReply(input: {
  sender: string;
  ticket: Pick<Ticket, 'requesterEmail' | 'liquidatorEmail'>;
  senderAllowed: boolean;
  /** Tickets the reply is bound to (thread on an approval request, or an approval token), and named in its subject. */
  boundTicketIds: number[];
  ticketId: number;
  dkim: 'pass' | 'fail' | 'none' | 'not-checked';
  requireDkim: boolean;
}): { ok: true } | { ok: false; reason: DecisionRefusal } {
  if (input.sender === input.ticket.requesterEmail || input.sender === input.ticket.liquidatorEmail) {
    return { ok: false, reason: 'REQUESTER_CANNOT_DECIDE' };
  }
  if (!input.senderAllowed) return { ok: false, reason: 'SENDER_NOT_ALLOWED' };
  const bound = [...new Set(input.boundTicketIds)];
  if (bound.length === 0) return { ok: false, reason: 'NOT_BOUND' };
  if (bound.length > 1 || bound[0] !== input.ticketId) return { ok: false, reason: 'BINDING_CONFLICT' };
  if (input.requireDkim && input.dkim !== 'pass') return { ok: false, reason: 'DKIM_FAILED' };
  return { ok: true };
}
