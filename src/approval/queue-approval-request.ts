import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Config } from '../config';
import { LOCK_KEYS, type Db, type Tx } from '../db/client';
import { tickets, type NewTicketEvent, type Ticket } from '../db/schema';
import { approvalFactsOf, type ApprovalFacts, type Sibling } from '../db/approval-fact-queries';
import { bindApprovalRequest } from '../db/ticket-queries';
import { writeBehind } from '../db/write-behind';
import type { DocumentCache } from '../mail/document-cache';
import type { AttachmentContent } from '../mail/parse-mail';
import { queueTicketMail, type QueueDeps } from '../outbox/queue-ticket-mail';
import { documentsAwaitingReading } from '../workflow/ticket-check';
import { readingLine, readingWarnings, type ReadingSummary } from '../documents/reading-summary';
import { approvalSecretOf } from './approval-links';
import { approvalTokenFor, hashApprovalToken, newApprovalMessageId, newApprovalToken } from './approval-token';
import { approvalChecks, approvalMailtos, approvalWarnings, type WarningFacts } from './approval-request-vars';
import { domainOf, isFreeMailDomain, organisationDomainOf } from './warnings';

const RECENT_DAYS = 30;

/** What handing a ticket to the agents needs. */
export interface ApprovalDeps extends QueueDeps {
  config: Pick<Config, 'AGENTS_ADDRESS' | 'MAIL_FROM' | 'messageIdDomain' | 'AGENT_SENDERS' | 'RESET_LINK_SECRET' | 'DATABASE_URL' | 'DATA_DIR'>;
  /** Hands the court documents decoded at intake to the outbox (a shortcut; absent in some tests). */
  documents?: DocumentCache | undefined;
  /** True when a document reader runs: the approval request waits until the documents are read. */
  awaitDocumentReading?: boolean | undefined;
}

/**
 * Serialises the approval requests of one company across transactions and instances (held until
 * commit): the check "is one already before the agents?" and the release after a decision cannot
 * interleave. Nothing slow runs under it: documents are read before the transaction.
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
  deps: ApprovalDeps, tx: Tx, ticket: Ticket, now: Date, purpose: string, known: ReadonlyMap<string, AttachmentContent>, events: NewTicketEvent[],
  opts: { fresh?: boolean | undefined } = {},
): Promise<boolean> {
  // The agents decide on the court document: with a reader, the approval request waits for its reading
  // (src/workflow/read-documents.ts reads it after this commit, bounded by DOCUMENT_APPROVAL_WAIT_MS).
  if (deps.awaitDocumentReading && documentsAwaitingReading(ticket.check)) {
    events.push({ ticketId: ticket.id, at: now, kind: 'approval_waiting', actor: 'liquibot', detail: { reason: 'reading' } });
    // The approval request that follows the reading attaches these documents: hand the decoded ones to the
    // outbox now, or it decodes the stored source again (a 40 MiB document cost the daemon 500 MB that way).
    for (const d of ticket.check.documents) {
      const doc = known.get(d.sha256);
      if (doc) deps.documents?.put(doc);
    }
    return false;
  }
  let facts: ApprovalFacts | undefined;
  if (ticket.siret) {
    // The lock and the facts go in one write: the facts statement starts (and takes its snapshot) only
    // once the lock is held, as if awaited one after the other.
    [, facts] = await Promise.all([lockSiret(tx, ticket.siret), approvalFactsOf(tx, ticket, now, RECENT_DAYS)]);
    const before = facts.siblings.find(isBeforeTheAgents);
    if (before) {
      events.push(
        { ticketId: ticket.id, at: now, kind: 'approval_waiting', actor: 'liquibot', detail: { behind: before.ref } },
        { ticketId: before.id, at: now, kind: 'same_siret_request', actor: 'liquibot', detail: { ticketRef: ticket.ref } },
      );
      return false;
    }
  }
  await queueApprovalRequest(deps, tx, ticket, now, purpose, events, { known, facts, fresh: opts.fresh });
  return true;
}

/** Its approval request is out and no decision is made yet. */
const isBeforeTheAgents = (t: Sibling) => t.status === 'awaiting_approval' && t.approvalMessageId !== null;

/**
 * After a decision on one of a company's tickets: the oldest request that waited behind it goes to the
 * agents now. Returns its reference, or null when none waited.
 */
export async function releaseWaitingApproval(deps: ApprovalDeps, tx: Tx, siret: string, now: Date, events: NewTicketEvent[]): Promise<string | null> {
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
  await queueApprovalRequest(deps, tx, next, now, 'approval-request:released', events);
  return next.ref;
}

/**
 * Hand a conforming ticket to the agents: one approval request with a fresh unguessable token and
 * Message-ID (both bind the agents' replies), the court documents attached, and the warnings (the
 * documents' SIREN scans were made at intake and are on the ticket's check). Runs inside the ticket's
 * transaction.
 */
export async function queueApprovalRequest(
  deps: ApprovalDeps, tx: Tx, ticket: Ticket, now: Date, purpose: string, events: NewTicketEvent[],
  opts: {
    /** Attachment contents already decoded by the caller, by SHA-256, for the outbox's cache. */
    known?: ReadonlyMap<string, AttachmentContent> | undefined;
    /** The request's facts when the caller has read them already (under the company's lock). */
    facts?: ApprovalFacts | undefined;
    /** The ticket was created by this transaction (queueTicketMail's `fresh`). */
    fresh?: boolean | undefined;
  } = {},
): Promise<void> {
  const check = ticket.check;
  const messageId = newApprovalMessageId(deps.config.messageIdDomain);
  // Derived, not random, so that the digest and the answer to a misread reply can show the same links again.
  const secret = approvalSecretOf(deps.config);
  const token = secret ? approvalTokenFor(secret, messageId) : newApprovalToken();
  const { warnings, administratorName, companyName, readings } = await pointsOfAttention(deps.config, tx, ticket, now, opts.facts);
  // The mail and the ticket's binding to it go in one write (neither waits for the other's result), and
  // in a settling transaction with what follows (write-behind.ts).
  const bind = writeBehind(tx, bindApprovalRequest(tx, ticket.id, { messageId, tokenHash: hashApprovalToken(token), now }));
  await Promise.all([queueTicketMail(deps, tx, ticket, {
    template: 'approval-request',
    vars: {
      ticketRef: ticket.ref,
      requester: { email: ticket.requesterEmail, name: ticket.requesterName || null },
      receivedAt: ticket.createdAt,
      siret: ticket.siret!,
      liquidatorEmail: ticket.liquidatorEmail!,
      checks: approvalChecks(check),
      warnings,
      // Neither the request nor the accounts directory names the company: the court document does, when read.
      companyName,
      documentReadings: readings.map((r) => readingLine(r.filename, r.reading)),
      administratorName,
      ...approvalMailtos(deps.config.MAIL_FROM, ticket.ref, token),
      approvalToken: token,
    },
    to: deps.config.AGENTS_ADDRESS, purpose, parent: null, autoSubmitted: 'auto-generated', replyTo: deps.config.MAIL_FROM, messageId,
    attachments: check.documents.map((d) => ({ inboundMessageId: d.inboundMessageId, sha256: d.sha256, filename: d.filename })),
  }, now, events, { fresh: opts.fresh }), bind]);
  for (const d of check.documents) {
    const doc = opts.known?.get(d.sha256);
    if (doc) deps.documents?.put(doc);
  }
  events.push({
    ticketId: ticket.id, at: now, kind: 'approval_requested', actor: 'liquibot',
    detail: { purpose, warnings: warnings.length, documents: check.documents.length },
  });
}

/** liquibot's, the agents' and the allow-listed agents' addresses: whose domains a liquidator must not sit on. */
type OwnAddresses = Pick<Config, 'MAIL_FROM' | 'AGENTS_ADDRESS' | 'AGENT_SENDERS'>;

/** What the agents are told about a request: its points d'attention and what the documents say. */
export interface PointsOfAttention {
  warnings: string[];
  administratorName: string | null;
  companyName: string | null;
  readings: { filename: string | null; reading: ReadingSummary }[];
}

/**
 * The points d'attention of a request as of `now`, each with its reason: the approval request's, and the
 * console's (which recomputes them read-only, so a request that arrived since is listed too). Reads only.
 */
export async function pointsOfAttention(
  config: OwnAddresses, db: Db | Tx, ticket: Ticket, now: Date, known?: ApprovalFacts,
): Promise<PointsOfAttention> {
  const check = ticket.check;
  const facts = known ?? await approvalFactsOf(db, ticket, now, RECENT_DAYS);
  const others = facts.siblings.slice(0, 5).map(({ ref, status, liquidatorEmail }) => ({
    ref, status, otherLiquidator: liquidatorEmail && ticket.liquidatorEmail && liquidatorEmail !== ticket.liquidatorEmail ? liquidatorEmail : null,
  }));
  const siren = ticket.siret?.slice(0, 9) ?? null;
  const administratorName = facts.administratorName;
  const warnings = approvalWarnings({
    otherTickets: others,
    liquidatorOnFreeMail: ticket.liquidatorEmail ? isFreeMailDomain(ticket.liquidatorEmail) : false,
    // Documents the reader read are judged by what it read (below); the old scan only speaks for the others.
    sirenInPdfs: check.documents.flatMap((d) => {
      if (d.kind !== 'pdf' || d.reading) return [];
      return [d.sirenScan && d.sirenScan.siren === siren ? d.sirenScan.result : 'not-scanned' as const];
    }),
    otherDocuments: check.documents.filter((d) => d.kind !== 'pdf').length,
    accountKnown: administratorName !== null,
    linkReissues: ticket.linkReissues,
    changes: check.changes ?? [],
    ...identityFacts(config, ticket, facts),
  });
  const readings = check.documents.flatMap((d) => (d.reading ? [{ filename: d.filename, reading: d.reading }] : []));
  warnings.unshift(...readingWarnings(readings));
  const companyName = readings.find((r) => r.reading.company)?.reading.company?.value ?? null;
  return { warnings, administratorName, companyName, readings };
}

/**
 * Who the request names, compared with what liquibot knows: the liquidator's domain against the
 * requester's and liquibot's own, the liquidator address on other companies' recent requests, and
 * whether the requester ever wrote before. Reads only; the agents judge.
 */
function identityFacts(
  config: OwnAddresses, ticket: Ticket, facts: ApprovalFacts,
): Pick<WarningFacts, 'domains' | 'liquidatorOnOwnDomain' | 'liquidatorElsewhere' | 'requesterNew'> {
  const liquidator = ticket.liquidatorEmail;
  if (!liquidator) return { domains: null, liquidatorOnOwnDomain: null, liquidatorElsewhere: { count: 0, refs: [] }, requesterNew: !facts.requesterKnown };
  const elsewhere = facts.liquidatorElsewhere;
  const liquidatorOrg = organisationDomainOf(liquidator);
  const requesterOrg = organisationDomainOf(ticket.requesterEmail);
  const own = ownDomains(config);
  return {
    domains: liquidatorOrg !== requesterOrg ? { liquidator: domainOf(liquidator), requester: domainOf(ticket.requesterEmail) } : null,
    liquidatorOnOwnDomain: own.has(liquidatorOrg) ? liquidatorOrg : null,
    liquidatorElsewhere: { count: elsewhere.length, refs: elsewhere.slice(0, 5) },
    requesterNew: !facts.requesterKnown,
  };
}

/** The organisation domains of liquibot, the agents' shared address and every allow-listed agent. */
function ownDomains(config: OwnAddresses): Set<string> {
  const entries = (config.AGENT_SENDERS ?? '').split(/[\s,;]+/).filter(Boolean).map((e) => (e.startsWith('@') ? `x${e}` : e));
  return new Set([config.MAIL_FROM, config.AGENTS_ADDRESS, ...entries].map(organisationDomainOf));
}
