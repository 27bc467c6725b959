import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Database } from '../db/client';
import { resetLinks, tickets } from '../db/schema';
import { insertEvents } from '../db/ticket-queries';

/**
 * Mark active links past their expiry as expired, and their tickets (resolved or reissued) as
 * link_expired. Idempotent and safe on several instances: each link is updated once.
 */
export async function sweepExpiredLinks(database: Database, now: Date): Promise<{ expired: number }> {
  return database.db.transaction(async (tx) => {
    const expired = await tx
      .update(resetLinks)
      .set({ status: 'expired' })
      .where(and(eq(resetLinks.status, 'active'), lte(resetLinks.expiresAt, now)))
      .returning({ id: resetLinks.id, ticketId: resetLinks.ticketId });
    if (expired.length === 0) return { expired: 0 };
    const ticketIds = [...new Set(expired.map((l) => l.ticketId))];
    const moved = await tx
      .update(tickets)
      .set({ status: 'link_expired', updatedAt: now })
      .where(and(inArray(tickets.id, ticketIds), inArray(tickets.status, ['resolved', 'reissued', 'link_sent'])))
      .returning({ id: tickets.id });
    const movedIds = new Set(moved.map((t) => t.id));
    await insertEvents(tx, expired.map((l) => ({
      ticketId: l.ticketId, at: now, kind: 'link_expired', actor: 'liquibot',
      fromStatus: null, toStatus: movedIds.has(l.ticketId) ? 'link_expired' : null, detail: { linkId: l.id },
    })));
    return { expired: expired.length };
  });
}
