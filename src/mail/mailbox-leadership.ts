import type { Database, HeldLock } from '../db/client';
import { errorFields, type Logger } from '../log';
import type { MailboxWatcher, WatcherState } from './mailbox-watcher';

export type LeadershipState = WatcherState | 'standby';

export interface MailboxLeadership {
  start(): void;
  stop(): Promise<void>;
  isLeader(): boolean;
  /** The database backend whose session holds the leader lock (null on standby, or on PGlite). */
  backendPid(): number | null;
  /** The watcher's state when leading, 'standby' otherwise. */
  state(): LeadershipState;
  requestSync(reason: string): void;
}

/**
 * One leader per mailbox among the instances sharing a database: the instance holding the mailbox's
 * session-level advisory lock (`lockKey`, see mailboxLeaderLockKey) runs the watcher; the others retry
 * every few seconds. When the leader dies, PostgreSQL ends its session and frees the lock, and another
 * instance watching the same mailbox takes over. Instances watching other mailboxes hold other locks.
 *
 * The lock is the session's, not the instance's: when that session ends while the instance lives (a
 * database restart, a terminated backend, a dropped connection), the lock is gone and another instance
 * may take it. So leadership is checked on the session that took the lock (its backend pid and
 * pg_locks, see HeldLock), and its loss, seen at once through the connection's close or at the next
 * check, stops the watcher before anything else; then this instance competes for the lock like any other.
 * Processing is idempotent in any case: each message row is locked and re-checked inside its transaction.
 */
export function createMailboxLeadership(opts: {
  database: Database;
  watcher: MailboxWatcher;
  log: Logger;
  retryMs: number;
  /** The advisory lock of this mailbox's leader. */
  lockKey: bigint;
}): MailboxLeadership {
  const log = opts.log.child({ component: 'leadership' });
  let lock: HeldLock | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;
  let ticking: Promise<void> | null = null;
  /** The watcher stopping after a loss: it must be stopped before the lock is taken again. */
  let demoting: Promise<void> | null = null;

  function lose(held: HeldLock, reason: string): void {
    if (lock !== held) return;
    lock = null;
    log.warn({ reason, backendPid: held.backendPid }, 'mailbox leadership lost');
    const previous = demoting ?? Promise.resolve();
    demoting = previous
      .then(() => opts.watcher.stop())
      .then(() => held.release())
      .catch((err) => log.error(errorFields(err), 'mailbox watcher did not stop cleanly'))
      .finally(() => {
        demoting = null;
        // Compete again at once: the database may already be back.
        if (!stopped && !ticking) {
          if (timer) clearTimeout(timer);
          runTick();
        }
      });
  }

  async function tick(): Promise<void> {
    try {
      if (demoting) await demoting;
      if (lock) {
        const held = lock;
        if (!(await held.alive())) lose(held, held.lostReason() ?? 'check failed');
        return;
      }
      const acquired = await opts.database.tryHoldAdvisoryLock(opts.lockKey);
      if (!acquired) return;
      if (stopped) {
        await acquired.release();
        return;
      }
      lock = acquired;
      acquired.onLost((reason) => lose(acquired, reason));
      if (lock !== acquired) return; // lost already
      log.info({ backendPid: acquired.backendPid }, 'mailbox leadership acquired');
      opts.watcher.start();
    } catch (err) {
      log.warn(errorFields(err), 'mailbox leadership check failed');
    }
  }

  function runTick(): void {
    ticking = tick().finally(() => {
      ticking = null;
      schedule();
    });
  }

  const schedule = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(runTick, opts.retryMs);
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      runTick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (ticking) await ticking;
      if (demoting) await demoting;
      await opts.watcher.stop();
      const held = lock;
      lock = null;
      if (held) {
        const wasHeld = held.lostReason() === null;
        await held.release();
        if (wasHeld) log.info('mailbox leadership released');
      }
    },
    isLeader: () => lock !== null,
    backendPid: () => lock?.backendPid ?? null,
    state: () => (lock ? opts.watcher.state() : 'standby'),
    requestSync(reason) {
      if (lock) opts.watcher.requestSync(reason);
    },
  };
}
