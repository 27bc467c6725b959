import { chownSync, closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface Owner {
  uid: number;
  gid: number;
}

/**
 * A Maildir file name as Dovecot writes them: unique part, then `,S=<size>` (Dovecot trusts it
 * as the physical size, so it must be exact). No `:2,` info: the file goes to new/.
 */
export function maildirName(opts: { now: Date; pid: number; seq: number; size: number }): string {
  const secs = Math.floor(opts.now.getTime() / 1000);
  const usec = (opts.now.getTime() % 1000) * 1000;
  return `${secs}.M${usec}P${opts.pid}Q${opts.seq}.liquibot-bench,S=${opts.size}`;
}

/** Create `<maildir>/{cur,new,tmp}` owned by `owner` (Dovecot does the same on first login). */
export function ensureMaildir(maildir: string, owner: Owner | null): void {
  for (const dir of [maildir, join(maildir, 'cur'), join(maildir, 'new'), join(maildir, 'tmp')]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(dir, owner.uid, owner.gid);
  }
}

/**
 * Deliver messages straight into a Maildir the way an MDA does: write to tmp/, then rename into
 * new/ (atomic: Dovecot never sees half a file). Owned by the mail user so Dovecot can move them to
 * cur/ and read them. Much faster than APPEND or `doveadm save` for thousands of messages; Dovecot
 * picks them up on its next sync of the mailbox (SELECT, NOOP or IDLE's inotify).
 */
export function dropIntoMaildir(
  maildir: string,
  messages: Iterable<Buffer>,
  owner: Owner | null,
  onProgress?: (done: number) => void,
): { count: number; bytes: number } {
  ensureMaildir(maildir, owner);
  let count = 0;
  let bytes = 0;
  for (const raw of messages) {
    const name = maildirName({ now: new Date(), pid: process.pid, seq: count, size: raw.length });
    const tmp = join(maildir, 'tmp', name);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      let off = 0;
      while (off < raw.length) off += writeSync(fd, raw, off, raw.length - off);
      // No fsync of each file: the sandbox is thrown away, and fsync would make setup the bottleneck.
    } finally {
      closeSync(fd);
    }
    if (owner) chownSync(tmp, owner.uid, owner.gid);
    renameSync(tmp, join(maildir, 'new', name));
    count += 1;
    bytes += raw.length;
    onProgress?.(count);
  }
  return { count, bytes };
}

