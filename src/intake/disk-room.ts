import { statfsSync } from 'node:fs';

/**
 * Room kept free under the embedded database (PGlite): a new WAL segment (16 MiB) and the small writes of
 * processing and sending. PGlite must never meet a full disk while it writes its WAL: a write that needs a new
 * segment fails (53100, "could not write to file pg_wal/xlogtemp…") and the next statement then spins inside
 * PGlite for ever, blocking the daemon's event loop (no health, no mail, no exit for systemd to restart).
 * PostgreSQL itself needs none of this: a full data volume makes it refuse writes (53100) and carry on.
 */
export const PGLITE_RESERVE_BYTES = 32 * 1024 * 1024;

/**
 * Whether the disk of the embedded database has room to store a message of `sizeBytes`: its source goes to the
 * row (TOAST), to the WAL and, for a large one, through a temporary table first, so about three times its size,
 * plus the reserve. Null when there is room (or when the disk cannot be asked).
 */
export function pgliteRoomShortage(dataDir: string, sizeBytes: number): { availableBytes: number; neededBytes: number } | null {
  let availableBytes: number;
  try {
    const s = statfsSync(dataDir);
    availableBytes = s.bavail * s.bsize;
  } catch {
    return null;
  }
  const neededBytes = PGLITE_RESERVE_BYTES + 3 * sizeBytes;
  return availableBytes < neededBytes ? { availableBytes, neededBytes } : null;
}

/**
 * The bytes the store of a fetched mail writes: its size, or, for a mail past MAX_MESSAGE_BYTES fetched
 * as its header only, that header (a 200 MiB mail must not ask for 600 MiB of room it will not use).
 */
export function bytesToStore(msg: { headerOnly: boolean; raw: { length: number }; sizeBytes: number }): number {
  return msg.headerOnly ? msg.raw.length : msg.sizeBytes;
}
