import type { InboundMail, MailAddress } from '../../parsers/inbound-mail';
import type { RequestCheck } from '../../parsers/check-request';
import type { Ticket } from '../db/schema';
import { SYSTEM_ACTOR, statusEvents, type DecisionAction, type EventDraft, type NewTicketDecision, type TicketDecision } from './decision';
import { initialTicketCheck, mergeTicketCheck, withDocumentScans, type DocumentScans, type TicketCheck } from './ticket-check';
import { decideHandOff, type HandOffInput } from './decide-handoff';
import { CORRECTABLE_STATUSES, DECIDABLE_STATUSES, transition, type TicketState } from './ticket-transitions';

/** The facts of one request mail, gathered before the transaction. */
export interface IntakeInput {
  mail: InboundMail;
  check: RequestCheck;
  inboundMessageId: number;
  /** False when the requester already got NOTICE_RATE_LIMIT notices within the window. */
  noticeAllowed: boolean;
  /** What the court documents say about the company's SIREN, read outside the transaction. */
  scans: DocumentScans;
}

/** The ticket as the intake decisions need it. */
export type IntakeTicket = Pick<Ticket, 'ref' | 'status' | 'check' | 'requesterEmail' | 'requesterName' | 'createdAt' | 'siret' | 'liquidatorEmail' | 'needsPersonSince'>;

/**
 * A new request (its reference already reserved): conforming → awaits approval, with an
 * acknowledgment, and goes to the agents; otherwise non-conforming, with a notice saying what is wrong.
 */
export function decideNewRequest(
  input: IntakeInput & { ref: string; now: Date; requester?: MailAddress; forwardedBy?: MailAddress | null },
): NewTicketDecision {
  const { mail } = input;
  // Who is answered: the sender, or the original sender of a request an agent forwarded.
  const requester = input.requester?.address ?? mail.from!.address;
  const requesterName = input.requester ? input.requester.name : mail.from!.name;
  const check = withDocumentScans(initialTicketCheck(input.check, input.inboundMessageId), input.scans);
  const ticket: IntakeTicket = {
    ref: input.ref, status: 'non_conforming', check, requesterEmail: requester, requesterName, createdAt: input.now,
    siret: check.siret, liquidatorEmail: check.liquidatorEmail, needsPersonSince: null,
  };
  const received: EventDraft = {
    kind: 'request_received',
    actor: input.forwardedBy?.address ?? requester,
    detail: {
      inboundMessageId: input.inboundMessageId, messageId: mail.messageId,
      ...(input.forwardedBy ? { forwardedBy: input.forwardedBy.address, onBehalfOf: requester } : {}),
    },
  };
  const decision = conclude('new', ticket, check, input, [received]);
  return {
    ...decision,
    create: {
      requesterEmail: requester,
      requesterName,
      subject: mail.subject.slice(0, 500),
      siret: check.siret,
      liquidatorEmail: check.liquidatorEmail,
      check,
      rootMessageId: mail.messageId,
      createdAt: input.now,
      updatedAt: input.now,
    },
  };
}

/**
 * A requester's answer to a mail liquibot sent on their ticket. A non-conforming ticket is checked again
 * with the new facts merged in; on any other state (a question while the agents decide, a message after
 * a refusal) the message is kept in the history and handed to a person.
 */
export function decideFollowUp(input: IntakeInput & { ticket: IntakeTicket; agentsAddress: string; now: Date }): TicketDecision {
  const { ticket } = input;
  const base: EventDraft = {
    kind: 'follow_up_received', actor: ticket.requesterEmail, detail: { inboundMessageId: input.inboundMessageId, messageId: input.mail.messageId },
  };
  if (!CORRECTABLE_STATUSES.includes(ticket.status)) {
    const handOff = decideHandOff({
      ticket, mail: { ...input.mail, from: input.mail.from! }, inboundMessageId: input.inboundMessageId, bound: true,
      reason: DECIDABLE_STATUSES.includes(ticket.status) ? 'QUESTION_WHILE_AWAITING' : 'AFTER_DECISION',
      agentsAddress: input.agentsAddress, noticeAllowed: input.noticeAllowed, now: input.now,
    });
    return { ...handOff, events: [{ ...base, kind: 'requester_message' }, ...handOff.events] };
  }
  const merged = mergeTicketCheck(ticket.check, input.check, input.inboundMessageId, sourceOf(input.mail));
  return conclude(ticket.status, ticket, withDocumentScans(merged, input.scans), input, [base]);
}

/** Who sent a mail and when, as the agents are shown a change of facts. */
function sourceOf(mail: InboundMail): { sender: string | null; at: string | null } {
  return { sender: mail.from?.address ?? null, at: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null };
}

function conclude(from: TicketState, ticket: IntakeTicket, check: TicketCheck, input: IntakeInput, events: EventDraft[]): TicketDecision {
  const conforming = check.problems.length === 0;
  const t = transition(from, conforming ? 'found_conforming' : 'found_non_conforming');
  events.push({
    kind: 'checked',
    actor: SYSTEM_ACTOR,
    detail: { verdict: conforming ? 'conforme' : 'non_conforme', problems: check.problems.map((p) => p.code), documents: check.documents.length },
  });
  events.push(...statusEvents(t, SYSTEM_ACTOR));

  const requester = { email: ticket.requesterEmail, name: ticket.requesterName || null };
  const receivedAt = input.mail.date && !Number.isNaN(input.mail.date.getTime()) ? input.mail.date : ticket.createdAt;
  const actions: DecisionAction[] = [];
  if (conforming) {
    actions.push({
      kind: 'queue-mail',
      mail: {
        template: 'acknowledgment', to: ticket.requesterEmail, purpose: 'acknowledgment', parent: input.mail, autoSubmitted: 'auto-replied',
        vars: { ticketRef: ticket.ref, requester, receivedAt, siret: check.siret!, liquidatorEmail: check.liquidatorEmail! },
      },
    });
    // A fix that makes a non-conforming request whole sends it to the agents, as a first conforming mail does.
    actions.push({ kind: 'request-approval', purpose: `approval-request:${input.inboundMessageId}` });
  } else if (input.noticeAllowed) {
    actions.push({
      kind: 'queue-mail',
      mail: {
        template: 'non-conformity', to: ticket.requesterEmail, purpose: `non-conformity:${input.inboundMessageId}`, parent: input.mail,
        autoSubmitted: 'auto-replied',
        vars: { ticketRef: ticket.ref, requester, receivedAt, problems: check.problems.map((p) => ({ code: p.code, found: p.found ?? null, hint: p.hint ?? null, digits: p.digits ?? null })) },
      },
    });
  } else {
    events.push({ kind: 'notice_suppressed', actor: SYSTEM_ACTOR, detail: { reason: 'rate-limit' } });
  }
  return {
    transition: t,
    patch: { check, siret: check.siret, liquidatorEmail: check.liquidatorEmail },
    events,
    actions,
  };
}

/**
 * A mail about a ticket that does not answer a mail liquibot sent on it (a [REF] in a subject, a reply
 * to the requester's own mail, a forged From), or the same requester's new request while the agents
 * decide: kept in the history and handed to a person; it changes no fact.
 */
export function decideUnboundMessage(input: Omit<HandOffInput, 'bound' | 'reason'> & { duplicate: boolean }): TicketDecision {
  const handOff = decideHandOff({ ...input, bound: false, reason: input.duplicate ? 'DUPLICATE' : 'UNBOUND' });
  const sender = input.mail.from.address;
  return {
    ...handOff,
    events: [
      ...(input.duplicate ? [{ kind: 'duplicate_request' as const, actor: sender, detail: { inboundMessageId: input.inboundMessageId } }] : []),
      { kind: 'requester_message', actor: sender, detail: { inboundMessageId: input.inboundMessageId, messageId: input.mail.messageId, bound: false } },
      ...handOff.events,
    ],
  };
}
