import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Path of the `dovecot` master binary: PATH, then /usr/sbin (often not on a non-root PATH). */
export function findDovecotBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'dovecot');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Try the next one.
    }
  }
  throw new Error('the dovecot binary is not installed (package dovecot-imapd): run scripts/setup.sh as root');
}
