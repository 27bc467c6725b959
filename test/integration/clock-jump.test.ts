import { afterEach, describe, expect, it, vi } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { accounts, resetLinks, tickets } from '../../src/db/schema';
import { insertTicket, nextTicketId } from '../../src/db/ticket-queries';
import { databaseSlotGuard, memorySlotGuard, type SlotGuard } from '../../src/jobs/job-slots';
import { scheduleJob, type ScheduledJob } from '../../src/jobs/scheduled-job';
import { silentLogger } from '../../src/log';
import { sweepExpiredLinks } from '../../src/reset/expiry-sweep';
import { hashResetToken } from '../../src/reset/reset-token';
import { verifyResetLink } from '../../src/reset/verify-link';
import { EMPTY_CHECK } from '../../src/workflow/ticket-check';
import { databaseForSuite } from './support/liquibot-harness';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SIRET = '73282932000074';

/**
 * Issue 13, point 4 (clock jump of ±1 h). Link expiry is judged by the clock passed in (`now`), and an
 * expired link is a stored status: a clock jumping forward expires exactly the links due by the new
 * time, one jumping back un-expires nothing. Scheduled jobs run each slot once (job_slots) and catch up a
 * slot a forward jump skipped; a backward jump, within the process or across a restart, runs none twice.
 */
describe('reset links when the clock jumps', () => {
  const db = databaseForSuite('postgres');

  /** A served ticket with one active link expiring at `expiresAt`; the link's token is `token`. */
  async function servedWithLink(token: string, expiresAt: Date): Promise<{ ticketId: number; linkId: number }> {
    return db.database.db.transaction(async (tx) => {
      const id = await nextTicketId(tx);
      await insertTicket(tx, { id, ref: `LJ-CLOCK-${id}`, status: 'resolved', requesterEmail: 'r@etude.example.fr', siret: SIRET, check: EMPTY_CHECK });
      const [link] = await tx.insert(resetLinks).values({
        ticketId: id, tokenHash: hashResetToken(token), siret: SIRET, liquidatorEmail: 'l@etude.example.fr', expiresAt,
      }).returning();
      return { ticketId: id, linkId: link!.id };
    });
  }
  const statuses = async (ids: number[]) => new Map((await db.database.db.select({ id: resetLinks.id, status: resetLinks.status })
    .from(resetLinks).where(inArray(resetLinks.id, ids))).map((r) => [r.id, r.status]));
  const verify = (token: string, now: Date) => verifyResetLink(db.database.db, { token, siret: SIRET, lastName: 'Moutin', firstName: 'Claire', now });

  it('forward: expires exactly what is due by the new time; backward: un-expires nothing', async () => {
    await db.database.db.insert(accounts).values({ siret: SIRET, lastName: 'MOUTIN', firstName: 'Claire' });
    const t = new Date(Math.floor(Date.now() / MIN) * MIN);
    const past = await servedWithLink('tok-past', new Date(t.getTime() - 10 * MIN));
    const inJump = await servedWithLink('tok-in-jump', new Date(t.getTime() + 30 * MIN));
    const atJump = await servedWithLink('tok-at-jump', new Date(t.getTime() + HOUR));
    const afterJump = await servedWithLink('tok-after-jump', new Date(t.getTime() + HOUR + 1000));
    const ids = [past, inJump, atJump, afterJump].map((l) => l.linkId);

    expect(await sweepExpiredLinks(db.database, t)).toEqual({ expired: 1 });
    // The clock jumps forward one hour: what expires by then, and nothing more (expiry at exactly now is due).
    const jumped = new Date(t.getTime() + HOUR);
    expect(await sweepExpiredLinks(db.database, jumped)).toEqual({ expired: 2 });
    expect(await statuses(ids)).toEqual(new Map([[past.linkId, 'expired'], [inJump.linkId, 'expired'], [atJump.linkId, 'expired'], [afterJump.linkId, 'active']]));
    expect((await verify('tok-after-jump', jumped)).result).toBe('valid');

    // The clock goes back one hour (NTP corrects it): the links expired stay expired, their tickets too.
    expect(await sweepExpiredLinks(db.database, t)).toEqual({ expired: 0 });
    expect((await verify('tok-in-jump', t)).result).toBe('expired');
    expect((await verify('tok-at-jump', new Date(t.getTime() - HOUR))).result).toBe('expired');
    expect(await statuses(ids)).toEqual(new Map([[past.linkId, 'expired'], [inJump.linkId, 'expired'], [atJump.linkId, 'expired'], [afterJump.linkId, 'used']]));
    const served = await db.database.db.select({ id: tickets.id, status: tickets.status }).from(tickets)
      .where(inArray(tickets.id, [past.ticketId, inJump.ticketId, atJump.ticketId]));
    expect(served.map((r) => r.status)).toEqual(['link_expired', 'link_expired', 'link_expired']);
    const [used] = await db.database.db.select().from(tickets).where(eq(tickets.id, afterJump.ticketId));
    expect(used!.status).toBe('resolved');
  });

  it('a slot is claimed once in job_slots, by one of two instances at once, and again after a restart', async () => {
    const a = databaseSlotGuard(db.database, 'instance-a');
    const b = databaseSlotGuard(db.database, 'instance-b');
    const slot = new Date('2026-03-10T03:17:00Z');
    const both = await Promise.all([a.claim('retention-purge', slot), b.claim('retention-purge', slot)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await databaseSlotGuard(db.database, 'instance-a-restarted').claim('retention-purge', slot)).toBe(false);
    expect(await a.claim('expiry-sweep', slot)).toBe(true); // per job
    expect(await a.claim('retention-purge', new Date(slot.getTime() + 24 * HOUR))).toBe(true);
  });
});

describe('scheduled jobs when the clock jumps', () => {
  const jobs: ScheduledJob[] = [];
  afterEach(async () => {
    for (const j of jobs.splice(0)) await j.stop();
    vi.useRealTimers();
  });

  /** A job on `cron` (UTC) recording the slots it ran. */
  function job(cron: string, guard: SlotGuard, ran: string[]): ScheduledJob {
    const j = scheduleJob({ name: `job ${cron}`, cron, timezone: 'UTC', log: silentLogger, guard, run: async (slot) => void ran.push(slot.toISOString().slice(11, 16)) });
    jobs.push(j);
    return j;
  }
  const at = (iso: string) => new Date(`2026-03-10T${iso}Z`);
  // Only the wall clock and timers are faked: a jump moves Date without firing timers, as a real one does.
  const fake = (iso: string) => vi.useFakeTimers({ now: at(iso), toFake: ['Date', 'setTimeout', 'clearTimeout'] });

  it('backward one hour: no slot runs twice, within the process or after a restart', async () => {
    fake('10:02:00');
    const guard = memorySlotGuard();
    const ran: string[] = [];
    const first = job('*/5 * * * *', guard, ran);
    await vi.advanceTimersByTimeAsync(4 * MIN); // 10:06
    expect(ran).toEqual(['10:05']);
    vi.setSystemTime(at('09:06:00')); // the clock goes back one hour
    await vi.advanceTimersByTimeAsync(65 * MIN); // wall 10:11
    // node-cron waits for the slot it expected next (10:10): 09:10 … 10:05 are not run again.
    expect(ran).toEqual(['10:05', '10:10']);

    // A restart just after the clock went back: the new process would fire 10:05 and 10:10 again.
    await first.stop();
    vi.setSystemTime(at('10:01:00'));
    job('*/5 * * * *', guard, ran);
    await vi.advanceTimersByTimeAsync(15 * MIN); // wall 10:16
    expect(ran).toEqual(['10:05', '10:10', '10:15']);
  });

  it('forward one hour: a daily slot jumped over is caught up once, a five-minute job runs what is due', async () => {
    fake('02:50:00');
    const guard = memorySlotGuard();
    const daily: string[] = [];
    const often: string[] = [];
    job('17 3 * * *', guard, daily);
    job('*/5 * * * *', guard, often);
    await vi.advanceTimersByTimeAsync(6 * MIN); // 02:56
    expect(often).toEqual(['02:55']);
    vi.setSystemTime(at('03:56:00')); // one hour forward, over 03:17
    await vi.advanceTimersByTimeAsync(25 * MIN); // wall 04:21
    expect(daily).toEqual(['03:17']); // once, after the jump, for the slot it skipped
    // The five-minute job does not replay the hour: it runs the slot due now and goes on.
    expect(often[0]).toBe('02:55');
    expect(often.slice(1)).toEqual(['04:00', '04:05', '04:10', '04:15', '04:20']);
    await vi.advanceTimersByTimeAsync(24 * HOUR);
    expect(daily).toEqual(['03:17', '03:17']);
  });
});
