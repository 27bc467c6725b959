import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { accounts, type NewTicketEvent, type Ticket } from '../db/schema';
import { queueTicketMail, type QueueDeps } from '../outbox/queue-ticket-mail';
import type { ResetLinkProvider } from './link-provider';

/** The administrator's name from the accounts directory, "NOM Prénom", or null. */
async function administratorName(tx: Tx, siret: string): Promise<string | null> {
  const [row] = await tx.select().from(accounts).where(eq(accounts.siret, siret));
  return row ? `${row.lastName} ${row.firstName}` : null;
}

/**
 * Issue a reset link for an approved ticket (superseding the earlier ones) and queue the reset mail to
 * the liquidator's address from the approved request, and to no one else, then the resolved notice to
 * the requester. History lines go onto `events`.
 */
export async function sendResetLink(
  deps: QueueDeps & { links: ResetLinkProvider }, tx: Tx, ticket: Ticket, now: Date, round: string, events: NewTicketEvent[],
): Promise<{ linkId: number; expiresAt: Date; queued: number }> {
  const link = await deps.links.issue(tx, { ticketId: ticket.id, siret: ticket.siret!, liquidatorEmail: ticket.liquidatorEmail!, now });
  events.push({
    ticketId: ticket.id, at: now, kind: 'link_issued', actor: 'liquibot',
    detail: { linkId: link.linkId, expiresAt: link.expiresAt.toISOString(), round },
  });
  const requester = { email: ticket.requesterEmail, name: ticket.requesterName || null };
  let queued = 0;
  if (await queueTicketMail(deps, tx, ticket, {
    template: 'reset-link',
    vars: {
      ticketRef: ticket.ref, requester, siret: ticket.siret!,
      administratorName: await administratorName(tx, ticket.siret!), link: link.templateUrl, validityHours: deps.links.validityHours,
      expiresAt: link.expiresAt,
    },
    to: ticket.liquidatorEmail!, purpose: `reset-link:${link.linkId}`, parent: null, autoSubmitted: 'auto-generated', resetLinkId: link.linkId,
  }, now, events)) queued += 1;
  if (await queueTicketMail(deps, tx, ticket, {
    template: 'resolved',
    vars: {
      ticketRef: ticket.ref, requester, siret: ticket.siret!, liquidatorEmail: ticket.liquidatorEmail!,
      sentAt: now, validityHours: deps.links.validityHours,
    },
    to: ticket.requesterEmail, purpose: `resolved:${link.linkId}`,
    parent: ticket.rootMessageId ? { messageId: ticket.rootMessageId, references: [] } : null, autoSubmitted: 'auto-replied',
  }, now, events)) queued += 1;
  return { linkId: link.linkId, expiresAt: link.expiresAt, queued };
}
