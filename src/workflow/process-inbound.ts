import { inArray, or } from 'drizzle-orm';
import { findApprovalTokens } from '../../parsers/agent-reply';
import type { InboundMail } from '../../parsers/inbound-mail';
import { findTicketRef } from '../../parsers/subject';
import { hashApprovalToken } from '../approval/approval-token';
import { markInboundProcessed } from '../db/inbound-queries';
import { settlingTransaction } from '../db/write-behind';
import { tickets, type InboundMessageRow, type Ticket } from '../db/schema';
import { deferEvents, findTicketByMessageIds, findTicketByRef, findTicketBySentMessageIds } from '../db/ticket-queries';
import { isAppError } from '../errors';
import { quarantine, quarantineTooLarge } from '../intake/quarantine';
import { parseMailWithContents, type AttachmentContent, type ParsedWithContents } from '../mail/parse-mail';
import { classifyMail, type Classification } from './classify';
import type { HandlerResult, MessageContext, OutcomeKind, PipelineDeps, ProcessResult } from './context';
import type { MailHandler } from './handlers/handler';
import { MAIL_HANDLERS } from './handlers/registry';

/**
 * Process one stored inbound message: parse, classify, let the kind's handler gather its facts and
 * decide, and commit ticket, history, outbox rows and the message's status in one transaction. A
 * message already processed (by another instance, or a replay) is not processed again.
 */
export async function processInbound(deps: PipelineDeps, row: InboundMessageRow, parse?: Promise<ParsedWithContents>): Promise<ProcessResult> {
  if (row.status !== 'stored') {
    // Fetched again (a crash between the commit and the move on IMAP): it goes where it went the first time.
    return { kind: storedOutcomeKind(row), outcome: row.outcome ?? row.status, ticketRef: null, mailsQueued: 0 };
  }
  const log = deps.log.child({ inboundId: row.id });
  const now = deps.now();
  // `parse`: a large mail, parsed as it was stored; its source is in the database, not in `row`.
  if (!row.raw && !parse) {
    await quarantine(deps.database, row, 'RAW_MISSING', 'raw source was purged before processing', now);
    return quarantined(0);
  }
  if (row.sizeBytes > deps.config.MAX_MESSAGE_BYTES) {
    log.warn({ sizeBytes: row.sizeBytes }, 'message quarantined: too large');
    return quarantined(await quarantineTooLarge(deps, row, now));
  }

  let mail: InboundMail;
  let contents: Map<string, AttachmentContent>;
  try {
    ({ mail, contents } = await (parse ?? parseMailWithContents(row.raw!)));
  } catch (err) {
    if (!isAppError(err, 'MAIL_UNPARSEABLE')) throw err;
    log.warn({ code: err.code }, 'message quarantined: unparseable');
    await quarantine(deps.database, row, err.code, (err.cause as Error | undefined)?.message ?? err.message, now);
    return quarantined(0);
  }

  const classification = classifyMail({
    mail, own: { addresses: [deps.config.MAIL_FROM], messageIdDomain: deps.config.messageIdDomain },
    ...(await lookUpTickets(deps, mail)), senderIsAgent: mail.from ? deps.isAgent(mail.from) : false,
    mailbox: { subaddressSeparators: deps.config.SUBADDRESS_SEPARATORS },
  });
  const ctx: MessageContext = { deps, row, mail, contents, now };
  // The handler's facts first, outside the transaction; then its step inside it.
  const handler = MAIL_HANDLERS[classification.kind] as MailHandler<Classification['kind']>;
  const step = await handler(ctx, classification);

  // Another instance (or a replay) may handle this row meanwhile: the row is marked processed at the
  // end of the step only if it is still 'stored' (the update waits for the other's commit, then sees its
  // status); otherwise the whole step rolls back. One statement where a `select … for update` first
  // and the update last were two.
  let result: HandlerResult | null;
  try {
    result = await settlingTransaction(deps.database.db, async (tx) => {
      // The step's history lines go with the mark, in its statement.
      const events = deferEvents(tx);
      const done = await step(tx);
      const marked = await markInboundProcessed(tx, row.id, { outcome: done.storedOutcome, ticketId: done.ticket?.id ?? null, messageId: mail.messageId, now }, events);
      if (!marked) throw new ProcessedElsewhere();
      return done;
    });
  } catch (err) {
    if (!(err instanceof ProcessedElsewhere)) throw err;
    result = null;
  }
  if (!result) {
    log.info('mail already processed elsewhere');
    return { kind: 'already-processed', outcome: 'already-processed', ticketRef: null, mailsQueued: 0 };
  }
  log.info({ outcome: result.outcome, ticketRef: result.ticket?.ref ?? null, mailsQueued: result.mailsQueued }, 'mail processed');
  // A conforming request's approval request waits for the reading of its documents, done now, after the commit.
  if (result.ticket?.status === 'awaiting_approval' && deps.readings) deps.readings.kick(result.ticket.id);
  return { kind: result.kind, outcome: result.outcome, ticketRef: result.ticket?.ref ?? null, mailsQueued: result.mailsQueued };
}

/** Thrown inside the step's transaction to roll it back: the row was processed by someone else meanwhile. */
class ProcessedElsewhere extends Error {}

/** The kind of a message processed earlier, from its stored status and outcome label. */
function storedOutcomeKind(row: Pick<InboundMessageRow, 'status' | 'outcome'>): OutcomeKind {
  if (row.status === 'quarantined') return 'quarantined';
  const first = (row.outcome ?? '').split(':')[0];
  return first === 'unrelated' || first === 'ignored' ? first : 'ticket';
}

const quarantined = (mailsQueued: number): ProcessResult => ({ kind: 'quarantined', outcome: 'quarantined', ticketRef: null, mailsQueued });

/**
 * The tickets a mail may belong to: bound (it answers a mail liquibot sent on the ticket), by thread or
 * by the reference in its subject (found, not bound), by approval binding.
 */
async function lookUpTickets(
  deps: PipelineDeps, mail: InboundMail,
): Promise<{ boundTicket: Ticket | null; threadTicket: Ticket | null; subjectTicket: Ticket | null; approvalTickets: Ticket[] }> {
  const db = deps.database.db;
  const ids = [...new Set([mail.inReplyTo, ...mail.references].filter((v): v is string => !!v))];
  const ref = findTicketRef(mail.subject);
  const subjectTicket = ref ? await findTicketByRef(db, ref) : null;
  const boundTicket = await findTicketBySentMessageIds(db, ids);
  const threadTicket = boundTicket ?? (await findTicketByMessageIds(db, ids)) ?? subjectTicket;
  const tokenHashes = findApprovalTokens(`${mail.text}\n${mail.html ?? ''}`).map(hashApprovalToken);
  const conditions = [
    ...(ids.length ? [inArray(tickets.approvalMessageId, ids)] : []),
    ...(tokenHashes.length ? [inArray(tickets.approvalTokenHash, tokenHashes)] : []),
  ];
  const approvalTickets = conditions.length === 0 ? [] : await db.select().from(tickets).where(or(...conditions)).orderBy(tickets.id);
  return { boundTicket, threadTicket, subjectTicket, approvalTickets };
}
