import type { TicketStatus } from '../db/schema';
import { SERVED_OR_FINAL_STATUSES } from '../workflow/ticket-transitions';
import type { OutboxBodyCandidate, RawRetentionCandidate } from '../db/ops-queries';

/**
 * What retention may remove, as pure rules over what the database says about a row. The purge reads
 * candidates with the coarse part of the rule in SQL and decides each one here, twice: when scanning
 * and again on the locked row inside the purge transaction.
 */

/** Tickets that are over (from the state machine): their mails may lose their raw source once old enough. */
export const CLOSED_TICKET_STATUSES: readonly TicketStatus[] = SERVED_OR_FINAL_STATUSES;

/**
 * A non-conforming ticket unchanged for N days was never completed by its requester: it is over
 * (retention closes it as `abandoned`, and a later mail on its thread is read as a new request).
 */
export function isAbandoned(status: string | null, updatedAt: Date | null, cutoff: Date): boolean {
  return status === 'non_conforming' && updatedAt !== null && updatedAt < cutoff;
}

export const RAW_KEEP_REASONS = [
  'not-processed', 'recent', 'outbox-pending', 'ticket-open', 'ticket-recent',
] as const;
export type RawKeepReason = (typeof RAW_KEEP_REASONS)[number];

export type RetentionDecision<K extends string> = { purge: true } | { purge: false; keep: K };

/** The moment before which a row is old enough, N days before now. */
export function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

/**
 * May the raw source of this inbound message be removed?
 *
 * - never before it was handled (status stored), nor when handled after the cutoff;
 * - never while an unsent outgoing mail still has to attach documents from it;
 * - quarantined and never replayed for N days: yes (the error code, hash and size stay);
 * - no ticket (ignored, unrelated): yes;
 * - with a ticket: only when the ticket is closed (resolved, refused, abandoned) and has not changed
 *   for N days, so a ticket that is still open, or reopened by a late reply, keeps every source it has;
 *   a non-conforming ticket unchanged for N days counts as closed (isAbandoned).
 */
export function rawRetentionDecision(c: RawRetentionCandidate, cutoff: Date): RetentionDecision<RawKeepReason> {
  if (c.status === 'stored') return { purge: false, keep: 'not-processed' };
  if (!c.processedAt || c.processedAt >= cutoff) return { purge: false, keep: 'recent' };
  if (c.awaitedByOutbox) return { purge: false, keep: 'outbox-pending' };
  if (c.status === 'quarantined' || c.ticketId === null) return { purge: true };
  const over = isAbandoned(c.ticketStatus, c.ticketUpdatedAt, cutoff) || (CLOSED_TICKET_STATUSES as readonly string[]).includes(c.ticketStatus ?? '');
  if (!c.ticketStatus || !over) {
    return { purge: false, keep: 'ticket-open' };
  }
  if (!c.ticketUpdatedAt || c.ticketUpdatedAt >= cutoff) return { purge: false, keep: 'ticket-recent' };
  return { purge: true };
}

export type BodyKeepReason = 'unsent' | 'recent';

/**
 * May the body of this outgoing mail be removed? Once sent (or finally failed) before the cutoff.
 * Subject, recipient, Message-ID, template name and version stay: the ticket's history needs them.
 */
export function outboxBodyRetentionDecision(
  c: Pick<OutboxBodyCandidate, 'status' | 'sentAt' | 'createdAt'>, cutoff: Date,
): RetentionDecision<BodyKeepReason> {
  if (c.status !== 'sent' && c.status !== 'failed') return { purge: false, keep: 'unsent' };
  if ((c.sentAt ?? c.createdAt) >= cutoff) return { purge: false, keep: 'recent' };
  return { purge: true };
}

/** A court document as remembered in the `retention_purged` event once its source is gone. */
export interface RetainedDocument {
  filename: string | null;
  kind: string;
  size: number;
  sha256: string;
}

/** The documents of tickets.check that came from this inbound message. */
export function documentsFromMessage(check: unknown, inboundMessageId: number): RetainedDocument[] {
  const documents = (check as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(documents)) return [];
  return documents
    .filter((d) => d && typeof d === 'object' && (d as { inboundMessageId?: unknown }).inboundMessageId === inboundMessageId)
    .map((d) => {
      const { filename, kind, size, sha256 } = d as RetainedDocument;
      return { filename: filename ?? null, kind: String(kind), size: Number(size), sha256: String(sha256) };
    });
}
