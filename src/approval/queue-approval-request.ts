import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, gte, inArray, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import { LOCK_KEYS, type Tx } from '../db/client';
import { inboundMessages, tickets, type NewTicketEvent, type Ticket } from '../db/schema';
import { insertEvents } from '../db/ticket-queries';
import { errorFields } from '../log';
import { extractAttachments, type AttachmentContent } from '../mail/parse-mail';
import { sirenOf } from '../../parsers/siret';
import { queueTicketMail, requesterOf } from '../tickets/queue-ticket-mail';
import type { PipelineDeps } from '../tickets/process-inbound';
import type { TicketCheck } from '../tickets/ticket-check';
import { findSirenInPdf } from './siren-in-pdf';
import { isFreeMailDomain } from './warnings';
import { approvalChecks, approvalMailtos, approvalWarnings } from './approval-request-vars';

const OPEN_STATUSES = ['non_conforming', 'awaiting_approval', 'approved', 'link_sent', 'link_expired', 'reissued'] as const;
const RECENT_DAYS = 30;

/** SHA-256 of an approval token, as stored on the ticket. */
export function hashApprovalToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Serialises the approval requests of one company across transactions and instances (held until
 * commit): the check "is one already before the agents?" and the release after a decision cannot
 * interleave.
 */
async function lockSiret(tx: Tx, siret: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEYS.siretApproval}, hashtext(${siret}))`);
}

/**
 * A new conforming request goes to the agents, unless another request for the same company is already
 * before them (its approval request sent, no decision yet). Then the new one waits, recorded on both
 * tickets (and listed in the reminder digest), and its approval request goes out when that one is
 * decided (releaseWaitingApproval): one approval request per company at a time, and the one that
 * follows warns about the other. Returns whether the approval request was queued now.
 */
export async function requestApproval(
  deps: PipelineDeps, tx: Tx, ticket: Ticket, now: Date, purpose: string, known: Map<string, AttachmentContent> = new Map(),
  /** History lines go here for the caller to insert with its own (see queueTicketMail). */
  events?: NewTicketEvent[],
): Promise<boolean> {
  let siblings: Sibling[] | undefined;
  if (ticket.siret) {
    await lockSiret(tx, ticket.siret);
    siblings = await siblingTickets(tx, ticket, now);
    const before = siblings.find(isBeforeTheAgents);
    if (before) {
      const waiting: NewTicketEvent[] = [
        { ticketId: ticket.id, at: now, kind: 'approval_waiting', actor: 'liquibot', detail: { behind: before.ref } },
        { ticketId: before.id, at: now, kind: 'same_siret_request', actor: 'liquibot', detail: { ticketRef: ticket.ref } },
      ];
      if (events) events.push(...waiting);
      else await insertEvents(tx, waiting);
      return false;
    }
  }
  await queueApprovalRequest(deps, tx, ticket, now, purpose, known, { siblings, events });
  return true;
}

/** Another ticket of the same company, as the approval flow looks at it. */
interface Sibling {
  id: number;
  ref: string;
  status: Ticket['status'];
  approvalMessageId: string | null;
}

/** Its approval request is out and no decision is made yet. */
const isBeforeTheAgents = (t: Sibling) => t.status === 'awaiting_approval' && t.approvalMessageId !== null;

/**
 * The other tickets of the ticket's company that are open or changed in the last RECENT_DAYS (the
 * approval request warns about them), the ones before the agents first: one query serves both the
 * "is one already before the agents?" check and the warning.
 */
async function siblingTickets(tx: Tx, ticket: Ticket, now: Date): Promise<Sibling[]> {
  if (!ticket.siret) return [];
  const since = new Date(now.getTime() - RECENT_DAYS * 86_400_000);
  return tx
    .select({ id: tickets.id, ref: tickets.ref, status: tickets.status, approvalMessageId: tickets.approvalMessageId })
    .from(tickets)
    .where(and(eq(tickets.siret, ticket.siret), ne(tickets.id, ticket.id), or(inArray(tickets.status, [...OPEN_STATUSES]), gte(tickets.updatedAt, since))))
    .orderBy(sql`(${tickets.status} = 'awaiting_approval' and ${tickets.approvalMessageId} is not null) desc`, asc(tickets.id))
    .limit(50);
}

/**
 * After a decision on one of a company's tickets: the oldest request that waited behind it goes to the
 * agents now. Returns its reference, or null when none waited.
 */
export async function releaseWaitingApproval(deps: PipelineDeps, tx: Tx, siret: string, now: Date): Promise<string | null> {
  await lockSiret(tx, siret);
  // A waiting request decided at the terminal leaves the one before the agents there: nothing to release yet.
  const [stillBefore] = await tx
    .select({ id: tickets.id })
    .from(tickets)
    .where(and(eq(tickets.siret, siret), eq(tickets.status, 'awaiting_approval'), isNotNull(tickets.approvalMessageId)))
    .limit(1);
  if (stillBefore) return null;
  const [next] = await tx
    .select()
    .from(tickets)
    .where(and(eq(tickets.siret, siret), eq(tickets.status, 'awaiting_approval'), isNull(tickets.approvalMessageId)))
    .orderBy(asc(tickets.id))
    .limit(1)
    .for('update');
  if (!next) return null;
  await queueApprovalRequest(deps, tx, next, now, 'approval-request:released');
  return next.ref;
}

/**
 * Hand a conforming ticket to the agents: one approval request with a fresh unguessable token and
 * Message-ID (both bind the agents' replies), the court documents attached, and the warnings.
 * Runs inside the ticket's transaction.
 */
export async function queueApprovalRequest(
  deps: PipelineDeps, tx: Tx, ticket: Ticket, now: Date, purpose: string,
  /** Attachment contents already decoded by the caller, by SHA-256; others are read from stored sources. */
  known: Map<string, AttachmentContent> = new Map(),
  /** The company's other tickets when the caller has read them already; history lines to collect instead of inserting. */
  opts: { siblings?: Sibling[] | undefined; events?: NewTicketEvent[] | undefined } = {},
): Promise<void> {
  const check = ticket.check as TicketCheck;
  const token = `ljv-${randomBytes(16).toString('hex')}`;
  const messageId = `<lj.approval.${randomBytes(16).toString('hex')}@${deps.config.messageIdDomain}>`;
  const others = (opts.siblings ?? await siblingTickets(tx, ticket, now)).slice(0, 5).map(({ ref, status }) => ({ ref, status }));
  const warnings = approvalWarnings({
    otherTickets: others,
    liquidatorOnFreeMail: ticket.liquidatorEmail ? isFreeMailDomain(ticket.liquidatorEmail) : false,
    sirenInPdfs: ticket.siret ? await sirenInPdfs(deps, tx, check, sirenOf(ticket.siret), known) : [],
    linkReissues: ticket.linkReissues,
  });
  await queueTicketMail(deps, tx, ticket, {
    template: 'approval-request',
    vars: {
      ticketRef: ticket.ref,
      requester: requesterOf(ticket),
      receivedAt: ticket.createdAt,
      siret: ticket.siret!,
      liquidatorEmail: ticket.liquidatorEmail!,
      checks: approvalChecks(check),
      warnings,
      ...approvalMailtos(deps.config.MAIL_FROM, ticket.ref, token),
      approvalToken: token,
    },
    to: deps.config.AGENTS_ADDRESS, purpose, parent: null, autoSubmitted: 'auto-generated', replyTo: deps.config.MAIL_FROM, messageId,
    attachments: check.documents.map((d) => ({ inboundMessageId: d.inboundMessageId, sha256: d.sha256, filename: d.filename })),
  }, now, opts.events);
  for (const d of check.documents) {
    const doc = known.get(d.sha256);
    if (doc) deps.documents?.put(doc);
  }
  await tx.update(tickets).set({ approvalMessageId: messageId, approvalTokenHash: hashApprovalToken(token), updatedAt: now }).where(eq(tickets.id, ticket.id));
  const requested: NewTicketEvent = {
    ticketId: ticket.id, at: now, kind: 'approval_requested', actor: 'liquibot',
    detail: { purpose, warnings: warnings.length, documents: check.documents.length },
  };
  if (opts.events) opts.events.push(requested);
  else await insertEvents(tx, [requested]);
}

async function sirenInPdfs(
  deps: PipelineDeps, tx: Tx, check: TicketCheck, siren: string, known: Map<string, AttachmentContent>,
): Promise<('found' | 'not-found' | 'unreadable')[]> {
  const results: ('found' | 'not-found' | 'unreadable')[] = [];
  const pdfs: TicketCheck['documents'] = [];
  for (const d of check.documents.filter((doc) => doc.kind === 'pdf')) {
    const content = known.get(d.sha256);
    if (content) results.push(findSirenInPdf(content.content, siren));
    else pdfs.push(d);
  }
  if (pdfs.length === 0) return results;
  for (const inboundId of new Set(pdfs.map((d) => d.inboundMessageId))) {
    const [row] = await tx.select({ raw: inboundMessages.raw }).from(inboundMessages).where(eq(inboundMessages.id, inboundId));
    if (!row?.raw) continue;
    try {
      const contents = await extractAttachments(row.raw, pdfs.filter((d) => d.inboundMessageId === inboundId).map((d) => d.sha256));
      for (const c of contents) results.push(findSirenInPdf(c.content, siren));
    } catch (err) {
      deps.log.warn({ inboundId, ...errorFields(err) }, 'court document could not be read for the SIREN check');
    }
  }
  return results;
}
