import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Ticket } from '../db/schema';
import { pointsOfAttention } from '../approval/queue-approval-request';

/**
 * The points d'attention of a request, as of now. The approval request computes them when it is sent
 * and stores only their number (the `approval_requested` line of the history); the console computes
 * them again, read-only, with the same function (pointsOfAttention), so the agents see today's facts:
 * another request for the company that arrived since is listed too.
 */
export async function currentWarnings(
  db: Db, config: Pick<Config, 'MAIL_FROM' | 'AGENTS_ADDRESS' | 'AGENT_SENDERS'>, ticket: Ticket, now: Date,
): Promise<string[]> {
  return (await pointsOfAttention(config, db, ticket, now)).warnings;
}
