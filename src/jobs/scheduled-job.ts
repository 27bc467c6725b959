import cron from 'node-cron';
import { errorFields, type Logger } from '../log';
import type { SlotGuard } from './job-slots';

export interface ScheduledJob {
  /** The next slot node-cron will fire for (null when stopped). */
  nextRun(): Date | null;
  stop(): Promise<void>;
}

/** Missed slots are caught up after this pause, so that node-cron's own run of a later slot wins. */
const CATCH_UP_DELAY_MS = 1_000;

/**
 * A cron job (node-cron, in `timezone`) whose slots run once each:
 *
 * - across instances and restarts: each slot is claimed in `guard` (job_slots) first; a slot already
 *   claimed is skipped, so a clock jumping back over a slot already run does not run it again;
 * - a slot node-cron missed (a clock jumping forward over it, or an event loop blocked past its time)
 *   is caught up once: the latest missed slot runs, unless a later slot ran meanwhile;
 * - never two runs of one job at once in this process.
 *
 * node-cron itself keeps the next slot it expects: after a clock jumps back it waits until the clock
 * reaches that slot again (a job that runs every five minutes pauses as long as the jump).
 */
export function scheduleJob(opts: {
  name: string;
  cron: string;
  timezone: string;
  log: Logger;
  guard?: SlotGuard;
  /** The work of one slot; `nextSlot` is when the next one is due (null when unknown). */
  run: (slot: Date, nextSlot: Date | null) => Promise<void>;
  /** Called when a slot is skipped because another instance (or an earlier run) had it. */
  onSkipped?: (slot: Date) => void;
}): ScheduledJob {
  const log = opts.log.child({ job: opts.name });
  let stopping = false;
  let current: Promise<void> | null = null;
  let lastStarted = 0;
  let pendingCatchUp = 0;
  let catchUpTimer: NodeJS.Timeout | null = null;

  async function runSlot(slot: Date, why: 'scheduled' | 'catch-up'): Promise<void> {
    if (stopping) return;
    if (current) {
      log.info({ slot: slot.toISOString(), why }, 'job slot skipped: the previous run is still going');
      return;
    }
    lastStarted = Math.max(lastStarted, slot.getTime());
    current = (async () => {
      try {
        if (opts.guard && !(await opts.guard.claim(opts.name, slot))) {
          opts.onSkipped?.(slot);
          return;
        }
        if (why === 'catch-up') log.warn({ slot: slot.toISOString() }, 'job slot missed (clock jump or blocked process): run now');
        await opts.run(slot, task.getNextRun());
      } catch (err) {
        log.error({ slot: slot.toISOString(), ...errorFields(err) }, 'job failed');
      }
    })().finally(() => {
      current = null;
    });
    await current;
  }

  const task = cron.schedule(opts.cron, (ctx) => runSlot(ctx.date, 'scheduled'), { timezone: opts.timezone, name: opts.name, noOverlap: true });
  task.on('execution:missed', (ctx) => {
    pendingCatchUp = Math.max(pendingCatchUp, ctx.date.getTime());
    if (catchUpTimer || stopping) return;
    catchUpTimer = setTimeout(() => {
      catchUpTimer = null;
      const slot = pendingCatchUp;
      pendingCatchUp = 0;
      // A later slot already ran (node-cron ran the one it was due for): nothing to catch up.
      if (slot > lastStarted) void runSlot(new Date(slot), 'catch-up');
    }, CATCH_UP_DELAY_MS);
  });

  return {
    nextRun: () => task.getNextRun(),
    async stop() {
      stopping = true;
      if (catchUpTimer) clearTimeout(catchUpTimer);
      await task.stop();
      if (current) await current;
    },
  };
}
