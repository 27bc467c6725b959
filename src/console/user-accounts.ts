import type { Config } from '../config';
import type { Db } from '../db/client';
import { deleteSessionsOf, lockUserAndAdmins, updateUserDisabled, updateUserRole } from '../db/console-account-queries';
import { findUserByEmail, insertUser, recordAudit, setInvitation } from '../db/console-queries';
import type { ConsoleUser } from '../db/schema';
import type { ConsoleRole } from '../db/vocabulary';
import { randomToken, sha256Hex } from './secrets';

/**
 * What changes a console account, for `liquibot users` (src/cli/users-command.ts) and the accounts
 * page (src/console/admin-users.ts) alike: each change and its audit line in one transaction, and the
 * console never left without an enabled admin.
 */

export const INVITATION_HOURS = 72;
const EMAIL = /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/;

export function isEmailAddress(text: string): boolean {
  return text.length <= 320 && EMAIL.test(text);
}

/** Who did it, and from where (an IP address for the console, none for the terminal). */
export interface AccountActor {
  /** `console:EMAIL` or `terminal:NAME`. */
  actor: string;
  ip?: string | null;
  now: Date;
}

/** The address where the console is opened, for invitation links. */
export function consoleBaseUrl(config: Pick<Config, 'CONSOLE_PUBLIC_URL' | 'CONSOLE_PATH' | 'CONSOLE_HOST' | 'CONSOLE_PORT' | 'HTTP_HOST' | 'HTTP_PORT'>): string {
  if (config.CONSOLE_PUBLIC_URL) return config.CONSOLE_PUBLIC_URL.replace(/\/+$/, '');
  const host = config.CONSOLE_PORT !== undefined ? config.CONSOLE_HOST ?? config.HTTP_HOST : config.HTTP_HOST;
  const port = config.CONSOLE_PORT ?? config.HTTP_PORT ?? 8080;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${config.CONSOLE_PATH}`;
}

export function invitationUrl(config: Parameters<typeof consoleBaseUrl>[0], token: string): string {
  return `${consoleBaseUrl(config)}/invitation?token=${token}`;
}

export type AddAccountResult =
  | { ok: true; user: ConsoleUser; invitationToken: string | null }
  | { ok: false; existing: ConsoleUser | null };

/**
 * A new account: with a password hash, or (null) with a one-time invitation whose token is returned,
 * only its SHA-256 stored. Not ok when the address has an account already.
 */
export async function addAccount(
  db: Db, input: { email: string; role: ConsoleRole; passwordHash: string | null; detail?: Record<string, unknown> }, by: AccountActor,
): Promise<AddAccountResult> {
  const email = input.email.trim().toLowerCase();
  const token = input.passwordHash === null ? randomToken() : null;
  const result = await db.transaction(async (tx) => {
    const user = await insertUser(tx, {
      email, role: input.role, passwordHash: input.passwordHash, invitationTokenHash: token ? sha256Hex(token) : null,
      invitationExpiresAt: token ? new Date(by.now.getTime() + INVITATION_HOURS * 3_600_000) : null, now: by.now,
    });
    if (!user) return null;
    await recordAudit(tx, {
      at: by.now, actor: by.actor, action: token ? 'user_invited' : 'user_added', target: email, ip: by.ip ?? null, detail: { role: input.role, ...input.detail },
    });
    return user;
  });
  if (!result) return { ok: false, existing: await findUserByEmail(db, email) };
  return { ok: true, user: result, invitationToken: token };
}

/** A new invitation for an existing account (a forgotten password); its current password works until the link is used. */
export async function inviteAccount(db: Db, user: ConsoleUser, by: AccountActor): Promise<string> {
  const token = randomToken();
  await db.transaction(async (tx) => {
    await setInvitation(tx, user.id, sha256Hex(token), new Date(by.now.getTime() + INVITATION_HOURS * 3_600_000), by.now);
    await recordAudit(tx, { at: by.now, actor: by.actor, action: 'user_invited', target: user.email, ip: by.ip ?? null, detail: { again: true } });
  });
  return token;
}

/** Why a change was not made. */
export type AccountChange = 'done' | 'unchanged' | 'not-found' | 'last-admin';

/**
 * Disables (its sessions end at once) or enables an account. Disabling the last enabled admin is
 * refused: nobody could manage the accounts from the console any more.
 */
export async function setAccountDisabled(db: Db, userId: number, disable: boolean, by: AccountActor): Promise<AccountChange> {
  return db.transaction(async (tx) => {
    const locked = await lockUserAndAdmins(tx, userId);
    if (!locked) return 'not-found';
    const { user } = locked;
    if ((user.disabledAt !== null) === disable) return 'unchanged';
    if (disable && user.role === 'admin' && locked.otherEnabledAdmins === 0) return 'last-admin';
    await updateUserDisabled(tx, user.id, disable ? by.now : null, by.now);
    const sessions = disable ? await deleteSessionsOf(tx, user.id) : 0;
    await recordAudit(tx, {
      at: by.now, actor: by.actor, action: disable ? 'user_disabled' : 'user_enabled', target: user.email, ip: by.ip ?? null,
      detail: disable ? { sessionsEnded: sessions } : {},
    });
    return 'done';
  });
}

/**
 * Changes an account's role (it applies at the account's next request: sessions read the role from
 * the account). Demoting the last enabled admin is refused. `detail` says how (e.g. `{ method: 'oidc' }`).
 */
export async function changeAccountRole(
  db: Db, userId: number, role: ConsoleRole, by: AccountActor, opts: { detail?: Record<string, unknown>; allowLastAdmin?: boolean } = {},
): Promise<AccountChange> {
  return db.transaction(async (tx) => {
    const locked = await lockUserAndAdmins(tx, userId);
    if (!locked) return 'not-found';
    const { user } = locked;
    if (user.role === role) return 'unchanged';
    if (!opts.allowLastAdmin && user.role === 'admin' && user.disabledAt === null && locked.otherEnabledAdmins === 0) return 'last-admin';
    await updateUserRole(tx, user.id, role, by.now);
    await recordAudit(tx, {
      at: by.now, actor: by.actor, action: 'user_role_changed', target: user.email, ip: by.ip ?? null, detail: { from: user.role, to: role, ...opts.detail },
    });
    return 'done';
  });
}

/** Ends every session of an account (it must sign in again); how many there were. */
export async function revokeAccountSessions(db: Db, user: ConsoleUser, by: AccountActor): Promise<number> {
  return db.transaction(async (tx) => {
    const n = await deleteSessionsOf(tx, user.id);
    await recordAudit(tx, { at: by.now, actor: by.actor, action: 'sessions_revoked', target: user.email, ip: by.ip ?? null, detail: { sessions: n } });
    return n;
  });
}

/**
 * The account of someone who signed in with OpenID Connect, found by their (provider-verified) address;
 * made on their first sign-in, without a password. Its role follows the provider's claim at every
 * sign-in (even for the last admin: the provider is the authority; the terminal can still add one).
 */
export async function oidcAccount(db: Db, email: string, role: ConsoleRole, by: AccountActor): Promise<ConsoleUser> {
  const existing = await findUserByEmail(db, email);
  if (existing) {
    if (existing.role !== role && !existing.disabledAt) {
      await changeAccountRole(db, existing.id, role, by, { detail: { method: 'oidc' }, allowLastAdmin: true });
      return { ...existing, role };
    }
    return existing;
  }
  const made = await db.transaction(async (tx) => {
    const user = await insertUser(tx, { email, role, passwordHash: null, invitationTokenHash: null, invitationExpiresAt: null, now: by.now });
    if (user) await recordAudit(tx, { at: by.now, actor: by.actor, action: 'user_added', target: email, ip: by.ip ?? null, detail: { role, method: 'oidc' } });
    return user;
  });
  // Two first sign-ins at once: the other one made it.
  return made ?? (await oidcAccount(db, email, role, by));
}
