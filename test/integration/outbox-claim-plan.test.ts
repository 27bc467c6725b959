import { describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/postgres-js';
import * as schema from '../../src/db/schema';
import type { Db } from '../../src/db/client';
import { claimDueMail } from '../../src/db/outbox-queries';
import { databaseForSuite } from './support/liquibot-harness';
import { nodesOf, planRecordingClient, rowsRead, type PlanNode } from './support/statement-plans';

/**
 * How PostgreSQL runs the claim when a burst of mail meets statistics taken before it: the table's
 * statistics say 'pending' is rare, so the planner expects a handful of due rows. The claim must still
 * read about as many rows as it takes, in due order, however many wait behind them (reading every due
 * row and sorting them took 6-11 ms a claim with a few thousand pending), and the check that a mail is
 * the first of its ticket's to its address must be a look-up by ticket, never a join that compares every
 * pending row with every other (1.5 s a claim among 4,000 pending mails). The plan is read with
 * EXPLAIN ANALYZE in a transaction rolled back, not timed.
 */
describe('claiming due mail on PostgreSQL', () => {
  const db = databaseForSuite('postgres');

  it('reads about as many rows as it claims, in due order, whether or not the statistics know of a burst', async () => {
    const { client, planOf, genericPlanOf } = planRecordingClient(db.url!);
    try {
      const mails = (from: number, to: number, status: string) => client.unsafe(`
        insert into outbox (purpose_key, ticket_id, ticket_ref, kind, message_id, to_address, subject, text_body,
          template_name, template_version, status, next_attempt_at, sent_at)
        select 'T' || g || ':' || k, g, 'T' || g, 'acknowledgment', '<' || g || '.' || k || '@plan.example.fr>',
          case when k = 2 then 'agents@plan.example.fr' else 'r' || g || '@plan.example.fr' end, 's', 't',
          'acknowledgment', 'v1', '${status}', now() - interval '1 minute' + g * interval '1 ms', case when '${status}' = 'sent' then now() end
        from generate_series(${from}, ${to}) g, generate_series(1, 3) k`);
      await client.unsafe(`insert into tickets (id, ref, status, requester_email, subject, "check")
        select g, 'T' || g, 'resolved', 'r' || g || '@plan.example.fr', 's', '{}'::jsonb from generate_series(1, 4400) g`);
      await mails(1, 3000, 'sent');
      await client`analyze outbox`;
      await mails(3001, 4400, 'pending');

      const claimed = await claimDueMail(drizzle(client, { schema }) as unknown as Db, { now: new Date(), limit: 10, leaseMs: 60_000 });
      // The first of each ticket's mails to each address, oldest first: tickets 3001-3005, k = 1 to the
      // requester (k = 3 waits behind it) and k = 2 to the agents.
      expect(claimed.map((r) => r.purposeKey).sort()).toEqual(
        [3001, 3002, 3003, 3004, 3005].flatMap((g) => [`T${g}:1`, `T${g}:2`]).sort(),
      );

      // Planned with its values, and as a prepared statement is after a few calls, without them; on the
      // statistics taken before the burst, then on statistics that know it.
      const plans = async () => [await explainRolledBack(client, () => planOf('with "due" as', 'analyze, format json')),
        await explainRolledBack(client, () => genericPlanOf('with "due" as', 'analyze, format json'))];
      const before = await plans();
      await client`analyze outbox`;
      for (const plan of [...before, ...(await plans())]) {
        const scans = (plan as { Plan: PlanNode }[]).flatMap((p) => nodesOf(p.Plan)).filter((n) => n['Relation Name'] === 'outbox');
        // Reading the due rows: of the 4,200 pending, the first few dozen at most (ten claimed, the k = 3
        // mails skipped on the way).
        const read = scans.filter((n) => !String(n.Alias).startsWith('earlier'))
          .reduce((sum, n) => sum + rowsRead(n), 0);
        expect(read).toBeGreaterThan(0);
        expect(read).toBeLessThan(100);
        // The first-of-its-ticket check goes by the ticket.
        const lookUps = scans.filter((n) => String(n.Alias).startsWith('earlier'));
        expect(lookUps.length).toBeGreaterThan(0);
        expect(new Set(lookUps.flatMap((n) => nodesOf(n).map((m) => m['Index Name'] ?? 'none')))).toEqual(new Set(['outbox_ticket_to_id']));
        expect(JSON.stringify(plan)).not.toMatch(/Anti Join|Semi Join/);
      }
    } finally {
      await client.end({ timeout: 5 });
    }
  });

  it('finds when the mail a claimed row answers arrived with one look-up, not by reading the stored mail back', async () => {
    const { client, planOf } = planRecordingClient(db.url!);
    try {
      // Statistics taken on a quiet mailbox (20 stored mails), then a burst of 3,000: the planner still
      // believes inbound_messages is small. Message-ID <m7@…> is stored twice: the newer copy counts.
      const stored = (from: number, to: number, minutesAgo: string) => client.unsafe(`
        insert into inbound_messages (mailbox, uid_validity, uid, sha256, size_bytes, message_id, status, received_at)
        select 'INBOX', 1, g, 'sha-' || g, 100, '<m' || (case when g = 3000 then 7 else g end) || '@burst.example.fr>', 'processed',
          now() - (${minutesAgo})
        from generate_series(${from}, ${to}) g`);
      await stored(1, 20, `interval '2 hours'`);
      await client`analyze inbound_messages`;
      await stored(21, 2999, `interval '1 hour'`);
      await stored(3000, 3000, `interval '1 minute'`);
      await client`delete from outbox`; // the burst of the test above
      // Ten mails due: five answer stored mails (one of them <m7@…>), five answer none (approval requests).
      await client.unsafe(`
        insert into outbox (purpose_key, kind, message_id, to_address, subject, text_body, template_name, template_version,
          status, next_attempt_at, in_reply_to)
        select 'A' || g, 'acknowledgment', '<a' || g || '@plan.example.fr>', 'r' || g || '@plan.example.fr', 's', 't',
          'acknowledgment', 'v1', 'pending', now() - interval '1 minute',
          case when g <= 5 then '<m' || (g * 7) || '@burst.example.fr>' end
        from generate_series(1, 10) g`);

      const claimed = await claimDueMail(drizzle(client, { schema }) as unknown as Db, { now: new Date(), limit: 10, leaseMs: 60_000 });
      expect(claimed).toHaveLength(10);
      const arrived = new Map(claimed.map((r) => [r.inReplyTo, r.answersArrivedAt]));
      const [newest] = await client`select floor(extract(epoch from received_at) * 1000)::float8 as ms from inbound_messages where uid = 3000`;
      expect(arrived.get('<m7@burst.example.fr>')?.getTime()).toBe(newest!.ms);
      expect(claimed.filter((r) => r.inReplyTo !== null && r.answersArrivedAt instanceof Date)).toHaveLength(5);
      expect(claimed.filter((r) => r.inReplyTo === null && r.answersArrivedAt === null)).toHaveLength(5);

      // Each look-up is one descent of the (message_id, id) index: not a walk back through the primary key
      // that filters on the Message-ID, which read the whole table for a mail that answers none.
      const plan = JSON.stringify(await planOf('with "due" as', 'format json'));
      expect(plan).toContain('inbound_messages_message_id_id');
      expect(plan).not.toContain('inbound_messages_pkey');
    } finally {
      await client.end({ timeout: 5 });
    }
  });
});

/** EXPLAIN ANALYZE runs the statement: in a transaction rolled back, the claim it makes is undone. */
async function explainRolledBack(client: import('postgres').Sql, explain: () => Promise<unknown>): Promise<unknown> {
  await client`begin`;
  try {
    return await explain();
  } finally {
    await client`rollback`;
  }
}
