import { sql } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from './client';
import { rawStatement, runShape, slot } from './statement-shapes';
import type { Ticket } from './schema';
import { OPEN_STATUSES } from '../workflow/ticket-transitions';

/** Another ticket of the same company, as the approval flow looks at it. */
export interface Sibling {
  id: number;
  ref: string;
  status: Ticket['status'];
  approvalMessageId: string | null;
  liquidatorEmail: string | null;
}

/** What the database knows around a request that is about to go to the agents. */
export interface ApprovalFacts {
  /**
   * The company's other tickets that are open or changed in the last `recentDays`, the ones whose
   * approval request is before the agents first, then by id; at most 50.
   */
  siblings: Sibling[];
  /** The account's administrator in the accounts directory, "NOM Prénom", or null. */
  administratorName: string | null;
  /** The requester wrote an earlier request. */
  requesterKnown: boolean;
  /** The refs of other companies' recent requests naming the same liquidator, newest first; at most 50. */
  liquidatorElsewhere: string[];
}

/**
 * The approval request's facts in one statement. They were four (siblings, directory, requester,
 * liquidator), each a round trip inside the ticket's transaction: on a loaded two-core machine a
 * statement costs the daemon about 0.15 ms in the socket write alone (issue 15's profile). Reads only.
 */
export async function approvalFactsOf(db: Db | Tx, ticket: Ticket, now: Date, recentDays: number): Promise<ApprovalFacts> {
  const since = new Date(now.getTime() - recentDays * 86_400_000).toISOString();
  const siret = ticket.siret;
  const liquidator = ticket.liquidatorEmail;
  // Built once per combination of a SIRET and a liquidator, present or not (statement-shapes).
  const build = () => {
    const open = sql.join(OPEN_STATUSES.map((s) => sql`${s}`), sql`, `);
    const siblings = siret
      ? sql`(select coalesce(json_agg(json_build_object('id', s.id, 'ref', s.ref, 'status', s.status, 'approvalMessageId', s.approval_message_id,
            'liquidatorEmail', s.liquidator_email) order by s.before desc, s.id), '[]'::json)
          from (select id, ref, status, approval_message_id, liquidator_email, (status = 'awaiting_approval' and approval_message_id is not null) as before
            from tickets where siret = ${slot('siret')}::text and id <> ${slot('id')}::integer and (status in (${open}) or updated_at >= ${slot('since')}::timestamptz)
            order by before desc, id limit 50) s)`
      : sql`'[]'::json`;
    const administrator = siret ? sql`(select last_name || ' ' || first_name from accounts where siret = ${slot('siret')}::text)` : sql`null::text`;
    const elsewhere = liquidator
      ? sql`(select coalesce(json_agg(e.ref order by e.id desc), '[]'::json)
          from (select id, ref from tickets where liquidator_email = ${slot('liquidator')}::text and id <> ${slot('id')}::integer
            ${siret ? sql`and siret <> ${slot('siret')}::text` : sql``} and created_at >= ${slot('since')}::timestamptz order by id desc limit 50) e)`
      : sql`'[]'::json`;
    return rawStatement(db, sql`
      select ${siblings} as siblings, ${administrator} as administrator,
        exists (select 1 from tickets where requester_email = ${slot('requester')}::text and id < ${slot('id')}::integer) as requester_known,
        ${elsewhere} as elsewhere`);
  };
  const [row] = rowsOf<{ siblings: Sibling[] | string; administrator: string | null; requester_known: boolean; elsewhere: string[] | string }>(
    await runShape(db, `approvalFacts:${siret ? 's' : '-'}${liquidator ? 'l' : '-'}`, build,
      { siret, liquidator, since, id: ticket.id, requester: ticket.requesterEmail }));
  // json arrives parsed from both drivers; a string only if a driver's json parser is off.
  const parse = <T>(v: T | string): T => (typeof v === 'string' ? JSON.parse(v) as T : v);
  return {
    siblings: parse(row!.siblings),
    administratorName: row!.administrator,
    requesterKnown: row!.requester_known === true || (row!.requester_known as unknown) === 't',
    liquidatorElsewhere: parse(row!.elsewhere),
  };
}
