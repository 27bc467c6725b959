import type { Db, Tx } from '../db/client';
import { lockTicket } from '../db/ticket-queries';
import { applyRecordDecision } from './apply-decision';
import { decidePersonHandled } from './decide-handoff';

/**
 * The person a request waited for was answered (`liquibot tickets handled`, the console's « Marquer
 * traité »): the ticket row locked, decidePersonHandled, applied by the one apply path. False when the
 * request no longer waited for a person (someone else marked it, or an agent decided, in the meantime).
 */
export async function markPersonHandled(
  db: Db, ticketId: number, actor: string, via: 'terminal' | 'console', now: Date,
  /** Runs in the same transaction, with the outcome (the console's audit line: both or neither). */
  also?: (tx: Tx, handled: boolean) => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const ticket = await lockTicket(tx, ticketId);
    const decision = ticket ? decidePersonHandled(ticket, actor, via) : null;
    if (ticket && decision) await applyRecordDecision(tx, ticket, decision, now);
    await also?.(tx, !!(ticket && decision));
    return !!(ticket && decision);
  });
}
