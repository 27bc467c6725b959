import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { accounts, tickets, type Ticket, type TicketStatus } from '../db/schema';
import { insertEvents } from '../db/ticket-queries';
import type { ResetLinkProvider } from '../reset/link-provider';
import type { PipelineDeps } from '../tickets/process-inbound';
import { queueTicketMail, requesterOf, rootOf } from '../tickets/queue-ticket-mail';
import { releaseWaitingApproval } from './queue-approval-request';

export interface DecisionDeps extends PipelineDeps {
  links: ResetLinkProvider;
}

/** Who decided: an agent by mail, or an operator at the terminal. */
export interface DecisionActor {
  email: string;
  name: string | null;
  via: 'mail' | 'terminal';
  inboundMessageId?: number;
}

const transition = (ticketId: number, now: Date, actor: string, from: TicketStatus, to: TicketStatus) => ({
  ticketId, at: now, kind: 'status_changed', actor, fromStatus: from, toStatus: to, detail: {},
});

/**
 * A decider as templates show them: an agent by their address; an operator at the terminal
 * ('terminal:alice') by name, with the agents' shared address.
 */
export function contactOfDecider(decider: string, name: string | null, agentsAddress: string): { email: string; name: string | null } {
  if (decider.startsWith('terminal:')) return { email: agentsAddress, name: `${name ?? decider.slice('terminal:'.length)} (terminal)` };
  return { email: decider, name };
}

/** The administrator's name from the accounts directory, "NOM Prénom", or null. */
async function administratorName(tx: Tx, siret: string): Promise<string | null> {
  const [row] = await tx.select().from(accounts).where(eq(accounts.siret, siret));
  return row ? `${row.lastName} ${row.firstName}` : null;
}

/**
 * Send the reset mail for a ticket: a new link (superseding the earlier ones), the mail to the
 * liquidator's address from the approved request and to no one else, and the resolved notice.
 */
export async function sendResetLink(deps: DecisionDeps, tx: Tx, ticket: Ticket, now: Date, round: string): Promise<{ linkId: number; expiresAt: Date }> {
  const link = await deps.links.issue(tx, { ticketId: ticket.id, siret: ticket.siret!, liquidatorEmail: ticket.liquidatorEmail!, now });
  await insertEvents(tx, [{
    ticketId: ticket.id, at: now, kind: 'link_issued', actor: 'liquibot',
    detail: { linkId: link.linkId, expiresAt: link.expiresAt.toISOString(), round },
  }]);
  await queueTicketMail(deps, tx, ticket, {
    template: 'reset-link',
    vars: {
      ticketRef: ticket.ref, requester: requesterOf(ticket), siret: ticket.siret!,
      administratorName: await administratorName(tx, ticket.siret!), link: link.templateUrl, validityHours: deps.links.validityHours,
    },
    to: ticket.liquidatorEmail!, purpose: `reset-link:${link.linkId}`, parent: null, autoSubmitted: 'auto-generated', resetLinkId: link.linkId,
  }, now);
  await queueTicketMail(deps, tx, ticket, {
    template: 'resolved',
    vars: {
      ticketRef: ticket.ref, requester: requesterOf(ticket), siret: ticket.siret!, liquidatorEmail: ticket.liquidatorEmail!,
      sentAt: now, validityHours: deps.links.validityHours,
    },
    to: ticket.requesterEmail, purpose: `resolved:${link.linkId}`, parent: rootOf(ticket), autoSubmitted: 'auto-replied',
  }, now);
  return link;
}

/**
 * Approve a ticket that awaits a decision (the caller holds its row lock and checked its status):
 * the reset link to the liquidator, the resolved notice to the requester, a confirmation to the agents.
 */
export async function applyApproval(deps: DecisionDeps, tx: Tx, ticket: Ticket, actor: DecisionActor, now: Date): Promise<void> {
  await tx.update(tickets).set({ status: 'resolved', decision: 'approved', decidedBy: actor.email, decidedAt: now, updatedAt: now }).where(eq(tickets.id, ticket.id));
  await insertEvents(tx, [
    { ticketId: ticket.id, at: now, kind: 'decision', actor: actor.email, detail: { decision: 'approved', via: actor.via, inboundMessageId: actor.inboundMessageId ?? null } },
    transition(ticket.id, now, actor.email, ticket.status, 'approved'),
  ]);
  await sendResetLink(deps, tx, ticket, now, 'approval');
  await insertEvents(tx, [
    transition(ticket.id, now, 'liquibot', 'approved', 'link_sent'),
    transition(ticket.id, now, 'liquibot', 'link_sent', 'resolved'),
  ]);
  await queueTicketMail(deps, tx, ticket, {
    template: 'approval-confirmation',
    vars: {
      ticketRef: ticket.ref, requester: requesterOf(ticket), siret: ticket.siret!, liquidatorEmail: ticket.liquidatorEmail!,
      approvedBy: contactOfDecider(actor.email, actor.name, deps.config.AGENTS_ADDRESS), approvedAt: now,
    },
    to: deps.config.AGENTS_ADDRESS, purpose: 'approval-confirmation', autoSubmitted: 'auto-generated',
    parent: ticket.approvalMessageId ? { messageId: ticket.approvalMessageId, references: [] } : null,
  }, now);
  if (ticket.siret) await releaseWaitingApproval(deps, tx, ticket.siret, now);
}

/** Refuse a ticket that awaits a decision: the requester gets the agents' reason; the ticket is closed. */
export async function applyRefusal(deps: DecisionDeps, tx: Tx, ticket: Ticket, actor: DecisionActor, reason: string, now: Date): Promise<void> {
  await tx.update(tickets).set({ status: 'refused', decision: 'refused', decidedBy: actor.email, decidedAt: now, refusalReason: reason, updatedAt: now }).where(eq(tickets.id, ticket.id));
  await insertEvents(tx, [
    { ticketId: ticket.id, at: now, kind: 'decision', actor: actor.email, detail: { decision: 'refused', reason, via: actor.via, inboundMessageId: actor.inboundMessageId ?? null } },
    transition(ticket.id, now, actor.email, ticket.status, 'refused'),
  ]);
  await queueTicketMail(deps, tx, ticket, {
    template: 'refusal',
    vars: { ticketRef: ticket.ref, requester: requesterOf(ticket), siret: ticket.siret, reason, refusedAt: now },
    to: ticket.requesterEmail, purpose: 'refusal', parent: rootOf(ticket), autoSubmitted: 'auto-replied',
  }, now);
  if (ticket.siret) await releaseWaitingApproval(deps, tx, ticket.siret, now);
}
