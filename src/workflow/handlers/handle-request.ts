import { desc, eq } from 'drizzle-orm';
import { checkRequest } from '../../../parsers/check-request';
import { requesterOf } from '../../../parsers/forwarded';
import { dkimOf } from './handle-agent-mail';
import type { Tx } from '../../db/client';
import { resetLinks, type Ticket } from '../../db/schema';
import { lockTicket, nextTicketId, openRequestOf } from '../../db/ticket-queries';
import { threadNoticeAllowed } from '../../outbox/notice-limit';
import { applyDecision, applyNewTicketDecision } from '../apply-decision';
import type { HandlerResult, MessageContext } from '../context';
import { decideFollowUp, decideNewRequest, decideUnboundMessage } from '../decide-intake';
import { decideReopenMail } from '../decide-reopen';
import { scanDocuments } from '../document-facts';
import { initialTicketCheck, mergeTicketCheck, type TicketCheck } from '../ticket-check';
import { formatTicketRef } from '../ticket-ref';
import { REOPENABLE_STATUSES } from '../ticket-transitions';
import type { MailHandler } from './handler';

/**
 * A new request. When the same requester already has an open ticket for the same company, the mail
 * joins that ticket instead (one request per company; a new request after an expired link reopens it).
 */
export const handleNewRequest: MailHandler<'new-request'> = async (ctx) => {
  const check = checkRequest(ctx.mail);
  const scans = await scanDocuments(ctx.deps, initialTicketCheck(check, ctx.row.id), ctx.contents);
  // An agent forwarding a request on a liquidator's behalf makes the original sender the requester
  // (answers go there); only an authenticated agent may, or a forged agent From could send notices anywhere.
  const agent = !!check.forward && ctx.deps.isAgent(ctx.mail.from!)
    && (!ctx.deps.config.REQUIRE_DKIM || (await dkimOf(ctx)) === 'pass');
  const { requester: who, forwardedBy } = requesterOf(ctx.mail, check.forward, agent);
  return async (tx) => {
    const { deps, mail, row, now } = ctx;
    const requester = who!.address;
    // The new ticket's id is reserved alongside the look-up below (one write for both; an id left unused
    // when the mail joins a ticket is a gap in the sequence, as a rollback leaves).
    const reserved = nextTicketId(tx);
    if (check.siret) {
      // The same requester's request for a company it already asked about. A From is easy to forge,
      // so such a mail never changes the other request's facts: after a link went out it reopens that
      // request (the link goes to the approved address only); while the agents decide it is noted there
      // for them; a non-conforming one is left to retention and this mail checked as a request of its own.
      const [open] = await Promise.all([openRequestOf(tx, requester, check.siret), reserved]);
      const duplicate = { kind: 'duplicate_request' as const, actor: requester, detail: { inboundMessageId: row.id } };
      if (open && REOPENABLE_STATUSES.includes(open.status)) {
        return continueTicket(ctx, tx, open, check, scans, 'follow-up:duplicate', [duplicate], false);
      }
      if (open) {
        const ticket = (await lockTicket(tx, open.id))!;
        const decision = decideUnboundMessage({
          ticket, mail: { ...mail, from: who! }, inboundMessageId: row.id, duplicate: true, agentsAddress: deps.config.AGENTS_ADDRESS,
          noticeAllowed: await threadNoticeAllowed(deps.config, tx, ticket.id, requester, now), now,
        });
        const applied = await applyDecision(deps, tx, ticket, decision, { now });
        return { kind: 'ticket', outcome: `follow-up:duplicate:${applied.ticket.status}`, storedOutcome: 'follow-up:duplicate', ticket: applied.ticket, mailsQueued: applied.mailsQueued };
      }
    }
    const id = await reserved;
    const ref = formatTicketRef(id, now, deps.config.TIMEZONE);
    // A new request always gets its first answer: the limits are for loops on one thread, not for a
    // firm that sends one request per company, as the procedure asks.
    const decision = decideNewRequest({ mail, check, inboundMessageId: row.id, noticeAllowed: true, scans, ref, now, requester: who!, forwardedBy });
    const applied = await applyNewTicketDecision(deps, tx, { id, ref }, decision, { now, known: ctx.contents });
    return { kind: 'ticket', outcome: `new-request:${applied.ticket.status}`, storedOutcome: 'new-request', ticket: applied.ticket, mailsQueued: applied.mailsQueued };
  };
};

/** A requester's (or, once the link is out, the liquidator's) mail on an existing ticket. */
export const handleFollowUp: MailHandler<'follow-up'> = async (ctx, c) => {
  const check = checkRequest(ctx.mail);
  // The documents are read before the transaction, against the SIRET the ticket would have after this mail.
  const merged = mergeTicketCheck(c.ticket.check, check, ctx.row.id);
  const scans = await scanDocuments(ctx.deps, merged, ctx.contents);
  return (tx) => continueTicket(ctx, tx, c.ticket, check, scans, 'follow-up', [], true);
};

async function continueTicket(
  ctx: MessageContext, tx: Tx, found: Ticket, check: ReturnType<typeof checkRequest>, scans: Awaited<ReturnType<typeof scanDocuments>>,
  label: string, before: { kind: 'duplicate_request'; actor: string; detail: Record<string, unknown> }[],
  /** Whether the mail answers a mail liquibot sent on the ticket (a duplicate request does not). */
  bound: boolean,
): Promise<HandlerResult> {
  const { deps, mail, row, now } = ctx;
  const ticket = (await lockTicket(tx, found.id))!;
  let decision;
  if (REOPENABLE_STATUSES.includes(ticket.status)) {
    const [lastLink] = await tx.select().from(resetLinks).where(eq(resetLinks.ticketId, ticket.id)).orderBy(desc(resetLinks.id)).limit(1);
    decision = decideReopenMail({
      ticket, lastLink: lastLink ?? null, mail: { ...mail, from: mail.from! }, inboundMessageId: row.id, maxReissues: deps.config.MAX_LINK_REISSUES,
      noticeAllowed: await threadNoticeAllowed(deps.config, tx, ticket.id, mail.from!.address, now), now, agentsAddress: deps.config.AGENTS_ADDRESS, bound,
    }).decision;
  } else {
    decision = decideFollowUp({
      ticket, mail, check, inboundMessageId: row.id, scans, agentsAddress: deps.config.AGENTS_ADDRESS, now,
      noticeAllowed: await threadNoticeAllowed(deps.config, tx, ticket.id, ticket.requesterEmail, now),
    });
  }
  decision = { ...decision, events: [...before, ...decision.events] };
  const applied = await applyDecision(deps, tx, ticket, decision, { now, known: ctx.contents });
  return { kind: 'ticket', outcome: `${label}:${applied.ticket.status}`, storedOutcome: label, ticket: applied.ticket, mailsQueued: applied.mailsQueued };
}

/**
 * The requester (or liquidator) wrote about their ticket without answering a mail liquibot sent on
 * it: the message is kept in the ticket's history and handed to the agents; no fact of the request changes.
 */
export const handleUnboundMessage: MailHandler<'unbound-message'> = async (ctx, c) => async (tx) => {
  const { deps, mail, row, now } = ctx;
  const ticket = (await lockTicket(tx, c.ticket.id))!;
  const decision = decideUnboundMessage({
    ticket, mail: { ...mail, from: mail.from! }, inboundMessageId: row.id, duplicate: false, agentsAddress: deps.config.AGENTS_ADDRESS,
    noticeAllowed: await threadNoticeAllowed(deps.config, tx, ticket.id, mail.from!.address, now), now,
  });
  const applied = await applyDecision(deps, tx, ticket, decision, { now, known: ctx.contents });
  return { kind: 'ticket', outcome: 'unbound-message', storedOutcome: 'unbound-message', ticket: applied.ticket, mailsQueued: applied.mailsQueued };
};
