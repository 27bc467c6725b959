import type { Ticket } from '../db/schema';
import { SYSTEM_ACTOR, noteOnly, statusEvents, type TicketDecision } from './decision';
import { canTransition, transition } from './ticket-transitions';

/**
 * The expiry sweep found the ticket's link past its expiry: the ticket shows it (when the link was its
 * last one, i.e. the ticket is still in a link-running state); the history keeps the link either way.
 */
export function decideLinkExpiry(ticket: Pick<Ticket, 'status'>, linkId: number): TicketDecision {
  const expired = { kind: 'link_expired' as const, actor: SYSTEM_ACTOR, detail: { linkId } };
  if (!canTransition(ticket.status, 'expire_link')) return noteOnly([expired]);
  const t = transition(ticket.status, 'expire_link');
  return { transition: t, patch: {}, events: [expired, ...statusEvents(t, SYSTEM_ACTOR)], actions: [] };
}

/** Retention: a non-conforming request its requester never completed within `days` is closed as abandoned. */
export function decideAbandon(ticket: Pick<Ticket, 'status' | 'updatedAt'>, days: number): TicketDecision {
  const t = transition(ticket.status, 'abandon');
  return {
    transition: t,
    patch: {},
    events: statusEvents(t, SYSTEM_ACTOR, { reason: 'not-completed', retentionDays: days, lastChangeAt: ticket.updatedAt.toISOString() }),
    actions: [],
    // Its updated_at stays the time of its last change, so retention applies to its mails at once.
    touch: false,
  };
}
