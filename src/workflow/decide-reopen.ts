import type { InboundMail } from '../../parsers/inbound-mail';
import type { ResetLink, Ticket } from '../db/schema';
import { SYSTEM_ACTOR, statusEvents, type EventDraft, type TicketDecision } from './decision';
import { decideHandOff } from './decide-handoff';
import { transition } from './ticket-transitions';

/** What liquibot does when the liquidator answers on a request whose link was sent. */
export type ReopenOutcome =
  | { kind: 'reissue' }
  | { kind: 'still-valid'; validUntil: Date }
  | { kind: 'already-used'; usedAt: Date | null }
  | { kind: 'back-to-agents'; reissues: number }
  | { kind: 'no-link' };

/**
 * The procedure (section 4): an expired link is not a new request; the liquidator reopens the same one.
 * If the last link expired unused, a new one is sent, up to `maxReissues` times; after that the agents decide
 * again. A link still valid is not replaced: the answer says until when.
 */
export function decideReopen(input: {
  lastLink: Pick<ResetLink, 'status' | 'expiresAt' | 'usedAt'> | null;
  reissues: number;
  maxReissues: number;
  now: Date;
}): ReopenOutcome {
  const { lastLink, now } = input;
  if (!lastLink) return { kind: 'no-link' };
  if (lastLink.status === 'used') return { kind: 'already-used', usedAt: lastLink.usedAt };
  const expired = lastLink.status === 'expired' || lastLink.status === 'superseded' || lastLink.expiresAt.getTime() <= now.getTime();
  if (!expired) return { kind: 'still-valid', validUntil: lastLink.expiresAt };
  if (input.reissues >= input.maxReissues) return { kind: 'back-to-agents', reissues: input.reissues };
  return { kind: 'reissue' };
}

/** The facts of a reopening mail, gathered before the decision. */
export interface ReopenInput {
  ticket: Pick<Ticket, 'status' | 'ref' | 'requesterEmail' | 'requesterName' | 'siret' | 'liquidatorEmail' | 'linkReissues' | 'needsPersonSince'>;
  lastLink: Pick<ResetLink, 'id' | 'status' | 'expiresAt' | 'usedAt' | 'createdAt'> | null;
  mail: Pick<InboundMail, 'messageId' | 'references' | 'subject' | 'date' | 'text' | 'html'> & { from: { address: string; name: string } };
  agentsAddress: string;
  /** Whether the mail answers a mail liquibot sent on the ticket (default: yes). */
  bound?: boolean;
  inboundMessageId: number;
  maxReissues: number;
  /** False when the sender already got NOTICE_RATE_LIMIT notices within the window. */
  noticeAllowed: boolean;
  now: Date;
}

/** The whole decision on a reopening mail: a new link, "still valid", back to the agents, or a note. */
export function decideReopenMail(input: ReopenInput): { outcome: ReopenOutcome; decision: TicketDecision } {
  const { ticket, lastLink } = input;
  const sender = input.mail.from.address;
  const outcome = decideReopen({ lastLink, reissues: ticket.linkReissues, maxReissues: input.maxReissues, now: input.now });
  const events: EventDraft[] = [{
    kind: 'reopen_requested', actor: sender, detail: { inboundMessageId: input.inboundMessageId, outcome: outcome.kind, linkId: lastLink?.id ?? null },
  }];
  switch (outcome.kind) {
    case 'reissue': {
      const t = transition(ticket.status, 'reissue_link');
      const reissue = ticket.linkReissues + 1;
      return {
        outcome,
        decision: {
          transition: t,
          patch: { linkReissues: reissue },
          events: [...events, ...statusEvents(t, SYSTEM_ACTOR, { reissue })],
          actions: [
            ...(lastLink && lastLink.status === 'active' ? [{ kind: 'expire-link' as const, linkId: lastLink.id }] : []),
            { kind: 'issue-link', round: `reissue-${reissue}` },
          ],
        },
      };
    }
    case 'still-valid': {
      if (!input.noticeAllowed) {
        events.push({ kind: 'notice_suppressed', actor: SYSTEM_ACTOR, detail: { reason: 'rate-limit' } });
        return { outcome, decision: { transition: null, patch: {}, events, actions: [] } };
      }
      return {
        outcome,
        decision: {
          transition: null, patch: {}, events,
          actions: [{
            kind: 'queue-mail',
            mail: {
              template: 'link-still-valid', to: sender, purpose: `link-still-valid:${input.inboundMessageId}`, parent: input.mail, autoSubmitted: 'auto-replied',
              vars: {
                ticketRef: ticket.ref, requester: { email: ticket.requesterEmail, name: ticket.requesterName || null }, siret: ticket.siret!,
                sentTo: ticket.liquidatorEmail!, sentAt: lastLink!.createdAt, validUntil: outcome.validUntil,
              },
            },
          }],
        },
      };
    }
    case 'back-to-agents': {
      const t = transition(ticket.status, 'return_to_agents');
      return {
        outcome,
        decision: {
          transition: t,
          patch: { decision: null, decidedBy: null, decidedAt: null },
          events: [...events, ...statusEvents(t, SYSTEM_ACTOR, { reason: 'reissue-limit', reissues: outcome.reissues })],
          actions: [{ kind: 'resend-approval-request', purpose: `approval-request:${input.inboundMessageId}` }],
        },
      };
    }
    case 'already-used':
    case 'no-link': {
      // Nothing liquibot can do (a used link is not replaced; no link was ever sent): a person answers.
      const handOff = decideHandOff({
        ticket, mail: input.mail, inboundMessageId: input.inboundMessageId, bound: input.bound ?? true,
        reason: outcome.kind === 'already-used' ? 'LINK_ALREADY_USED' : 'NO_LINK',
        agentsAddress: input.agentsAddress, noticeAllowed: input.noticeAllowed, now: input.now,
      });
      return { outcome, decision: { ...handOff, events: [...events, ...handOff.events] } };
    }
  }
}
