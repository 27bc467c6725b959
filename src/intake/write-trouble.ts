/**
 * The database refusing to store or record mail while it still answers (a full disk: SQLSTATE 53100, the
 * server reads and refuses writes; out of memory; an I/O error): a ping passes, so /healthz would say all is
 * well while every message is refused. The intake reports each such failure here and each success; /healthz
 * shows DATABASE_WRITE_FAILED while the last failure is recent and no message was stored since.
 */
export interface DatabaseWriteTrouble {
  /** The database's error, one line. */
  error: string;
  /** Its SQLSTATE, or DISK_FULL. */
  code: string;
  since: Date;
  lastAttemptAt: Date;
  /** Messages refused in a row. */
  attempts: number;
}

export interface WriteTroubleTracker {
  failed(err: { err: string; code?: string }, at: Date): void;
  succeeded(): void;
  /** The trouble, or null when none, or when its last failure is older than `staleMs` (the message is gone). */
  current(at: Date): DatabaseWriteTrouble | null;
}

/**
 * SQLSTATE classes of a database refusing writes for want of resources (53) or for a system error (58), and
 * the intake's own refusal to write to an embedded database short of disk (DISK_FULL, src/intake/disk-room.ts).
 */
export const isWriteRefusal = (code: string | undefined): code is string => !!code && (/^5[38][0-9A-Z]{3}$/.test(code) || code === 'DISK_FULL');

/**
 * `staleMs`: a message is retried at the next pass (IDLE push, at the latest the resync cron, a minute by
 * default); past this without a failure, nothing is being refused any more. Default 5 minutes.
 */
export function createWriteTroubleTracker(staleMs = 5 * 60_000): WriteTroubleTracker {
  let trouble: DatabaseWriteTrouble | null = null;
  return {
    failed(err, at) {
      if (!isWriteRefusal(err.code)) return;
      trouble = { error: err.err.split('\n')[0]!.slice(0, 300), code: err.code, since: trouble?.since ?? at, lastAttemptAt: at, attempts: (trouble?.attempts ?? 0) + 1 };
    },
    succeeded() {
      trouble = null;
    },
    current(at) {
      return trouble && at.getTime() - trouble.lastAttemptAt.getTime() <= staleMs ? trouble : null;
    },
  };
}
