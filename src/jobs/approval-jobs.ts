import cron from 'node-cron';
import type { Config } from '../config';
import { errorFields, type Logger } from '../log';
import { sendReminderDigest } from '../approval/reminder-digest';
import { sweepExpiredLinks } from '../reset/expiry-sweep';
import type { PipelineDeps } from '../workflow/context';

export interface ApprovalJobs {
  stop(): Promise<void>;
}

/**
 * The approval flow's scheduled work: the expiry sweep (EXPIRY_SWEEP_CRON) and the reminder digest
 * (REMINDER_CRON). Both are safe on several instances (row-level updates; an advisory lock for the digest).
 */
export function scheduleApprovalJobs(deps: PipelineDeps, opts: { config: Config; log: Logger; onQueued: () => void }): ApprovalJobs {
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
  const tasks = [
    cron.schedule(opts.config.EXPIRY_SWEEP_CRON, run('expiry-sweep', () => sweepExpiredLinks(deps.database, deps.now())), {
      timezone: opts.config.TIMEZONE, name: 'expiry-sweep', noOverlap: true,
    }),
    cron.schedule(opts.config.REMINDER_CRON, run('reminder-digest', () => sendReminderDigest(deps, deps.now())), {
      timezone: opts.config.TIMEZONE, name: 'reminder-digest', noOverlap: true,
    }),
  ];
  return {
    async stop() {
      for (const t of tasks) await t.stop();
    },
  };
}
