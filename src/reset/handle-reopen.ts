import { desc, eq } from 'drizzle-orm';
import { resetLinks, tickets, type Ticket } from '../db/schema';
import { insertEvents } from '../db/ticket-queries';
import { sendResetLink, type DecisionDeps } from '../approval/apply-decision';
import { queueApprovalRequest } from '../approval/queue-approval-request';
import { noticeAllowed } from '../tickets/intake-handlers';
import type { MessageContext } from '../tickets/process-inbound';
import { queueTicketMail, requesterOf } from '../tickets/queue-ticket-mail';
import { decideReopen } from './decide-reopen';

/**
 * The liquidator (or the requester) answers on a request whose link was sent, usually because the
 * link ran out. Returns how many mails were queued.
 */
export async function handleReopen(ctx: MessageContext, ticket: Ticket): Promise<number> {
  const { tx, row, mail, now } = ctx;
  const deps = ctx.deps as DecisionDeps;
  const sender = mail.from!.address;
  const [lastLink] = await tx.select().from(resetLinks).where(eq(resetLinks.ticketId, ticket.id)).orderBy(desc(resetLinks.id)).limit(1);
  const outcome = decideReopen({ lastLink: lastLink ?? null, reissues: ticket.linkReissues, maxReissues: deps.config.MAX_LINK_REISSUES, now });
  await insertEvents(tx, [{
    ticketId: ticket.id, at: now, kind: 'reopen_requested', actor: sender,
    detail: { inboundMessageId: row.id, outcome: outcome.kind, linkId: lastLink?.id ?? null },
  }]);
  switch (outcome.kind) {
    case 'reissue': {
      if (lastLink && lastLink.status === 'active') {
        await tx.update(resetLinks).set({ status: 'expired' }).where(eq(resetLinks.id, lastLink.id));
      }
      await tx.update(tickets).set({ status: 'reissued', linkReissues: ticket.linkReissues + 1, updatedAt: now }).where(eq(tickets.id, ticket.id));
      await insertEvents(tx, [
        ...(ticket.status !== 'link_expired' ? [{ ticketId: ticket.id, at: now, kind: 'status_changed', actor: 'liquibot', fromStatus: ticket.status, toStatus: 'link_expired', detail: {} }] : []),
        { ticketId: ticket.id, at: now, kind: 'status_changed', actor: 'liquibot', fromStatus: 'link_expired', toStatus: 'reissued', detail: { reissue: ticket.linkReissues + 1 } },
      ]);
      await sendResetLink(deps, tx, ticket, now, `reissue-${ticket.linkReissues + 1}`);
      return 2;
    }
    case 'still-valid': {
      if (!(await noticeAllowed(deps, tx, sender, now))) {
        await insertEvents(tx, [{ ticketId: ticket.id, at: now, kind: 'notice_suppressed', actor: 'liquibot', detail: { reason: 'rate-limit' } }]);
        return 0;
      }
      const sent = await queueTicketMail(deps, tx, ticket, {
        template: 'link-still-valid',
        vars: {
          ticketRef: ticket.ref, requester: requesterOf(ticket), siret: ticket.siret!, sentTo: ticket.liquidatorEmail!,
          sentAt: lastLink!.createdAt, validUntil: outcome.validUntil,
        },
        to: sender, purpose: `link-still-valid:${row.id}`, parent: mail, autoSubmitted: 'auto-replied',
      }, now);
      return sent ? 1 : 0;
    }
    case 'back-to-agents': {
      await tx.update(tickets)
        .set({ status: 'awaiting_approval', decision: null, decidedBy: null, decidedAt: null, updatedAt: now })
        .where(eq(tickets.id, ticket.id));
      await insertEvents(tx, [{ ticketId: ticket.id, at: now, kind: 'status_changed', actor: 'liquibot', fromStatus: ticket.status, toStatus: 'awaiting_approval', detail: { reason: 'reissue-limit', reissues: outcome.reissues } }]);
      const [fresh] = await tx.select().from(tickets).where(eq(tickets.id, ticket.id));
      await queueApprovalRequest(deps, tx, fresh!, now, `approval-request:${row.id}`);
      return 1;
    }
    case 'already-used':
    case 'no-link':
      // Kept in the history for the agents; no automatic answer.
      return 0;
  }
}
