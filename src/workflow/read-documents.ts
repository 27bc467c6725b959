import { and, eq, isNull } from 'drizzle-orm';
import { findInboundById } from '../db/inbound-queries';
import { tickets, type Ticket } from '../db/schema';
import { lockTicket } from '../db/ticket-queries';
import type { DocumentReader } from '../documents/read-document';
import { summariseReading, type ReadingSummary } from '../documents/reading-summary';
import { errorFields } from '../log';
import { extractAttachments, type AttachmentContent } from '../mail/parse-mail';
import { applyDecision } from './apply-decision';
import type { DocumentReadingQueue, PipelineDeps } from './context';
import type { TicketDecision } from './decision';
import { DECIDABLE_STATUSES } from './ticket-transitions';
import type { TicketCheck } from './ticket-check';

/**
 * The readings are in: the documents keep what was read, and the request goes to the agents (unless
 * another request of the company is before them: requestApproval decides). Pure.
 */
export function decideDocumentsRead(ticket: Pick<Ticket, 'check'>, readings: ReadonlyMap<string, ReadingSummary>): TicketDecision {
  const check: TicketCheck = {
    ...ticket.check,
    documents: ticket.check.documents.map((d) => (d.reading ? d : { ...d, reading: readings.get(d.sha256) ?? { status: 'pending', siren: null, court: null, judgmentDate: null, company: null, liquidator: null, liquidation: null } })),
  };
  return { transition: null, patch: { check }, events: [], actions: [{ kind: 'request-approval', purpose: 'approval-request:read' }] };
}

/**
 * The approval request of a conforming request waits for the reading of its documents, up to
 * `waitMs`; past that it goes without it, saying so ("lecture non terminée"). The reading happens
 * outside any transaction and lock; the result is written, and the approval request queued, in one
 * transaction on the locked ticket, only if it still awaits the agents and nothing was sent yet (so
 * several instances reading the same request send one approval request).
 */
export function createDocumentReadingQueue(deps: PipelineDeps, reader: DocumentReader, opts: { waitMs: number; onQueued?: () => void }): DocumentReadingQueue {
  const running = new Map<number, Promise<void>>();
  const log = deps.log.child({ job: 'document-reading' });

  async function readFor(ticketId: number): Promise<void> {
    const [ticket] = await deps.database.db.select().from(tickets).where(eq(tickets.id, ticketId));
    if (!ticket || !DECIDABLE_STATUSES.includes(ticket.status) || ticket.approvalMessageId) return;
    const pending = ticket.check.documents.filter((d) => d.reading === undefined);
    if (pending.length === 0) return;
    const readings = new Map<string, ReadingSummary>();
    // Larger than the reader takes: not even extracted (decoding it again costs the daemon several times its size).
    for (const d of pending.filter((doc) => doc.size > reader.options.maxBytes)) {
      readings.set(d.sha256, summariseReading({ status: 'unreadable', reason: 'TOO_LARGE', detail: `${d.size} bytes`, elapsedMs: 0 }, ticket.siret));
    }
    const wanted = pending.filter((d) => d.size <= reader.options.maxBytes);
    const started = Date.now();
    for (const inboundId of new Set(wanted.map((d) => d.inboundMessageId))) {
      const docs = wanted.filter((d) => d.inboundMessageId === inboundId);
      // Decoded at intake and waiting in memory for the approval request: read from there. Decoding the
      // stored source again (after a restart, or on another instance) costs the daemon several times the
      // message's size for a moment (a 17 MB request: 151 → 332 MB peak).
      let contents = docs.map((d) => deps.documents?.peek(d.sha256)).filter((c): c is AttachmentContent => c !== undefined);
      const missing = docs.filter((d) => !contents.some((c) => c.sha256 === d.sha256));
      if (missing.length > 0) {
        try {
          const row = await findInboundById(deps.database.db, inboundId);
          contents = [...contents, ...(row?.raw ? await extractAttachments(row.raw, missing.map((d) => d.sha256)) : [])];
        } catch (err) {
          log.warn({ ticketId, inboundId, ...errorFields(err) }, 'court document could not be extracted for reading');
        }
      }
      for (const d of docs) {
        const content = contents.find((c) => c.sha256 === d.sha256);
        const left = Math.max(0, opts.waitMs - (Date.now() - started));
        const reading = content ? await withinBound(reader.readDocument(content.content, d.kind), left) : 'pending' as const;
        // The daemon is stopping: leave the request for the sweep after the restart.
        if (reading !== 'pending' && reading.status === 'unreadable' && reading.reason === 'CANCELLED') return;
        readings.set(d.sha256, summariseReading(reading, ticket.siret));
      }
    }
    const queued = await deps.database.db.transaction(async (tx) => {
      const locked = await lockTicket(tx, ticketId);
      if (!locked || !DECIDABLE_STATUSES.includes(locked.status) || locked.approvalMessageId) return 0;
      const applied = await applyDecision(deps, tx, locked, decideDocumentsRead(locked, readings), { now: deps.now() });
      return applied.mailsQueued;
    });
    log.info({ ticketId, documents: readings.size, ms: Date.now() - started, mailsQueued: queued }, 'court documents read');
    if (queued > 0) opts.onQueued?.();
  }

  return {
    kick(ticketId) {
      if (running.has(ticketId)) return;
      const job = readFor(ticketId)
        .catch((err) => log.error({ ticketId, ...errorFields(err) }, 'reading the court documents failed; the sweep tries again'))
        .finally(() => running.delete(ticketId));
      running.set(ticketId, job);
    },
    async sweep() {
      const waiting = await deps.database.db.select({ id: tickets.id, check: tickets.check }).from(tickets)
        .where(and(eq(tickets.status, 'awaiting_approval'), isNull(tickets.approvalMessageId))).limit(200);
      let kicked = 0;
      for (const t of waiting) {
        if (t.check.documents.some((d) => d.reading === undefined)) {
          this.kick(t.id);
          kicked += 1;
        }
      }
      return kicked;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}

/** The reading, or 'pending' when it does not finish within `ms` (it goes on and is dropped). */
async function withinBound<T>(reading: Promise<T>, ms: number): Promise<T | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([reading, late]);
  } finally {
    clearTimeout(timer);
  }
}
