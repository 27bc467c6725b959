import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SAFE = /^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*$/;

/**
 * Add (or replace) a login in the sandbox's per-user passwd-files: `${usersDir}/${user}` holds
 * `user:{PLAIN}password`. Written to a temp name and renamed, so Dovecot never reads half a
 * file, and test workers in other processes can add users concurrently without a reload.
 */
export function addDovecotUser(usersDir: string, user: string, password: string): void {
  // The user name becomes a file name: no '/', no leading dot.
  if (!SAFE.test(user)) throw new Error(`sandbox IMAP user names are limited to ${SAFE.source}: ${JSON.stringify(user)}`);
  // ':' separates passwd-file fields and a newline would start a new entry.
  if (password === '' || /[:\r\n]/.test(password)) throw new Error('sandbox IMAP passwords must be non-empty, without ":" or newlines');
  const temp = join(usersDir, `.${user}.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(temp, `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  renameSync(temp, join(usersDir, user));
}
