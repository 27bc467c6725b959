import { newTextOf } from '../../parsers/check-request';
import type { InboundMail } from '../../parsers/inbound-mail';
import type { Ticket } from '../db/schema';
import type { HandoffReason } from '../templates/schemas';
import { SYSTEM_ACTOR, type DecisionAction, type EventDraft, type TicketDecision } from './decision';
import { STATUS_LABELS } from './status-labels';

/** A message liquibot does not act on, as the hand-off needs it. */
export interface HandOffInput {
  ticket: Pick<Ticket, 'ref' | 'status' | 'requesterEmail' | 'requesterName' | 'siret' | 'liquidatorEmail' | 'needsPersonSince'>;
  mail: Pick<InboundMail, 'messageId' | 'references' | 'subject' | 'date' | 'text' | 'html'> & { from: { address: string; name: string } };
  inboundMessageId: number;
  /** Whether the message answers a mail liquibot sent on the ticket. */
  bound: boolean;
  reason: HandoffReason;
  agentsAddress: string;
  /** False when the sender already got NOTICE_RATE_LIMIT automatic answers within the window. */
  noticeAllowed: boolean;
  now: Date;
}

/**
 * Nobody is left without an answer: a message liquibot does not act on goes to the agents with the
 * request's context, the request is marked as needing a person (until an agent decides or marks it
 * handled), and the sender is told that a person will answer. Changes no fact of the request.
 */
export function decideHandOff(input: HandOffInput): TicketDecision {
  const { ticket, mail, now } = input;
  const sender = mail.from.address;
  const receivedAt = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : now;
  const events: EventDraft[] = [
    { kind: 'handed_to_agents', actor: SYSTEM_ACTOR, detail: { reason: input.reason, inboundMessageId: input.inboundMessageId, bound: input.bound } },
  ];
  const requester = { email: ticket.requesterEmail, name: ticket.requesterName || null };
  const actions: DecisionAction[] = [{
    kind: 'queue-mail',
    mail: {
      template: 'handoff', to: input.agentsAddress, purpose: `handoff:${input.inboundMessageId}`, parent: null, autoSubmitted: 'auto-generated',
      // The agents answer the sender directly from their inbox.
      replyTo: sender,
      vars: {
        ticketRef: ticket.ref, requester, status: STATUS_LABELS[ticket.status], siret: ticket.siret, liquidatorEmail: ticket.liquidatorEmail,
        reason: input.reason,
        message: { from: { email: sender, name: mail.from.name || null }, subject: mail.subject, receivedAt, text: newTextOf(mail), bound: input.bound },
      },
    },
  }];
  if (input.noticeAllowed) {
    actions.push({
      kind: 'queue-mail',
      mail: {
        template: 'handoff-notice', to: sender, purpose: `handoff-notice:${input.inboundMessageId}`, parent: mail, autoSubmitted: 'auto-replied',
        vars: { ticketRef: ticket.ref, requester: { email: sender, name: mail.from.name || null }, subject: mail.subject, receivedAt },
      },
    });
  } else {
    events.push({ kind: 'notice_suppressed', actor: SYSTEM_ACTOR, detail: { reason: 'rate-limit', mail: 'handoff-notice' } });
  }
  return { transition: null, patch: ticket.needsPersonSince ? {} : { needsPersonSince: now }, events, actions };
}

/** An agent's decision ends the wait for a person: the patch and the history line, when one waited. */
export function personHandled(ticket: Pick<Ticket, 'needsPersonSince'>, actor: string, via: string): { patch: { needsPersonSince: null }; events: EventDraft[] } {
  if (!ticket.needsPersonSince) return { patch: { needsPersonSince: null }, events: [] };
  return {
    patch: { needsPersonSince: null },
    events: [{ kind: 'person_handled', actor, detail: { via, since: ticket.needsPersonSince.toISOString() } }],
  };
}

/** `liquibot tickets handled REF` (or the console's « Marquer traité »): the person answered; null when nobody was awaited. */
export function decidePersonHandled(ticket: Pick<Ticket, 'needsPersonSince'>, actor: string, via: 'terminal' | 'console' = 'terminal'): TicketDecision | null {
  if (!ticket.needsPersonSince) return null;
  const handled = personHandled(ticket, actor, via);
  return { transition: null, patch: handled.patch, events: handled.events, actions: [] };
}
