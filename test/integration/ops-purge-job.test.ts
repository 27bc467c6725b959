import { afterAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { tickets } from '../../src/db/schema';
import { buildRequestMail } from '../support/sample-mails';
import { createHarness, type Harness } from './support/liquibot-harness';

const EVERY_3S = '*/3 * * * * *';

interface SlotLine { msg: string; slot?: string }
const slotLines = (h: Harness): SlotLine[] =>
  h.logs.lines.map((l) => JSON.parse(l) as SlotLine).filter((l) => l.slot !== undefined);

describe('scheduled retention purge with two instances on one PostgreSQL database', () => {
  const harnesses: Harness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  it('runs once per slot, on one instance, and purges once', async () => {
    const a = await createHarness({ env: { PURGE_CRON: 'off' } });
    harnesses.push(a);
    await a.mailbox.append(buildRequestMail({ from: 'closed@etude.example.fr' }));
    await a.start();
    await a.waitForProcessed(1);
    await a.stopDaemon();
    // A request handled long ago whose ticket is resolved: the first run removes its raw source.
    const [ticket] = await a.database.db.select().from(tickets);
    await a.database.db.update(tickets).set({ status: 'resolved', updatedAt: new Date(Date.now() - 200 * 86_400_000) }).where(eq(tickets.id, ticket!.id));
    await a.database.rows(sql`update inbound_messages set processed_at = now() - interval '200 days'`);

    const first = await createHarness({ joinDatabase: a.config.DATABASE_URL!, env: { PURGE_CRON: EVERY_3S } });
    const second = await createHarness({ joinDatabase: a.config.DATABASE_URL!, env: { PURGE_CRON: EVERY_3S } });
    harnesses.push(first, second);
    await Promise.all([first.start(), second.start()]);
    await new Promise((r) => setTimeout(r, 10_000));
    await Promise.all([first.stopDaemon(), second.stopDaemon()]);

    const done = new Map<string, number>();
    const skipped = new Map<string, number>();
    for (const [i, h] of [first, second].entries()) {
      for (const line of slotLines(h)) {
        if (line.msg === 'retention purge slot done') done.set(line.slot!, (done.get(line.slot!) ?? 0) + (i === 0 ? 1 : 100));
        if (line.msg.startsWith('retention purge skipped')) skipped.set(line.slot!, (skipped.get(line.slot!) ?? 0) + 1);
      }
    }
    // Three slots in ten seconds, give or take the one cut by the stop.
    expect(done.size).toBeGreaterThanOrEqual(2);
    for (const [slot, who] of done) {
      // 1 = run by the first instance only, 100 = by the second only; 101 would be both.
      expect([1, 100], `slot ${slot}`).toContain(who);
      expect(skipped.get(slot), `slot ${slot} skipped by the other`).toBe(1);
    }
    const events = await a.database.rows<{ n: number }>(sql`select count(*)::int as n from ticket_events where kind = 'retention_purged'`);
    expect(events[0]!.n).toBe(1);
    const raw = await a.database.rows<{ n: number }>(sql`select count(*)::int as n from inbound_messages where raw is not null`);
    expect(raw[0]!.n).toBe(0);
  }, 60_000);
});
