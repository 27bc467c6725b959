/**
 * Which mailbox an instance watches, as the instances sharing a database know it. Several mailboxes
 * (support accounts, or folders of one account) may share one PostgreSQL database: each has its own
 * leader, its own cursor (mailbox_state) and its own stored UIDs (inbound_messages.mailbox), all keyed
 * by this identity. Pure: no I/O.
 */
export interface MailboxIdentity {
  /** The folder opened on the server (IMAP_URL's path, INBOX when empty). */
  folder: string;
  /**
   * The key stored with the mailbox's cursor and messages and hashed into its leader lock: MAILBOX_ID
   * when set, else `user@host/folder` from IMAP_URL (the port and the scheme left out, so that moving
   * from 143 to 993 keeps it; the host lowercased).
   */
  key: string;
}

/** Room for a long account and folder name; the key is stored in every inbound row. */
export const MAILBOX_ID_MAX_LENGTH = 200;

export function mailboxIdentity(imapUrl: string, pinned?: string): MailboxIdentity {
  const url = new URL(imapUrl);
  const folder = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX';
  if (pinned !== undefined) return { folder, key: pinned };
  const user = decodeURIComponent(url.username);
  const host = url.hostname.toLowerCase();
  return { folder, key: `${user}@${host}/${folder}` };
}

/** The namespace of the mailbox leader locks: the high 32 bits of each one's advisory lock key. */
export const MAILBOX_LEADER_LOCK_CLASS = 7301002;

/**
 * The advisory lock key of one mailbox's leader: MAILBOX_LEADER_LOCK_CLASS in the high 32 bits, a
 * 32-bit FNV-1a hash of the identity's UTF-8 bytes in the low ones. Two identities whose hashes collide
 * (about one chance in 4 × 10⁹ for a pair) would share a leader: the second mailbox would wait on standby
 * while the first's leader lives. Computed here rather than by PostgreSQL so that the holder can find
 * its key in pg_locks.
 */
export function mailboxLeaderLockKey(key: string): bigint {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (BigInt(MAILBOX_LEADER_LOCK_CLASS) << 32n) | BigInt(hash);
}
