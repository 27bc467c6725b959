import type { Tx } from '../db/client';
import type { OutboxRow } from '../db/schema';
import { enqueueMail } from '../db/outbox-queries';
import { outboxRowFor } from '../outbox/outgoing-mail';
import type { PipelineDeps } from '../workflow/context';

/**
 * Tell the agents, once, that a mail could not be delivered. Never about a mail to the agents
 * themselves or about another failure report: a broken agents' address must not start a loop.
 */
export async function reportDeliveryFailure(
  deps: Pick<PipelineDeps, 'config' | 'templates'>, tx: Tx, row: OutboxRow,
  failure: { error: string; responseCode: number | null; at: Date; permanent?: boolean; attempts?: number },
): Promise<void> {
  if (row.kind === 'delivery-failure' || row.toAddress === deps.config.AGENTS_ADDRESS) return;
  const rendered = deps.templates.render('delivery-failure', {
    ticketRef: row.ticketRef, recipient: row.toAddress, mailName: row.kind, responseCode: failure.responseCode,
    response: failure.error.slice(0, 2000) || 'no response', failedAt: failure.at,
    permanent: failure.permanent ?? true, attempts: failure.attempts ?? null,
  });
  await enqueueMail(tx, outboxRowFor({
    purposeKey: `delivery-failure:${row.id}`, kind: 'delivery-failure', ticketId: row.ticketId, ticketRef: row.ticketRef,
    to: deps.config.AGENTS_ADDRESS, rendered, messageIdDomain: deps.config.messageIdDomain, parent: null,
    autoSubmitted: 'auto-generated', now: failure.at,
  }));
}
