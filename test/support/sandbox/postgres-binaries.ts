import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * Directory holding initdb, pg_ctl and postgres of one PostgreSQL version: from PATH first
 * (symlinks resolved, so pg_ctl finds the postgres of the same version), else the newest
 * /usr/lib/postgresql/N/bin (Debian does not put them on PATH).
 */
export function findPostgresBinDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'initdb');
    if (isExecutable(candidate)) return dirname(realpathSync(candidate));
  }
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian PostgreSQL install.
  }
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (isExecutable(join(bin, 'initdb'))) return bin;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, postgres) not found on PATH nor in /usr/lib/postgresql/*/bin: run scripts/setup.sh',
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
