import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';

/** Decides which instance runs a scheduled slot, once. */
export interface SlotGuard {
  /** True for the one caller that gets this (job, slot) first; false for every later one, on any instance. */
  claim(job: string, slot: Date): Promise<boolean>;
}

/** Slots older than this (relative to the one claimed) are forgotten: a clock jumping back further could run them again. */
const KEEP_SLOTS = '7 days';

/**
 * Slots recorded in job_slots: a slot is run once, by the first instance to claim it, whatever the
 * instances' clocks do. A clock that jumps back over slots already run, or an instance restarted within
 * a slot, finds them taken; a clock that jumps forward then back runs the slots it never ran.
 */
export function databaseSlotGuard(database: Database, instanceId: string): SlotGuard {
  return {
    async claim(job, slot) {
      const at = slot.toISOString();
      const rows = await database.rows<{ job: string }>(sql`insert into job_slots (job, slot, instance_id) values (${job}, ${at}::timestamptz, ${instanceId})
        on conflict (job, slot) do nothing returning job`);
      if (rows.length > 0) {
        await database.rows(sql`delete from job_slots where job = ${job} and slot < ${at}::timestamptz - ${KEEP_SLOTS}::interval`);
      }
      return rows.length > 0;
    },
  };
}

/** The same rule in memory, for one process (tests, tools). */
export function memorySlotGuard(): SlotGuard & { claimed: Map<string, Set<number>> } {
  const claimed = new Map<string, Set<number>>();
  return {
    claimed,
    async claim(job, slot) {
      const slots = claimed.get(job) ?? new Set<number>();
      claimed.set(job, slots);
      if (slots.has(slot.getTime())) return false;
      slots.add(slot.getTime());
      return true;
    },
  };
}
