import { and, desc, eq } from 'drizzle-orm';
import { parseAgentReply } from '../../../parsers/agent-reply';
import { currentApprovalLinks } from '../../approval/approval-links';
import type { Tx } from '../../db/client';
import { findInboundById } from '../../db/inbound-queries';
import { ticketEvents, type Ticket } from '../../db/schema';
import { lockTicket } from '../../db/ticket-queries';
import { applyDecision } from '../apply-decision';
import type { MessageContext } from '../context';
import {
  authorizeAgentReply, decideAgentMail, decideAgentUnbound, deciderNameOf, type AgentMailInput, type DkimVerdict,
} from '../decide-agent-reply';
import type { MailHandler } from './handler';

/** DKIM needs the network (DNS): checked before the transaction, and only when required. */
export async function dkimOf(ctx: MessageContext): Promise<DkimVerdict> {
  const { deps, row, mail } = ctx;
  if (!deps.config.REQUIRE_DKIM || !mail.from) return 'not-checked';
  const raw = row.raw ?? (await findInboundById(deps.database.db, row.id))?.raw ?? Buffer.alloc(0);
  return deps.checkDkim(raw, mail.from.address.split('@').pop()!);
}

/** The name recorded with the ticket's decision (its last `decision` history line), when it was decided. */
async function decidedByNameOf(tx: Tx, ticket: Ticket): Promise<string | null> {
  if (!ticket.decision) return null;
  const [last] = await tx.select({ detail: ticketEvents.detail }).from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticket.id), eq(ticketEvents.kind, 'decision')))
    .orderBy(desc(ticketEvents.id)).limit(1);
  return deciderNameOf(last?.detail);
}

const agentInput = async (ctx: MessageContext, tx: Tx, ticket: Ticket): Promise<AgentMailInput> => ({
  ticket,
  mail: { ...ctx.mail, from: ctx.mail.from! },
  inboundMessageId: ctx.row.id,
  senderIsAgent: ctx.deps.isAgent(ctx.mail.from!),
  agentsAddress: ctx.deps.config.AGENTS_ADDRESS,
  now: ctx.now,
  decidedByName: await decidedByNameOf(tx, ticket),
  approvalLinks: currentApprovalLinks(ctx.deps.config, ticket),
});

/**
 * A reply bound to an approval request. It decides only when authorised; every refused attempt is
 * kept in the ticket's history. The first decision wins (the ticket row is locked).
 */
export const handleAgentReply: MailHandler<'agent-reply'> = async (ctx, c) => {
  const dkim = await dkimOf(ctx);
  const reply = parseAgentReply(ctx.mail);
  return async (tx) => {
    const { deps, mail } = ctx;
    const ticket = (await lockTicket(tx, c.ticket.id))!;
    const sender = mail.from!.address;
    const auth = authorizeAgentReply({
      sender, ticket, senderAllowed: deps.isAgent(mail.from!), boundTicketIds: c.boundTicketIds, ticketId: ticket.id, dkim, requireDkim: deps.config.REQUIRE_DKIM,
      mailbox: { subaddressSeparators: deps.config.SUBADDRESS_SEPARATORS },
    });
    if (!auth.ok) deps.log.warn({ ticketRef: ticket.ref, reason: auth.reason }, 'decision attempt rejected');
    const { decision, label } = decideAgentMail({ ...(await agentInput(ctx, tx, ticket)), auth, reply, dkim });
    const applied = await applyDecision(deps, tx, ticket, decision, { now: ctx.now });
    return { kind: 'ticket', outcome: label, storedOutcome: label, ticket: applied.ticket, mailsQueued: applied.mailsQueued };
  };
};

/** An allow-listed agent wrote about a ticket without replying to its approval request: nothing changes, they are told how. */
export const handleAgentUnbound: MailHandler<'agent-unbound'> = async (ctx, c) => async (tx) => {
  const ticket = (await lockTicket(tx, c.ticket.id))!;
  const applied = await applyDecision(ctx.deps, tx, ticket, decideAgentUnbound(await agentInput(ctx, tx, ticket)), { now: ctx.now });
  return { kind: 'ticket', outcome: 'agent-unbound', storedOutcome: 'agent-unbound', ticket: applied.ticket, mailsQueued: applied.mailsQueued };
};
