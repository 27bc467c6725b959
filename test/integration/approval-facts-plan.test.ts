import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import * as schema from '../../src/db/schema';
import type { Db } from '../../src/db/client';
import { approvalFactsOf } from '../../src/db/approval-fact-queries';
import { databaseForSuite } from './support/liquibot-harness';
import { nodesOf, planRecordingClient, rowsRead, type PlanNode } from './support/statement-plans';

/**
 * The approval request names the liquidator's other companies: the newest 50 of their tickets. A firm
 * writes for hundreds of companies, so that look-up must read those 50 and stop, not read every ticket of
 * the firm and sort them (what an index on the address alone gave: 0.3 ms of the server's CPU for each
 * request a thousand requests into a burst, growing with the firm's history). Read with EXPLAIN ANALYZE.
 */
describe('the approval facts on PostgreSQL', () => {
  const db = databaseForSuite('postgres');

  it('reads a busy liquidator’s newest 50 other tickets, not all of them', async () => {
    const { client, planOf } = planRecordingClient(db.url!);
    try {
      // 100,000 requests, each for its own company; one in 200 from one firm (500), the others from firms of
      // one request. The statistics are fresh: this is the plan of a database in service, not of a burst.
      await client.unsafe(`insert into tickets (id, ref, status, requester_email, subject, "check", siret, liquidator_email)
        select g, 'LJ-PLAN-' || g, 'resolved', 'etude' || g || '@plan.example.fr', 's', '{}'::jsonb,
          lpad(g::text, 14, '0'), case when g % 200 = 0 then 'claire@mj-plan.example.fr' else 'l' || g || '@plan.example.fr' end
        from generate_series(1, 100000) g`);
      await client`analyze tickets`;
      const [ticket] = await drizzle(client, { schema }).select().from(schema.tickets).where(eq(schema.tickets.id, 100000));
      // The last one asks: its facts name the 50 before it, newest first.
      const facts = await approvalFactsOf(drizzle(client, { schema }) as unknown as Db, ticket!, new Date(), 365);
      expect(facts.liquidatorElsewhere).toEqual(Array.from({ length: 50 }, (_, i) => `LJ-PLAN-${99800 - 200 * i}`));

      const plan = (await planOf('liquidator_email =', 'analyze, format json')) as { Plan: PlanNode }[];
      const nodes = plan.flatMap((p) => nodesOf(p.Plan));
      const byFirm = nodes.filter((n) => n['Index Name']?.startsWith('tickets_liquidator_email'));
      expect(byFirm.map((n) => n['Index Name'])).toEqual(['tickets_liquidator_email_id']);
      // The scan stops after the 50 (plus the asking ticket itself, skipped).
      expect(byFirm[0]!['Actual Rows'] * byFirm[0]!['Actual Loops']).toBeLessThanOrEqual(51);
      // No scan of tickets reads the firm's 500 (nor the 10,000 newest tickets to find 50 of theirs).
      expect(Math.max(...nodes.filter((n) => n['Relation Name'] === 'tickets').map(rowsRead))).toBeLessThan(100);
    } finally {
      await client.end({ timeout: 5 });
    }
  });
});
