import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Database } from '../db/client';
import { resetLinks, tickets } from '../db/schema';
import { applyRecordDecision } from '../workflow/apply-decision';
import { decideLinkExpiry } from '../workflow/decide-lifecycle';

/**
 * Mark active links past their expiry as expired, and their tickets (when still running a link) as
 * link_expired, through the state machine. Idempotent and safe on several instances: each link is
 * updated once, and the tickets are locked.
 */
export async function sweepExpiredLinks(database: Database, now: Date): Promise<{ expired: number }> {
  return database.db.transaction(async (tx) => {
    const expired = await tx
      .update(resetLinks)
      .set({ status: 'expired' })
      .where(and(eq(resetLinks.status, 'active'), lte(resetLinks.expiresAt, now)))
      .returning({ id: resetLinks.id, ticketId: resetLinks.ticketId });
    if (expired.length === 0) return { expired: 0 };
    const ids = [...new Set(expired.map((l) => l.ticketId))];
    const locked = await tx.select().from(tickets).where(inArray(tickets.id, ids)).orderBy(asc(tickets.id)).for('update');
    const byId = new Map(locked.map((t) => [t.id, t]));
    for (const link of expired) {
      const ticket = byId.get(link.ticketId);
      if (!ticket) continue;
      const decision = decideLinkExpiry(ticket, link.id);
      await applyRecordDecision(tx, ticket, decision, now);
      if (decision.transition) byId.set(ticket.id, { ...ticket, status: decision.transition.to, updatedAt: now });
    }
    return { expired: expired.length };
  });
}
