import type { Config } from '../config';
import type { Database, Tx } from '../db/client';
import type { InboundMessageRow, Ticket } from '../db/schema';
import { markInboundProcessed, quarantineInbound } from '../db/inbound-queries';
import { countRecentMailTo, enqueueMail } from '../db/outbox-queries';
import {
  findTicketByMessageIds, findTicketByRef, insertEvents, insertTicket, lockTicket, nextTicketId, updateTicket,
} from '../db/ticket-queries';
import { isAppError } from '../errors';
import type { Logger } from '../log';
import { parseMail } from '../mail/parse-mail';
import type { InboundMail } from '../../parsers/inbound-mail';
import { checkRequest } from '../../parsers/check-request';
import { findTicketRef } from '../../parsers/subject';
import { classifyMail, outcomeOf, type Classification } from './classify';
import { decideFollowUp, decideNewRequest, type TicketDecision } from './decide-intake';
import { outboxRowFor, type RenderedMail } from './outgoing-mail';
import { formatTicketRef } from './ticket-ref';
import type { TicketCheck } from './ticket-check';
import { intakeMailVars } from './intake-mail-vars';

export interface MailRenderer {
  render(name: string, vars: unknown): RenderedMail;
}

export interface PipelineDeps {
  database: Database;
  config: Config;
  templates: MailRenderer;
  log: Logger;
  now: () => Date;
}

export interface ProcessResult {
  outcome: string;
  ticketRef: string | null;
  mailsQueued: number;
}

/** Kinds of mail that count against the per-sender notice limit. */
const RATE_LIMITED_KINDS = ['non-conformity'];

/**
 * Process one stored inbound message: parse, classify, decide, and commit ticket, history, outbox rows
 * and the message's status in one transaction. A message already processed is not processed again.
 */
export async function processInbound(deps: PipelineDeps, row: InboundMessageRow): Promise<ProcessResult> {
  if (row.status !== 'stored') {
    return { outcome: row.outcome ?? row.status, ticketRef: null, mailsQueued: 0 };
  }
  const log = deps.log.child({ inboundId: row.id });
  const now = deps.now();
  if (!row.raw) {
    await quarantineInbound(deps.database.db, row.id, { code: 'RAW_MISSING', detail: 'raw source was purged before processing', now });
    return { outcome: 'quarantined', ticketRef: null, mailsQueued: 0 };
  }
  if (row.sizeBytes > deps.config.MAX_MESSAGE_BYTES) {
    await quarantineInbound(deps.database.db, row.id, {
      code: 'MAIL_TOO_LARGE',
      detail: `message is ${row.sizeBytes} bytes, MAX_MESSAGE_BYTES is ${deps.config.MAX_MESSAGE_BYTES}`,
      now,
    });
    log.warn({ sizeBytes: row.sizeBytes }, 'message quarantined: too large');
    return { outcome: 'quarantined', ticketRef: null, mailsQueued: 0 };
  }

  let mail: InboundMail;
  try {
    mail = await parseMail(row.raw);
  } catch (err) {
    if (!isAppError(err, 'MAIL_UNPARSEABLE')) throw err;
    const cause = (err.cause as Error | undefined)?.message ?? err.message;
    await quarantineInbound(deps.database.db, row.id, { code: err.code, detail: cause, now });
    log.warn({ code: err.code }, 'message quarantined: unparseable');
    return { outcome: 'quarantined', ticketRef: null, mailsQueued: 0 };
  }

  const own = { addresses: [deps.config.MAIL_FROM], messageIdDomain: deps.config.messageIdDomain };
  const threadTicket = await findThreadTicket(deps.database, mail);
  const classification = classifyMail({ mail, own, threadTicket });
  const outcome = outcomeOf(classification);

  const result = await deps.database.db.transaction(async (tx) => {
    switch (classification.kind) {
      case 'ignored':
      case 'unrelated':
        if (threadTicket && classification.kind === 'ignored') {
          await insertEvents(tx, [{
            ticketId: threadTicket.id, kind: 'mail_ignored', actor: 'liquibot',
            detail: { inboundMessageId: row.id, reason: classification.reason },
          }]);
        }
        await markInboundProcessed(tx, row.id, { outcome, ticketId: threadTicket?.id ?? null, messageId: mail.messageId, now });
        return { outcome, ticketRef: threadTicket?.ref ?? null, mailsQueued: 0 };
      case 'new-request':
        return openTicket(deps, tx, row, mail, outcome, now);
      case 'follow-up':
        return continueTicket(deps, tx, row, mail, classification, outcome, now);
    }
  });
  log.info({ outcome: result.outcome, ticketRef: result.ticketRef, mailsQueued: result.mailsQueued }, 'mail processed');
  return result;
}

async function findThreadTicket(database: Database, mail: InboundMail): Promise<Ticket | null> {
  const ids = [...new Set([mail.inReplyTo, ...mail.references].filter((v): v is string => !!v))];
  const byThread = await findTicketByMessageIds(database.db, ids);
  if (byThread) return byThread;
  const ref = findTicketRef(mail.subject);
  return ref ? findTicketByRef(database.db, ref) : null;
}

async function noticeAllowed(deps: PipelineDeps, tx: Tx, to: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - deps.config.NOTICE_RATE_WINDOW_MINUTES * 60_000);
  return (await countRecentMailTo(tx, to, RATE_LIMITED_KINDS, since)) < deps.config.NOTICE_RATE_LIMIT;
}

async function openTicket(
  deps: PipelineDeps, tx: Tx, row: InboundMessageRow, mail: InboundMail, outcome: string, now: Date,
): Promise<ProcessResult> {
  const requester = mail.from!.address;
  const check = checkRequest(mail);
  const decision = decideNewRequest({
    mail, check, inboundMessageId: row.id, noticeAllowed: await noticeAllowed(deps, tx, requester, now),
  });
  const id = await nextTicketId(tx);
  const ticket = await insertTicket(tx, {
    id,
    ref: formatTicketRef(id, now, deps.config.TIMEZONE),
    status: decision.status,
    requesterEmail: requester,
    requesterName: mail.from!.name,
    subject: mail.subject.slice(0, 500),
    siret: decision.check.siret,
    liquidatorEmail: decision.check.liquidatorEmail,
    check: decision.check,
    rootMessageId: mail.messageId,
    createdAt: now,
    updatedAt: now,
  });
  const queued = await applyDecision(deps, tx, ticket, decision, mail, now);
  await markInboundProcessed(tx, row.id, { outcome, ticketId: ticket.id, messageId: mail.messageId, now });
  return { outcome: `${outcome}:${decision.status}`, ticketRef: ticket.ref, mailsQueued: queued };
}

async function continueTicket(
  deps: PipelineDeps, tx: Tx, row: InboundMessageRow, mail: InboundMail,
  c: Extract<Classification, { kind: 'follow-up' }>, outcome: string, now: Date,
): Promise<ProcessResult> {
  const ticket = (await lockTicket(tx, c.ticket.id))!;
  const decision = decideFollowUp({
    ticket: { status: ticket.status, check: ticket.check as TicketCheck, requesterEmail: ticket.requesterEmail },
    mail, check: checkRequest(mail), inboundMessageId: row.id,
    noticeAllowed: await noticeAllowed(deps, tx, ticket.requesterEmail, now),
  });
  await updateTicket(tx, ticket.id, {
    status: decision.status, check: decision.check, siret: decision.check.siret,
    liquidatorEmail: decision.check.liquidatorEmail, updatedAt: now,
  });
  const updated = { ...ticket, status: decision.status, check: decision.check, siret: decision.check.siret, liquidatorEmail: decision.check.liquidatorEmail };
  const queued = await applyDecision(deps, tx, updated, decision, mail, now);
  await markInboundProcessed(tx, row.id, { outcome, ticketId: ticket.id, messageId: mail.messageId, now });
  return { outcome: `${outcome}:${decision.status}`, ticketRef: ticket.ref, mailsQueued: queued };
}

/** Write the decision's history and mails; returns how many mails were queued. */
async function applyDecision(
  deps: PipelineDeps, tx: Tx, ticket: Ticket, decision: TicketDecision, mail: InboundMail, now: Date,
): Promise<number> {
  await insertEvents(tx, decision.events.map((e) => ({
    ticketId: ticket.id, at: now, kind: e.kind, actor: e.actor, fromStatus: e.fromStatus ?? null, toStatus: e.toStatus ?? null, detail: e.detail,
  })));
  let queued = 0;
  for (const draft of decision.mails) {
    const rendered = deps.templates.render(draft.template, intakeMailVars(draft, ticket, mail));
    const purposeKey = `${ticket.ref}:${draft.purpose}`;
    const inserted = await enqueueMail(tx, outboxRowFor({
      purposeKey, kind: draft.template, ticketId: ticket.id, ticketRef: ticket.ref, to: draft.to, rendered,
      messageIdDomain: deps.config.messageIdDomain, parent: draft.inReplyToInbound ? mail : null,
      autoSubmitted: draft.inReplyToInbound ? 'auto-replied' : 'auto-generated', now,
    }));
    if (inserted) {
      queued += 1;
      await insertEvents(tx, [{
        ticketId: ticket.id, at: now, kind: 'mail_queued', actor: 'liquibot',
        detail: { mail: draft.template, purposeKey, template: rendered.templateName, templateVersion: rendered.templateVersion },
      }]);
    }
  }
  return queued;
}
