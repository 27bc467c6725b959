import { eq, inArray, or } from 'drizzle-orm';
import type { Config } from '../config';
import type { Database, Tx } from '../db/client';
import { inboundMessages, tickets, type InboundMessageRow, type Ticket } from '../db/schema';
import { findInboundById, markInboundProcessed, quarantineInbound } from '../db/inbound-queries';
import { findTicketByMessageIds, findTicketByRef, insertEvents } from '../db/ticket-queries';
import { isAppError } from '../errors';
import type { Logger } from '../log';
import type { DocumentCache } from '../mail/document-cache';
import { parseMail, parseMailWithContents, type AttachmentContent, type ParsedWithContents } from '../mail/parse-mail';
import type { InboundMail } from '../../parsers/inbound-mail';
import { findApprovalTokens } from '../../parsers/agent-reply';
import { findTicketRef } from '../../parsers/subject';
import { detectIgnoreReason } from '../../parsers/loop-guard';
import { enqueueMail } from '../db/outbox-queries';
import { noticeAllowed } from './intake-handlers';
import { outboxRowFor } from './outgoing-mail';
import type { ResetLinkProvider } from '../reset/link-provider';
import { hashApprovalToken } from '../approval/queue-approval-request';
import { handleAgentReply, handleAgentUnbound } from '../approval/handle-agent-reply';
import { classifyMail, outcomeOf } from './classify';
import { continueTicket, openTicket } from './intake-handlers';
import type { RenderedMail } from './outgoing-mail';

export interface MailRenderer {
  render(name: string, vars: unknown): RenderedMail;
}

export interface PipelineDeps {
  database: Database;
  config: Config;
  templates: MailRenderer;
  log: Logger;
  now: () => Date;
  links: ResetLinkProvider;
  /** Whether a sender is on the AGENT_SENDERS allow-list. */
  isAgent(sender: string): boolean;
  /** DKIM verdict of a raw message for its From domain (aligned signature → 'pass'). */
  checkDkim(raw: Buffer, fromDomain: string): Promise<'pass' | 'fail' | 'none'>;
  /** Hands the court documents decoded at intake to the outbox (a shortcut; absent in some tests). */
  documents?: DocumentCache;
}

export interface ProcessResult {
  outcome: string;
  ticketRef: string | null;
  mailsQueued: number;
}

/** What the handlers of one message get: the message, its parse, and the transaction. */
export interface MessageContext {
  deps: PipelineDeps;
  tx: Tx;
  row: InboundMessageRow;
  mail: InboundMail;
  /** Decoded attachment contents of this mail, by SHA-256 (from its one parse). */
  contents: Map<string, AttachmentContent>;
  outcome: string;
  now: Date;
}

/**
 * Process one stored inbound message: parse, classify, decide, and commit ticket, history, outbox rows
 * and the message's status in one transaction. A message already processed is not processed again.
 */
export async function processInbound(deps: PipelineDeps, row: InboundMessageRow, parse?: Promise<ParsedWithContents>): Promise<ProcessResult> {
  if (row.status !== 'stored') {
    return { outcome: row.outcome ?? row.status, ticketRef: null, mailsQueued: 0 };
  }
  const log = deps.log.child({ inboundId: row.id });
  const now = deps.now();
  // `parse`: a large mail, parsed as it was stored; its source is in the database, not in `row`.
  if (!row.raw && !parse) return quarantine(deps, row, 'RAW_MISSING', 'raw source was purged before processing', now);
  if (row.sizeBytes > deps.config.MAX_MESSAGE_BYTES) {
    log.warn({ sizeBytes: row.sizeBytes }, 'message quarantined: too large');
    return quarantineTooLarge(deps, row, now);
  }

  let mail: InboundMail;
  let contents: Map<string, AttachmentContent>;
  try {
    ({ mail, contents } = await (parse ?? parseMailWithContents(row.raw!)));
  } catch (err) {
    if (!isAppError(err, 'MAIL_UNPARSEABLE')) throw err;
    log.warn({ code: err.code }, 'message quarantined: unparseable');
    return quarantine(deps, row, err.code, (err.cause as Error | undefined)?.message ?? err.message, now);
  }

  const lookups = await lookUpTickets(deps, mail);
  const classification = classifyMail({
    mail, own: { addresses: [deps.config.MAIL_FROM], messageIdDomain: deps.config.messageIdDomain },
    ...lookups, senderIsAgent: mail.from ? deps.isAgent(mail.from.address) : false,
  });
  const outcome = outcomeOf(classification);
  // DKIM needs the network (DNS): done before the transaction, only for decisions, only when required.
  const dkim = classification.kind === 'agent-reply' && deps.config.REQUIRE_DKIM && mail.from
    ? await deps.checkDkim(row.raw ?? (await findInboundById(deps.database.db, row.id))?.raw ?? Buffer.alloc(0), mail.from.address.split('@').pop()!)
    : 'not-checked' as const;

  const result = await deps.database.db.transaction(async (tx): Promise<ProcessResult | null> => {
    // Another instance (or a replay) may have handled this row meanwhile: lock it and look again.
    const [current] = await tx.select({ status: inboundMessages.status }).from(inboundMessages).where(eq(inboundMessages.id, row.id)).for('update');
    if (current?.status !== 'stored') return null;
    const ctx: MessageContext = { deps, tx, row, mail, contents, outcome, now };
    switch (classification.kind) {
      case 'ignored':
      case 'unrelated': {
        const ticket = lookups.threadTicket;
        if (ticket && classification.kind === 'ignored') {
          await insertEvents(tx, [{ ticketId: ticket.id, at: now, kind: 'mail_ignored', actor: 'liquibot', detail: { inboundMessageId: row.id, reason: classification.reason } }]);
        }
        await markInboundProcessed(tx, row.id, { outcome, ticketId: ticket?.id ?? null, messageId: mail.messageId, now });
        return { outcome, ticketRef: ticket?.ref ?? null, mailsQueued: 0 };
      }
      case 'new-request':
        return openTicket(ctx);
      case 'follow-up':
        return continueTicket(ctx, classification.ticket);
      case 'agent-reply':
        return handleAgentReply(ctx, classification.ticket, classification.boundTicketIds, dkim);
      case 'agent-unbound':
        return handleAgentUnbound(ctx, classification.ticket);
    }
  });
  if (!result) {
    log.info('mail already processed elsewhere');
    return { outcome: 'already-processed', ticketRef: null, mailsQueued: 0 };
  }
  log.info({ outcome: result.outcome, ticketRef: result.ticketRef, mailsQueued: result.mailsQueued }, 'mail processed');
  return result;
}

async function quarantine(deps: PipelineDeps, row: InboundMessageRow, code: string, detail: string, now: Date): Promise<ProcessResult> {
  await quarantineInbound(deps.database.db, row.id, { code, detail, now });
  return { outcome: 'quarantined', ticketRef: null, mailsQueued: 0 };
}

/**
 * A message over MAX_MESSAGE_BYTES: kept (its header, or all of it when it was downloaded) and
 * quarantined; its sender is told, unless the header says a machine sent it. Nothing is dropped.
 */
async function quarantineTooLarge(deps: PipelineDeps, row: InboundMessageRow, now: Date): Promise<ProcessResult> {
  const detail = `message is ${row.sizeBytes} bytes, MAX_MESSAGE_BYTES is ${deps.config.MAX_MESSAGE_BYTES}`;
  let mail: InboundMail | null = null;
  try {
    mail = await parseMail(row.raw!);
  } catch {
    // No readable header: nobody to tell.
  }
  const own = { addresses: [deps.config.MAIL_FROM], messageIdDomain: deps.config.messageIdDomain };
  const to = mail?.from && !detectIgnoreReason(mail, own) ? mail.from.address : null;
  let queued = 0;
  await deps.database.db.transaction(async (tx) => {
    await quarantineInbound(tx, row.id, { code: 'MAIL_TOO_LARGE', detail, now });
    if (!to || !mail || !(await noticeAllowed(deps, tx, to, now))) return;
    const rendered = deps.templates.render('too-large', {
      requester: { email: to, name: mail.from!.name || null }, subject: mail.subject.slice(0, 500),
      receivedAt: row.receivedAt, sizeBytes: row.sizeBytes, maxBytes: deps.config.MAX_MESSAGE_BYTES,
    });
    if (await enqueueMail(tx, outboxRowFor({
      purposeKey: `too-large:${row.id}`, kind: 'too-large', ticketId: null, ticketRef: null, to, rendered,
      messageIdDomain: deps.config.messageIdDomain, parent: mail, autoSubmitted: 'auto-replied', now,
    }))) queued = 1;
  });
  return { outcome: 'quarantined', ticketRef: null, mailsQueued: queued };
}

/** The tickets a mail may belong to: by thread, by the reference in its subject, by approval binding. */
async function lookUpTickets(deps: PipelineDeps, mail: InboundMail): Promise<{ threadTicket: Ticket | null; subjectTicket: Ticket | null; approvalTickets: Ticket[] }> {
  const db = deps.database.db;
  const ids = [...new Set([mail.inReplyTo, ...mail.references].filter((v): v is string => !!v))];
  const ref = findTicketRef(mail.subject);
  const subjectTicket = ref ? await findTicketByRef(db, ref) : null;
  const threadTicket = (await findTicketByMessageIds(db, ids)) ?? subjectTicket;
  const tokenHashes = findApprovalTokens(`${mail.text}\n${mail.html ?? ''}`).map(hashApprovalToken);
  const conditions = [
    ...(ids.length ? [inArray(tickets.approvalMessageId, ids)] : []),
    ...(tokenHashes.length ? [inArray(tickets.approvalTokenHash, tokenHashes)] : []),
  ];
  const approvalTickets = conditions.length === 0 ? [] : await db.select().from(tickets).where(or(...conditions)).orderBy(tickets.id);
  return { threadTicket, subjectTicket, approvalTickets };
}
