import { describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/postgres-js';
import * as schema from '../../src/db/schema';
import type { Db } from '../../src/db/client';
import { claimDueMail } from '../../src/db/outbox-queries';
import { databaseForSuite } from './support/liquibot-harness';
import { planRecordingClient } from './support/statement-plans';

/**
 * How PostgreSQL runs the claim when a burst of mail meets statistics taken before it: the table's
 * statistics say 'pending' is rare, so the planner expects a handful of due rows. The check that a mail
 * is the first of its ticket's to its address must then still be a look-up in a set built once per
 * claim, never a join that compares every pending row with every other (that join took 1.5 s a claim
 * among 4,000 pending mails, and grows with their square). The plan is read with EXPLAIN, not timed.
 */
describe('claiming due mail on PostgreSQL', () => {
  const db = databaseForSuite('postgres');

  it('checks the order of a ticket’s mails in a set built once, when the statistics predate a burst', async () => {
    const { client, planOf } = planRecordingClient(db.url!);
    try {
      const mails = (from: number, to: number, status: string) => client.unsafe(`
        insert into outbox (purpose_key, ticket_id, ticket_ref, kind, message_id, to_address, subject, text_body,
          template_name, template_version, status, next_attempt_at, sent_at)
        select 'T' || g || ':' || k, g, 'T' || g, 'acknowledgment', '<' || g || '.' || k || '@plan.example.fr>',
          case when k = 2 then 'agents@plan.example.fr' else 'r' || g || '@plan.example.fr' end, 's', 't',
          'acknowledgment', 'v1', '${status}', now() - interval '1 minute', case when '${status}' = 'sent' then now() end
        from generate_series(${from}, ${to}) g, generate_series(1, 3) k`);
      await client.unsafe(`insert into tickets (id, ref, status, requester_email, subject, "check")
        select g, 'T' || g, 'resolved', 'r' || g || '@plan.example.fr', 's', '{}'::jsonb from generate_series(1, 3400) g`);
      await mails(1, 3000, 'sent');
      await client`analyze outbox`;
      await mails(3001, 3400, 'pending');

      const claimed = await claimDueMail(drizzle(client, { schema }) as unknown as Db, { now: new Date(), limit: 10, leaseMs: 60_000 });
      // The first of each ticket's mails to each address: k = 1 to the requester (k = 3 waits behind it), k = 2 to the agents.
      expect(claimed).toHaveLength(10);
      expect(claimed.every((r) => !r.purposeKey.endsWith(':3'))).toBe(true);

      const plan = JSON.stringify(await planOf('with "due" as', 'format json'));
      expect(plan).toContain('hashed SubPlan');
      expect(plan).not.toMatch(/Anti Join|Semi Join/);
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
