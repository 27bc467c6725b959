import { and, asc, eq, lte, sql } from 'drizzle-orm';
import { rowsOf } from '../db/client';
import { ticketEvents, tickets } from '../db/schema';
import { enqueueMail } from '../db/outbox-queries';
import { insertEvents } from '../db/ticket-queries';
import { LOCK_KEYS } from '../db/client';
import { outboxRowFor } from '../outbox/outgoing-mail';
import type { PipelineDeps } from '../workflow/context';

/**
 * One digest to the agents listing the requests that have waited for a decision longer than
 * REMINDER_AFTER_HOURS and were not reminded since they started waiting. Runs under a transaction-level
 * advisory lock: with several instances, one digest per run.
 */
export async function sendReminderDigest(deps: Pick<PipelineDeps, 'database' | 'config' | 'templates'>, now: Date): Promise<{ reminded: number }> {
  const threshold = new Date(now.getTime() - deps.config.REMINDER_AFTER_HOURS * 3_600_000);
  return deps.database.db.transaction(async (tx) => {
    const [lock] = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${LOCK_KEYS.jobs}) as ok`));
    if (!lock?.ok) return { reminded: 0 };
    const waiting = await tx
      .select()
      .from(tickets)
      .where(and(
        eq(tickets.status, 'awaiting_approval'),
        lte(tickets.updatedAt, threshold),
        sql`not exists (select 1 from ${ticketEvents} e where e.ticket_id = ${tickets.id} and e.kind = 'reminded' and e.at >= ${tickets.updatedAt})`,
      ))
      .orderBy(asc(tickets.updatedAt))
      .limit(200);
    if (waiting.length === 0) return { reminded: 0 };
    const rendered = deps.templates.render('reminder-digest', {
      thresholdHours: deps.config.REMINDER_AFTER_HOURS,
      generatedAt: now,
      requests: waiting.map((t) => ({
        ticketRef: t.ref, siret: t.siret, requesterEmail: t.requesterEmail, receivedAt: t.createdAt,
        waitingHours: Math.floor((now.getTime() - t.updatedAt.getTime()) / 3_600_000),
      })),
    });
    const purposeKey = `reminder-digest:${waiting.map((t) => `${t.id}@${t.updatedAt.getTime()}`).join(',')}`.slice(0, 2000);
    await enqueueMail(tx, outboxRowFor({
      purposeKey, kind: 'reminder-digest', ticketId: null, ticketRef: null, to: deps.config.AGENTS_ADDRESS, rendered,
      messageIdDomain: deps.config.messageIdDomain, parent: null, autoSubmitted: 'auto-generated', now,
    }));
    await insertEvents(tx, waiting.map((t) => ({ ticketId: t.id, at: now, kind: 'reminded', actor: 'liquibot', detail: { purposeKey: purposeKey.slice(0, 200) } })));
    return { reminded: waiting.length };
  });
}
