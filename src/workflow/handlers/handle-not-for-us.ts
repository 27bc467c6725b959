import type { MailHandler } from './handler';
import { applyDecision } from '../apply-decision';
import { outcomeOf } from '../classify';
import { noteOnly } from '../decision';

/**
 * Mail liquibot does not act on: a machine's mail (never answered) or one unrelated to the procedure
 * (left for humans). On a ticket's thread, an ignored mail is noted in the ticket's history.
 */
export const handleNotForUs: MailHandler<'ignored' | 'unrelated'> = async (ctx, c) => async (tx) => {
  const ticket = c.threadTicket;
  if (ticket && c.kind === 'ignored') {
    await applyDecision(ctx.deps, tx, ticket, noteOnly([
      { kind: 'mail_ignored', actor: 'liquibot', detail: { inboundMessageId: ctx.row.id, reason: c.reason } },
    ]), { now: ctx.now });
  }
  return { kind: c.kind, outcome: outcomeOf(c), storedOutcome: outcomeOf(c), ticket: ticket ? { id: ticket.id, ref: ticket.ref, status: ticket.status } : null, mailsQueued: 0 };
};
