import type { InboundMail } from '../../parsers/inbound-mail';
import type { RequestCheck } from '../../parsers/check-request';
import type { Problem } from '../../parsers/problems';
import type { TicketStatus } from '../db/schema';
import { initialTicketCheck, mergeTicketCheck, type TicketCheck } from './ticket-check';

/** A mail the decision wants sent; the shell renders it and writes it to the outbox. */
export interface MailDraft {
  template: 'acknowledgment' | 'non-conformity';
  to: string;
  /** Unique within the ticket: the same purpose is never sent twice. */
  purpose: string;
  /** Answer to the inbound mail: threaded on it, Auto-Submitted: auto-replied. */
  inReplyToInbound: boolean;
  problems: Problem[];
}

/** A line of the ticket's history. */
export interface EventDraft {
  kind:
    | 'request_received'
    | 'follow_up_received'
    | 'checked'
    | 'status_changed'
    | 'notice_suppressed'
    | 'requester_message';
  actor: string;
  fromStatus?: TicketStatus | null;
  toStatus?: TicketStatus;
  detail: Record<string, unknown>;
}

export interface TicketDecision {
  status: TicketStatus;
  check: TicketCheck;
  events: EventDraft[];
  mails: MailDraft[];
}

export interface IntakeInput {
  mail: InboundMail;
  check: RequestCheck;
  inboundMessageId: number;
  /** False when the requester already got NOTICE_RATE_LIMIT notices within the window. */
  noticeAllowed: boolean;
}

const SYSTEM = 'liquibot';

/** A new request: conforming → awaits approval with an acknowledgment; otherwise a non-conformity notice. */
export function decideNewRequest(input: IntakeInput): TicketDecision {
  const check = initialTicketCheck(input.check, input.inboundMessageId);
  const sender = input.mail.from?.address ?? '';
  const events: EventDraft[] = [
    { kind: 'request_received', actor: sender, detail: { inboundMessageId: input.inboundMessageId, messageId: input.mail.messageId } },
  ];
  return conclude(null, check, sender, input, events);
}

/**
 * A requester's reply on the thread. A non-conforming ticket is checked again with the new facts merged in;
 * on any other state the message is kept in the history and not answered (the approval flow handles those).
 */
export function decideFollowUp(
  input: IntakeInput & { ticket: { status: TicketStatus; check: TicketCheck; requesterEmail: string } },
): TicketDecision {
  const { ticket } = input;
  const base: EventDraft = {
    kind: 'follow_up_received',
    actor: ticket.requesterEmail,
    detail: { inboundMessageId: input.inboundMessageId, messageId: input.mail.messageId },
  };
  if (ticket.status !== 'non_conforming') {
    return {
      status: ticket.status,
      check: ticket.check,
      events: [{ ...base, kind: 'requester_message' }],
      mails: [],
    };
  }
  const check = mergeTicketCheck(ticket.check, input.check, input.inboundMessageId);
  return conclude(ticket.status, check, ticket.requesterEmail, input, [base]);
}

function conclude(
  from: TicketStatus | null,
  check: TicketCheck,
  requester: string,
  input: IntakeInput,
  events: EventDraft[],
): TicketDecision {
  const conforming = check.problems.length === 0;
  const status: TicketStatus = conforming ? 'awaiting_approval' : 'non_conforming';
  events.push({
    kind: 'checked',
    actor: SYSTEM,
    detail: {
      verdict: conforming ? 'conforme' : 'non_conforme',
      problems: check.problems.map((p) => p.code),
      documents: check.documents.length,
    },
  });
  if (status !== from) events.push({ kind: 'status_changed', actor: SYSTEM, fromStatus: from, toStatus: status, detail: {} });

  const mails: MailDraft[] = [];
  if (conforming) {
    mails.push({ template: 'acknowledgment', to: requester, purpose: 'acknowledgment', inReplyToInbound: true, problems: [] });
  } else if (input.noticeAllowed) {
    mails.push({
      template: 'non-conformity',
      to: requester,
      purpose: `non-conformity:${input.inboundMessageId}`,
      inReplyToInbound: true,
      problems: check.problems,
    });
  } else {
    events.push({ kind: 'notice_suppressed', actor: SYSTEM, detail: { reason: 'rate-limit' } });
  }
  return { status, check, events, mails };
}
