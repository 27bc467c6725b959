import type { Config } from '../config';
import { errorFields, type Logger } from '../log';
import { sendReminderDigest } from '../approval/reminder-digest';
import { sweepExpiredLinks } from '../reset/expiry-sweep';
import type { PipelineDeps } from '../workflow/context';
import type { SlotGuard } from './job-slots';
import { scheduleJob } from './scheduled-job';

export interface ApprovalJobs {
  stop(): Promise<void>;
}

/**
 * The approval flow's scheduled work: the expiry sweep (EXPIRY_SWEEP_CRON) and the reminder digest
 * (REMINDER_CRON). Both are safe on several instances (row-level updates; an advisory lock for the
 * digest), and with a `guard` each slot runs once, on one instance, through clock jumps (scheduled-job.ts).
 */
export function scheduleApprovalJobs(
  deps: PipelineDeps, opts: { config: Config; log: Logger; onQueued: () => void; guard?: SlotGuard },
): ApprovalJobs {
  const log = opts.log.child({ component: 'jobs' });
  const run = (name: string, fn: () => Promise<Record<string, number>>) => async () => {
    try {
      const result = await fn();
      if (Object.values(result).some((n) => n > 0)) {
        log.info({ job: name, ...result }, 'job done');
        opts.onQueued();
      }
    } catch (err) {
      log.error({ job: name, ...errorFields(err) }, 'job failed');
    }
  };
  const common = { timezone: opts.config.TIMEZONE, log, ...(opts.guard ? { guard: opts.guard } : {}) };
  const tasks = [
    // The sweep judges expiry by the clock at the time it runs (deps.now()), not by its slot: a catch-up
    // after a clock jump expires what is due now.
    scheduleJob({ ...common, name: 'expiry-sweep', cron: opts.config.EXPIRY_SWEEP_CRON, run: run('expiry-sweep', () => sweepExpiredLinks(deps.database, deps.now())) }),
    scheduleJob({ ...common, name: 'reminder-digest', cron: opts.config.REMINDER_CRON, run: run('reminder-digest', () => sendReminderDigest(deps, deps.now())) }),
  ];
  return {
    async stop() {
      for (const t of tasks) await t.stop();
    },
  };
}
