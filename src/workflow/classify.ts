import type { InboundMail } from '../../parsers/inbound-mail';
import type { IgnoreReason } from '../../parsers/problems';
import { detectIgnoreReason, type OwnIdentity } from '../../parsers/loop-guard';
import { looksLikeRequest } from '../../parsers/looks-like-request';
import { sameMailbox, type MailboxOptions } from '../../parsers/mailbox';
import type { Ticket } from '../db/schema';
import { REOPENABLE_STATUSES } from './ticket-transitions';

/** What an incoming mail is to liquibot. The reason is a typed, stored value. */
export type Classification =
  /** A machine's mail, never answered; noted on the ticket whose thread it is on, if any. */
  | { kind: 'ignored'; reason: Exclude<IgnoreReason, 'not-a-request'>; threadTicket: Ticket | null }
  | { kind: 'unrelated'; why: 'subject' | 'no-sender'; threadTicket: Ticket | null }
  | { kind: 'new-request' }
  /** The requester's (or, once the link is out, the liquidator's) answer to a mail liquibot sent on the ticket. */
  | { kind: 'follow-up'; ticket: Ticket }
  /**
   * The requester or liquidator writing about a ticket without answering a mail liquibot sent on it
   * (a [REF] in the subject, a reply to their own mail): kept for the agents, it changes no fact.
   */
  | { kind: 'unbound-message'; ticket: Ticket }
  /** A reply bound to an approval request (thread or token): an attempt to decide, to be authorised. */
  | { kind: 'agent-reply'; ticket: Ticket; boundTicketIds: number[] }
  /** An allow-listed agent writing about a ticket without replying to its approval request. */
  | { kind: 'agent-unbound'; ticket: Ticket };

export interface ClassifyInput {
  mail: InboundMail;
  own: OwnIdentity;
  /** The ticket whose mail (sent by liquibot, random Message-ID) this one answers: the only binding for facts. */
  boundTicket: Ticket | null;
  /** The ticket this mail threads onto (bound, or In-Reply-To/References naming a received mail, or the subject's reference), if any. */
  threadTicket: Ticket | null;
  /** Tickets whose approval request this mail is bound to (by thread or by approval token). */
  approvalTickets: Ticket[];
  /** The ticket named by the reference in the subject, if any. */
  subjectTicket: Ticket | null;
  senderIsAgent: boolean;
  /** How addresses are compared (SUBADDRESS_SEPARATORS); `+` alone when absent. */
  mailbox?: MailboxOptions;
}

/**
 * Decide what a mail is, in a fixed order: loop guard first (never answer machines or ourselves),
 * then replies bound to an approval request, agents writing about a ticket, replies on a ticket's
 * thread from its requester (or its liquidator once the link was sent), new requests by subject;
 * anything else is left for humans.
 */
export function classifyMail(input: ClassifyInput): Classification {
  const { mail, threadTicket } = input;
  const ignore = detectIgnoreReason(mail, input.own);
  if (ignore) return { kind: 'ignored', reason: ignore, threadTicket };
  const sender = mail.from?.address ?? null;
  if (!sender) return { kind: 'unrelated', why: 'no-sender', threadTicket };
  if (input.approvalTickets.length > 0) {
    const ids = input.approvalTickets.map((t) => t.id);
    if (input.subjectTicket) ids.push(input.subjectTicket.id);
    return { kind: 'agent-reply', ticket: input.approvalTickets[0]!, boundTicketIds: ids };
  }
  // Identities are compared as mailboxes (parsers/mailbox.ts): `jean+x@…` is jean. A From that does
  // not name exactly one clean mailbox is never an agent's.
  const same = (address: string | null) => sameMailbox(sender, address, input.mailbox);
  const senderIsAgent = input.senderIsAgent && !mail.from?.ambiguous;
  const named = threadTicket ?? input.subjectTicket;
  if (named && senderIsAgent && !same(named.requesterEmail) && !same(named.liquidatorEmail)) {
    return { kind: 'agent-unbound', ticket: named };
  }
  // Only the requester (or, once the link is out, the liquidator) may continue a ticket, and only by
  // answering a mail liquibot sent on it: a From is easy to forge, a reference in a subject easy to
  // copy, a Message-ID of liquibot's (128 random bits) is known only to whoever received the mail.
  // A ticket closed as abandoned (its requester never completed it) is not continued: a mail on its
  // thread is read as any other, a new request when its subject is the procedure's.
  const mayContinue = (t: Ticket) =>
    t.status !== 'abandoned' && (same(t.requesterEmail) || (same(t.liquidatorEmail) && REOPENABLE_STATUSES.includes(t.status)));
  if (input.boundTicket && mayContinue(input.boundTicket)) return { kind: 'follow-up', ticket: input.boundTicket };
  if (named && mayContinue(named)) return { kind: 'unbound-message', ticket: named };
  // The procedure's subject (or a near miss), or a body carrying both labelled fields whatever its subject.
  if (looksLikeRequest(mail)) return { kind: 'new-request' };
  return { kind: 'unrelated', why: 'subject', threadTicket };
}

/** The stored outcome of a classification, as kept on inbound_messages.outcome. */
export function outcomeOf(c: Classification): string {
  switch (c.kind) {
    case 'ignored':
      return `ignored:${c.reason}`;
    case 'unrelated':
      return c.why === 'subject' ? 'unrelated' : 'unrelated:no-sender';
    default:
      return c.kind;
  }
}
