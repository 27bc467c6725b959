import type { InboundMail } from '../../parsers/inbound-mail';
import type { IgnoreReason } from '../../parsers/problems';
import { detectIgnoreReason, type OwnIdentity } from '../../parsers/loop-guard';
import { isRequestSubject } from '../../parsers/subject';
import type { Ticket } from '../db/schema';

/** What an incoming mail is to liquibot. The reason is a typed, stored value. */
export type Classification =
  | { kind: 'ignored'; reason: Exclude<IgnoreReason, 'not-a-request'> }
  | { kind: 'unrelated'; why: 'subject' | 'no-sender' }
  | { kind: 'new-request' }
  | { kind: 'follow-up'; ticket: Ticket };

export interface ClassifyInput {
  mail: InboundMail;
  own: OwnIdentity;
  /** The ticket this mail threads onto (In-Reply-To/References, or the reference in the subject), if any. */
  threadTicket: Ticket | null;
}

/**
 * Decide what a mail is, in a fixed order: loop guard first (never answer machines or ourselves),
 * then replies on a ticket's thread from its requester, then new requests by subject; anything else
 * is left for humans.
 */
export function classifyMail({ mail, own, threadTicket }: ClassifyInput): Classification {
  const ignore = detectIgnoreReason(mail, own);
  if (ignore) return { kind: 'ignored', reason: ignore };
  const sender = mail.from?.address ?? null;
  if (!sender) return { kind: 'unrelated', why: 'no-sender' };
  // Only the requester may continue a ticket's thread: a reference in a subject is easy to copy.
  if (threadTicket && threadTicket.requesterEmail === sender) return { kind: 'follow-up', ticket: threadTicket };
  if (isRequestSubject(mail.subject)) return { kind: 'new-request' };
  return { kind: 'unrelated', why: 'subject' };
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
