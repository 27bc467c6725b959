import type { AgentReply } from '../../parsers/agent-reply';
import type { InboundMail } from '../../parsers/inbound-mail';
import { sameMailbox, type MailboxOptions } from '../../parsers/mailbox';
import type { Ticket } from '../db/schema';
import { noteOnly, statusEvents, type TicketDecision } from './decision';
import { personHandled } from './decide-handoff';
import { DECIDABLE_STATUSES, transition } from './ticket-transitions';

/** What an authorised, bound agent reply (or a terminal command) does to its ticket. */
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
  if (!DECIDABLE_STATUSES.includes(ticket.status)) {
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

export type DkimVerdict = 'pass' | 'fail' | 'none' | 'not-checked';

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
  dkim: DkimVerdict;
  requireDkim: boolean;
  /** How addresses are compared (SUBADDRESS_SEPARATORS); `+` alone when absent. */
  mailbox?: MailboxOptions;
}): { ok: true } | { ok: false; reason: DecisionRefusal } {
  // As mailboxes (parsers/mailbox.ts): `sophie+x@…`, `"sophie"@…` or `sophie@….` is still sophie.
  const same = (address: string | null) => sameMailbox(input.sender, address, input.mailbox);
  if (same(input.ticket.requesterEmail) || same(input.ticket.liquidatorEmail)) {
    return { ok: false, reason: 'REQUESTER_CANNOT_DECIDE' };
  }
  if (!input.senderAllowed) return { ok: false, reason: 'SENDER_NOT_ALLOWED' };
  const bound = [...new Set(input.boundTicketIds)];
  if (bound.length === 0) return { ok: false, reason: 'NOT_BOUND' };
  if (bound.length > 1 || bound[0] !== input.ticketId) return { ok: false, reason: 'BINDING_CONFLICT' };
  if (input.requireDkim && input.dkim !== 'pass') return { ok: false, reason: 'DKIM_FAILED' };
  return { ok: true };
}

/** Who decided: an agent by mail, or an operator at the terminal (`terminal:alice`). */
export interface DecisionActor {
  email: string;
  name: string | null;
  via: 'mail' | 'terminal';
  inboundMessageId?: number;
}

/**
 * A decider as templates show them: an agent by their address; an operator at the terminal
 * ('terminal:alice') by name, with the agents' shared address.
 */
export function contactOfDecider(decider: string, name: string | null, agentsAddress: string): { email: string; name: string | null } {
  if (decider.startsWith('terminal:')) return { email: agentsAddress, name: `${name ?? decider.slice('terminal:'.length)} (terminal)` };
  return { email: decider, name };
}

export type DecidedTicket = Pick<
  Ticket,
  'status' | 'ref' | 'requesterEmail' | 'requesterName' | 'siret' | 'liquidatorEmail' | 'approvalMessageId' | 'rootMessageId' | 'needsPersonSince'
>;

const requesterOf = (t: Pick<Ticket, 'requesterEmail' | 'requesterName'>) => ({ email: t.requesterEmail, name: t.requesterName || null });
const rootOf = (t: Pick<Ticket, 'rootMessageId'>) => (t.rootMessageId ? { messageId: t.rootMessageId, references: [] } : null);

/**
 * Approve: the reset link to the liquidator's address from the approved request, the resolved
 * notice to the requester, a confirmation to the agents; then the company's next waiting request.
 */
export function decideApproval(ticket: DecidedTicket, actor: DecisionActor, agentsAddress: string, now: Date): TicketDecision {
  const t = transition(ticket.status, 'approve');
  const handled = personHandled(ticket, actor.email, actor.via);
  return {
    transition: t,
    patch: { decision: 'approved', decidedBy: actor.email, decidedAt: now, ...handled.patch },
    events: [
      { kind: 'decision', actor: actor.email, detail: { decision: 'approved', via: actor.via, inboundMessageId: actor.inboundMessageId ?? null } },
      ...statusEvents(t, actor.email),
      ...handled.events,
    ],
    actions: [
      { kind: 'issue-link', round: 'approval' },
      {
        kind: 'queue-mail',
        mail: {
          template: 'approval-confirmation', to: agentsAddress, purpose: 'approval-confirmation', autoSubmitted: 'auto-generated',
          parent: ticket.approvalMessageId ? { messageId: ticket.approvalMessageId, references: [] } : null,
          vars: {
            ticketRef: ticket.ref, requester: requesterOf(ticket), siret: ticket.siret!, liquidatorEmail: ticket.liquidatorEmail!,
            approvedBy: contactOfDecider(actor.email, actor.name, agentsAddress), approvedAt: now,
          },
        },
      },
      { kind: 'release-waiting-approval' },
    ],
  };
}

/** Refuse: the requester gets the agents' reason; the ticket is closed; the company's next waiting request goes on. */
export function decideRefusal(ticket: DecidedTicket, actor: DecisionActor, reason: string, now: Date): TicketDecision {
  const t = transition(ticket.status, 'refuse');
  const handled = personHandled(ticket, actor.email, actor.via);
  return {
    transition: t,
    patch: { decision: 'refused', decidedBy: actor.email, decidedAt: now, refusalReason: reason, ...handled.patch },
    events: [
      { kind: 'decision', actor: actor.email, detail: { decision: 'refused', reason, via: actor.via, inboundMessageId: actor.inboundMessageId ?? null } },
      ...statusEvents(t, actor.email),
      ...handled.events,
    ],
    actions: [
      {
        kind: 'queue-mail',
        mail: {
          template: 'refusal', to: ticket.requesterEmail, purpose: 'refusal', parent: rootOf(ticket), autoSubmitted: 'auto-replied',
          vars: { ticketRef: ticket.ref, requester: requesterOf(ticket), siret: ticket.siret, reason, refusedAt: now },
        },
      },
      { kind: 'release-waiting-approval' },
    ],
  };
}

/** Refusals worth explaining to the sender: an allow-listed agent who replied the wrong way. */
const EXPLAINED: DecisionRefusal[] = ['NOT_BOUND', 'BINDING_CONFLICT'];

type ReplyErrorCode = 'NOT_UNDERSTOOD' | 'BOTH' | 'NEITHER' | 'REFUSAL_WITHOUT_REASON' | 'NOT_BOUND';

/** The facts of an agent's mail about a ticket, gathered before the decision. */
export interface AgentMailInput {
  ticket: DecidedTicket & Pick<Ticket, 'decision' | 'decidedBy' | 'decidedAt'>;
  mail: Pick<InboundMail, 'messageId' | 'references'> & { from: { address: string; name: string } };
  inboundMessageId: number;
  senderIsAgent: boolean;
  agentsAddress: string;
  now: Date;
}

/** An agent's mail decision and the label stored on the inbound message. */
export interface AgentMailDecision {
  decision: TicketDecision;
  label: string;
}

/**
 * A reply bound to an approval request: it decides only when authorised; every refused attempt is
 * kept in the ticket's history, and an allow-listed agent who replied the wrong way is told how.
 */
export function decideAgentMail(
  input: AgentMailInput & { auth: ReturnType<typeof authorizeAgentReply>; reply: AgentReply; dkim: DkimVerdict },
): AgentMailDecision {
  const { ticket, mail, auth } = input;
  const sender = mail.from.address;
  if (!auth.ok) {
    const explain = EXPLAINED.includes(auth.reason) && input.senderIsAgent;
    return {
      label: `agent-reply:rejected:${auth.reason}`,
      decision: noteOnly(
        [{ kind: 'decision_rejected', actor: sender, detail: { reason: auth.reason, inboundMessageId: input.inboundMessageId, dkim: input.dkim } }],
        explain ? [replyErrorMail(input, 'NOT_BOUND', null)] : [],
      ),
    };
  }
  const outcome = decideAgentReply(ticket, input.reply);
  const actor: DecisionActor = { email: sender, name: mail.from.name || null, via: 'mail', inboundMessageId: input.inboundMessageId };
  const label = `agent-reply:${outcome.kind}`;
  switch (outcome.kind) {
    case 'approve':
      return { label, decision: decideApproval(ticket, actor, input.agentsAddress, input.now) };
    case 'refuse':
      return { label, decision: decideRefusal(ticket, actor, outcome.reason, input.now) };
    case 'already-decided':
      return {
        label,
        decision: noteOnly(
          [{ kind: 'decision_rejected', actor: sender, detail: { reason: 'ALREADY_DECIDED', inboundMessageId: input.inboundMessageId } }],
          [{
            kind: 'queue-mail',
            mail: {
              template: 'already-decided', to: sender, purpose: `already-decided:${input.inboundMessageId}`, parent: mail, autoSubmitted: 'auto-replied',
              vars: {
                ticketRef: ticket.ref, requester: requesterOf(ticket), agent: { email: sender, name: actor.name },
                decision: outcome.decision === 'approved' ? 'APPROVED' : 'REFUSED',
                decidedBy: contactOfDecider(outcome.decidedBy, null, input.agentsAddress), decidedAt: outcome.decidedAt,
              },
            },
          }],
        ),
      };
    case 'not-awaiting':
      return {
        label,
        decision: noteOnly([{ kind: 'decision_rejected', actor: sender, detail: { reason: 'NOT_AWAITING', status: outcome.status, inboundMessageId: input.inboundMessageId } }]),
      };
    case 'reply-error':
      return {
        label,
        decision: noteOnly(
          [{ kind: 'decision_rejected', actor: sender, detail: { reason: outcome.error, inboundMessageId: input.inboundMessageId } }],
          [replyErrorMail(input, outcome.error, outcome.firstLine)],
        ),
      };
  }
}

/** An allow-listed agent wrote about a ticket without replying to its approval request: nothing changes, they are told how. */
export function decideAgentUnbound(input: AgentMailInput): TicketDecision {
  const sender = input.mail.from.address;
  return noteOnly(
    [{ kind: 'decision_rejected', actor: sender, detail: { reason: 'NOT_BOUND', inboundMessageId: input.inboundMessageId } }],
    DECIDABLE_STATUSES.includes(input.ticket.status) ? [replyErrorMail(input, 'NOT_BOUND', null)] : [],
  );
}

function replyErrorMail(input: AgentMailInput, error: ReplyErrorCode, firstLine: string | null): TicketDecision['actions'][number] {
  const { ticket, mail } = input;
  return {
    kind: 'queue-mail',
    mail: {
      template: 'agent-reply-error', to: mail.from.address, purpose: `agent-reply-error:${input.inboundMessageId}`, parent: mail, autoSubmitted: 'auto-replied',
      vars: { ticketRef: ticket.ref, requester: requesterOf(ticket), agent: { email: mail.from.address, name: mail.from.name || null }, error, firstLine },
    },
  };
}

