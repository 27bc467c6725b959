import { LOCK_KEYS, type Database } from '../db/client';
import { errorFields, type Logger } from '../log';
import type { MailboxWatcher, WatcherState } from './mailbox-watcher';

export type LeadershipState = WatcherState | 'standby';

export interface MailboxLeadership {
  start(): void;
  stop(): Promise<void>;
  isLeader(): boolean;
  /** The watcher's state when leading, 'standby' otherwise. */
  state(): LeadershipState;
  requestSync(reason: string): void;
}

/**
 * One mailbox leader among the instances sharing a database: the instance holding a session-level
 * advisory lock runs the watcher; the others retry every few seconds. When the leader dies, PostgreSQL
 * ends its session and frees the lock, and another instance takes over. A leader that loses its lock
 * connection stops watching at once (processing is idempotent in any case: each message row is locked
 * and re-checked inside its transaction).
 */
export function createMailboxLeadership(opts: {
  database: Database;
  watcher: MailboxWatcher;
  log: Logger;
  retryMs: number;
}): MailboxLeadership {
  const log = opts.log.child({ component: 'leadership' });
  let lock: { release(): Promise<void>; alive(): Promise<boolean> } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;
  let ticking: Promise<void> | null = null;

  async function tick(): Promise<void> {
    try {
      if (lock) {
        if (await lock.alive()) return;
        log.warn('mailbox leadership lost');
        lock = null;
        await opts.watcher.stop();
        return;
      }
      const acquired = await opts.database.tryHoldAdvisoryLock(LOCK_KEYS.mailboxLeader);
      if (!acquired) return;
      if (stopped) {
        await acquired.release();
        return;
      }
      lock = acquired;
      log.info('mailbox leadership acquired');
      opts.watcher.start();
    } catch (err) {
      log.warn(errorFields(err), 'mailbox leadership check failed');
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      ticking = tick().finally(() => {
        ticking = null;
        schedule();
      });
    }, opts.retryMs);
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      ticking = tick().finally(() => {
        ticking = null;
        schedule();
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (ticking) await ticking;
      await opts.watcher.stop();
      if (lock) {
        await lock.release();
        lock = null;
        log.info('mailbox leadership released');
      }
    },
    isLeader: () => lock !== null,
    state: () => (lock ? opts.watcher.state() : 'standby'),
    requestSync(reason) {
      if (lock) opts.watcher.requestSync(reason);
    },
  };
}
