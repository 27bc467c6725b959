import type { Config } from '../config';
import type { Database } from '../db/client';
import { errorFields, type Logger } from '../log';
import { runRetentionPurge, type PurgeReport } from './retention-purge';
import type { SlotGuard } from './job-slots';
import { scheduleJob } from './scheduled-job';

/**
 * Advisory lock of the retention job. Its own key (not LOCK_KEYS.jobs) because the lock is held past
 * the run, through the rest of the slot, and must not hold up other jobs.
 */
export const RETENTION_LOCK_KEY = 7301101;

/** Longest the lock is kept after a run, so that instances firing a little late skip the slot. */
const MAX_SLOT_HOLD_MS = 10 * 60_000;

/**
 * How long after its scheduled time the instance that ran a slot keeps the lock: half the gap to the
 * next slot, at most 10 minutes. Instances whose timer fires within that window find the lock taken
 * and skip; clocks synchronised by NTP are well within it.
 */
export function slotHoldMs(slot: Date, nextSlot: Date | null): number {
  if (!nextSlot) return MAX_SLOT_HOLD_MS;
  return Math.max(0, Math.min(MAX_SLOT_HOLD_MS, Math.floor((nextSlot.getTime() - slot.getTime()) / 2)));
}

export interface PurgeJobOptions {
  config: Pick<Config, 'PURGE_CRON' | 'TIMEZONE' | 'RETENTION_DAYS'>;
  database: Database;
  log: Logger;
  now: () => Date;
  /** Called after each run this instance made. */
  onRun?: (report: PurgeReport) => void;
  /** Each slot once, across instances and clock jumps (job_slots); without it, the lock alone decides. */
  guard?: SlotGuard;
}

export interface PurgeJob {
  stop(): Promise<void>;
}

/**
 * The scheduled retention purge (PURGE_CRON, in TIMEZONE). Every instance schedules it; for each slot
 * one instance runs it: the one that claims the slot (job_slots), then takes the advisory lock and keeps
 * it for the rest of the slot; the others skip. A slot missed by a clock jumping forward is caught up
 * once, and one already run is not run again when a clock jumps back (scheduled-job.ts). The purge is
 * idempotent anyway: a second run of a slot would find nothing to do. If the lock's session is lost
 * (database restart), the hold ends at once: the lock is no longer ours to keep.
 */
export function schedulePurgeJob(opts: PurgeJobOptions): PurgeJob | null {
  if (opts.config.PURGE_CRON === 'off') return null;
  const log = opts.log.child({ job: 'retention' });
  let stopping = false;
  let cancelHold: (() => void) | null = null;
  const skipped = (slot: Date) => log.info({ slot: slot.toISOString() }, 'retention purge skipped: another instance has this slot');

  async function runSlot(slot: Date, nextSlot: Date | null): Promise<void> {
    const lock = await opts.database.tryHoldAdvisoryLock(RETENTION_LOCK_KEY);
    if (!lock) {
      skipped(slot);
      return;
    }
    lock.onLost((reason) => {
      log.warn({ slot: slot.toISOString(), reason }, 'retention lock lost');
      cancelHold?.();
    });
    try {
      const report = await runRetentionPurge({
        database: opts.database, log, now: opts.now(), days: opts.config.RETENTION_DAYS, dryRun: false,
      });
      log.info({ slot: slot.toISOString() }, 'retention purge slot done');
      opts.onRun?.(report);
      const holdUntil = slot.getTime() + slotHoldMs(slot, nextSlot);
      const wait = holdUntil - Date.now();
      if (wait > 0 && !stopping && lock.lostReason() === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          cancelHold = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        cancelHold = null;
      }
    } finally {
      await lock.release();
    }
  }

  const job = scheduleJob({
    name: 'retention-purge', cron: opts.config.PURGE_CRON, timezone: opts.config.TIMEZONE, log,
    ...(opts.guard ? { guard: opts.guard } : {}),
    onSkipped: skipped,
    run: (slot, nextSlot) => runSlot(slot, nextSlot).catch((err) => log.error(errorFields(err), 'retention purge failed')),
  });

  return {
    async stop() {
      stopping = true;
      cancelHold?.();
      await job.stop();
    },
  };
}
