import { runCommand } from './run-command';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

/** Look up a local user by name; undefined when it does not exist. */
export async function findSystemUser(name: string): Promise<SystemUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([runCommand('id', ['-u', name]), runCommand('id', ['-g', name])]);
    return { name, uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * The first existing user among `candidates`, or a new system user named `fallback`
 * (no home, no login shell). PostgreSQL refuses to run as root, so root needs one of these.
 */
export async function ensureSystemUser(candidates: readonly string[], fallback: string): Promise<SystemUser> {
  for (const name of candidates) {
    const user = await findSystemUser(name);
    if (user) return user;
  }
  try {
    await runCommand('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', fallback]);
  } catch (err) {
    // Another process may have created it at the same time: only fail if it still is missing.
    if (!(await findSystemUser(fallback))) throw err;
  }
  const created = await findSystemUser(fallback);
  if (!created) throw new Error(`could not create system user ${fallback}`);
  return created;
}
