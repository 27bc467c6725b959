import { MIN_REASON_CHARACTERS, MIN_REASON_WORDS, type AgentReply } from '../../parsers/agent-reply';
import type { InboundMail } from '../../parsers/inbound-mail';
import { sameMailbox, type MailboxOptions } from '../../parsers/mailbox';
import type { Ticket } from '../db/schema';
import { noteOnly, statusEvents, type DecisionAction, type TicketDecision } from './decision';
import { personHandled } from './decide-handoff';
import { DECIDABLE_STATUSES, transition } from './ticket-transitions';

/** What an authorised, bound agent reply (or a terminal command) does to its ticket. */
export type AgentReplyOutcome =
  | { kind: 'approve' }
  | { kind: 'refuse'; reason: string }
  | { kind: 'already-decided'; decision: 'approved' | 'refused'; decidedBy: string; decidedAt: Date }
  | { kind: 'not-awaiting'; status: Ticket['status'] }
  | { kind: 'reply-error'; error: Extract<AgentReply, { kind: 'invalid' }>['error']; read: string[] };

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
  if (reply.kind === 'invalid') return { kind: 'reply-error', error: reply.error, read: reply.read };
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

/** Who decided: an agent by mail, an operator at the terminal (`terminal:alice`), or a user of the console. */
export interface DecisionActor {
  email: string;
  name: string | null;
  via: 'mail' | 'terminal' | 'console';
  inboundMessageId?: number;
}

/**
 * A decider as templates show them: an agent by their address; an operator at the terminal
 * ('terminal:alice') by name, with the agents' shared address.
 */
export function contactOfDecider(decider: string, name: string | null, agentsAddress: string): { email: string; name: string | null } {
  if (decider.startsWith('terminal:')) return { email: agentsAddress, name: `${name ?? decider.slice('terminal:'.length)} (terminal)` };
  if (decider.startsWith('console:')) return { email: decider.slice('console:'.length), name };
  return { email: decider, name };
}

export type DecidedTicket = Pick<
  Ticket,
  'status' | 'ref' | 'requesterEmail' | 'requesterName' | 'siret' | 'liquidatorEmail' | 'approvalMessageId' | 'rootMessageId' | 'needsPersonSince'
>;

const requesterOf = (t: Pick<Ticket, 'requesterEmail' | 'requesterName'>) => ({ email: t.requesterEmail, name: t.requesterName || null });
const rootOf = (t: Pick<Ticket, 'rootMessageId'>) => (t.rootMessageId ? { messageId: t.rootMessageId, references: [] } : null);
/** The agents' confirmations thread on the approval request they confirm. */
const approvalThreadOf = (t: Pick<Ticket, 'approvalMessageId'>) => (t.approvalMessageId ? { messageId: t.approvalMessageId, references: [] } : null);

/**
 * The `decision` history line. It keeps the decider's name as well as their address (`decidedBy`): the
 * "déjà traitée" answer to a later reply names them from it, as the confirmation did.
 */
function decisionEvent(actor: DecisionActor, detail: Record<string, unknown>) {
  return {
    kind: 'decision' as const, actor: actor.email,
    detail: { ...detail, name: actor.name, via: actor.via, inboundMessageId: actor.inboundMessageId ?? null },
  };
}

/** The decider's name as recorded on the `decision` history line (decisionEvent), or null. */
export function deciderNameOf(detail: Record<string, unknown> | null | undefined): string | null {
  const name = detail?.name;
  return typeof name === 'string' && name.trim() !== '' ? name : null;
}

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
      decisionEvent(actor, { decision: 'approved' }),
      ...statusEvents(t, actor.email),
      ...handled.events,
    ],
    actions: [
      { kind: 'issue-link', round: 'approval' },
      {
        kind: 'queue-mail',
        mail: {
          template: 'approval-confirmation', to: agentsAddress, purpose: 'approval-confirmation', autoSubmitted: 'auto-generated',
          parent: approvalThreadOf(ticket),
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

/**
 * Refuse: the requester gets the agents' reason; the agents get a confirmation naming who refused, on the
 * approval request's thread (as an approval's); the ticket is closed; the company's next waiting request
 * goes on. Without `agentsAddress` (a caller that has not passed it yet) no confirmation is queued.
 */
export function decideRefusal(ticket: DecidedTicket, actor: DecisionActor, reason: string, now: Date, agentsAddress?: string): TicketDecision {
  const t = transition(ticket.status, 'refuse');
  const handled = personHandled(ticket, actor.email, actor.via);
  const confirmation: DecisionAction[] = agentsAddress === undefined ? [] : [{
    kind: 'queue-mail',
    mail: {
      template: 'refusal-confirmation', to: agentsAddress, purpose: 'refusal-confirmation', autoSubmitted: 'auto-generated', parent: approvalThreadOf(ticket),
      vars: {
        ticketRef: ticket.ref, requester: requesterOf(ticket), siret: ticket.siret, liquidatorEmail: ticket.liquidatorEmail, reason,
        refusedBy: contactOfDecider(actor.email, actor.name, agentsAddress), refusedAt: now,
      },
    },
  }];
  return {
    transition: t,
    patch: { decision: 'refused', decidedBy: actor.email, decidedAt: now, refusalReason: reason, ...handled.patch },
    events: [
      decisionEvent(actor, { decision: 'refused', reason }),
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
      ...confirmation,
      { kind: 'release-waiting-approval' },
    ],
  };
}

/** Refusals worth explaining to the sender: an allow-listed agent who replied the wrong way. */
const EXPLAINED: DecisionRefusal[] = ['NOT_BOUND', 'BINDING_CONFLICT'];

type ReplyErrorCode = Extract<AgentReply, { kind: 'invalid' }>['error'] | 'NOT_BOUND';

/** The facts of an agent's mail about a ticket, gathered before the decision. */
export interface AgentMailInput {
  ticket: DecidedTicket & Pick<Ticket, 'decision' | 'decidedBy' | 'decidedAt'>;
  mail: Pick<InboundMail, 'messageId' | 'references'> & { from: { address: string; name: string } };
  inboundMessageId: number;
  senderIsAgent: boolean;
  agentsAddress: string;
  now: Date;
  /** The name recorded with the ticket's decision (deciderNameOf), for "déjà traitée"; null when none was. */
  decidedByName?: string | null;
  /** The VALIDER / REFUSER links of the current approval request when they can be made again (currentApprovalLinks). */
  approvalLinks?: { approveMailto: string; refuseMailto: string } | null;
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
        explain ? [replyErrorMail(input, 'NOT_BOUND', [])] : [],
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
      return { label, decision: decideRefusal(ticket, actor, outcome.reason, input.now, input.agentsAddress) };
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
                decidedBy: contactOfDecider(outcome.decidedBy, input.decidedByName ?? null, input.agentsAddress), decidedAt: outcome.decidedAt,
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
          [replyErrorMail(input, outcome.error, outcome.read)],
        ),
      };
  }
}

/** An allow-listed agent wrote about a ticket without replying to its approval request: nothing changes, they are told how. */
export function decideAgentUnbound(input: AgentMailInput): TicketDecision {
  const sender = input.mail.from.address;
  return noteOnly(
    [{ kind: 'decision_rejected', actor: sender, detail: { reason: 'NOT_BOUND', inboundMessageId: input.inboundMessageId } }],
    DECIDABLE_STATUSES.includes(input.ticket.status) ? [replyErrorMail(input, 'NOT_BOUND', [])] : [],
  );
}

/**
 * The answer to an agent's reply that did not count: what was read, why, and the exact reply to send.
 * A reply that was bound to the approval request (a grammar error) gets the request's own VALIDER /
 * REFUSER links when they can be made again, and the answer threads on the approval request too, so
 * that replying to it is replying to the request. A reply that was not bound (NOT_BOUND) gets neither:
 * the binding proves that the decider has the approval request and its documents in front of them, and
 * this answer must not hand it out.
 */
function replyErrorMail(input: AgentMailInput, error: ReplyErrorCode, read: string[]): DecisionAction {
  const { ticket, mail } = input;
  const bound = error !== 'NOT_BOUND';
  const links = bound ? input.approvalLinks ?? null : null;
  const references = bound && ticket.approvalMessageId && !mail.references.includes(ticket.approvalMessageId)
    ? [ticket.approvalMessageId, ...mail.references]
    : mail.references;
  return {
    kind: 'queue-mail',
    mail: {
      template: 'agent-reply-error', to: mail.from.address, purpose: `agent-reply-error:${input.inboundMessageId}`,
      parent: { messageId: mail.messageId, references }, autoSubmitted: 'auto-replied',
      vars: {
        ticketRef: ticket.ref, requester: requesterOf(ticket), agent: { email: mail.from.address, name: mail.from.name || null }, error, read,
        minReasonWords: MIN_REASON_WORDS, minReasonCharacters: MIN_REASON_CHARACTERS,
        approveMailto: links?.approveMailto ?? null, refuseMailto: links?.refuseMailto ?? null,
      },
    },
  };
}

