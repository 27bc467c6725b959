import type { Config } from '../config';
import { isUniqueViolation, type Db, type Tx } from '../db/client';
import {
  clearPassword, deleteSessionsOf, insertOidcUser, lockOidcCandidates, lockUser, lockUserAndAdmins, setOidcSubject,
  updateUserDisabled, updateUserEmail, updateUserRole,
} from '../db/console-account-queries';
import { findUserByEmail, insertUser, recordAudit, setInvitation } from '../db/console-queries';
import type { ConsoleUser } from '../db/schema';
import type { ConsoleAuditAction, ConsoleRole } from '../db/vocabulary';
import { decideOidcAccount, isBound, type OidcAccountRefusal, type OidcSubject } from './oidc-account';
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

/**
 * A new invitation for an existing account (a forgotten password); its current password works until the
 * link is used. Not for an account bound to single sign-on: a password set through the link would outlive
 * the person's removal at the provider (detach it first, unbindAccount).
 */
export async function inviteAccount(db: Db, user: ConsoleUser, by: AccountActor): Promise<{ ok: true; token: string } | { ok: false; reason: 'bound' }> {
  const token = randomToken();
  const done = await db.transaction(async (tx) => {
    const current = await lockUser(tx, user.id);
    if (!current || isBound(current)) return false;
    await setInvitation(tx, user.id, sha256Hex(token), new Date(by.now.getTime() + INVITATION_HOURS * 3_600_000), by.now);
    await recordAudit(tx, { at: by.now, actor: by.actor, action: 'user_invited', target: user.email, ip: by.ip ?? null, detail: { again: true } });
    return true;
  });
  return done ? { ok: true, token } : { ok: false, reason: 'bound' };
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

export type OidcAccountResult =
  | { ok: true; user: ConsoleUser }
  /** `user`: the account concerned, when there is one (for the audit line). */
  | { ok: false; reason: OidcAccountRefusal; user: ConsoleUser | null };

const OIDC_ATTEMPTS = 3;

/**
 * The account of someone who signed in with OpenID Connect, by the rules of src/console/oidc-account.ts:
 * bound to the provider's (issuer, subject) at its first sign-in (made then, without a password, when
 * the address has no account). Each write and its audit line in one transaction, the accounts concerned
 * locked; a concurrent first sign-in or change of address (a unique index refuses ours) is decided again.
 * The role follows the provider's claim at every sign-in (even for the last admin: the provider is the
 * authority; the terminal can still add one).
 */
export async function oidcAccount(db: Db, who: OidcSubject & { email: string; role: ConsoleRole }, by: AccountActor): Promise<OidcAccountResult> {
  for (let attempt = 1; ; attempt += 1) {
    let result: OidcAccountResult | null;
    try {
      result = await db.transaction((tx) => applyOidcDecision(tx, who, by));
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= OIDC_ATTEMPTS) throw err;
      result = null;
    }
    if (result) {
      if (!result.ok || result.user.role === who.role) return result;
      await changeAccountRole(db, result.user.id, who.role, by, { detail: { method: 'oidc' }, allowLastAdmin: true });
      return { ok: true, user: { ...result.user, role: who.role } };
    }
    if (attempt >= OIDC_ATTEMPTS) throw new Error('oidc account: still conflicting after retries');
  }
}

/** One attempt: null when a concurrent sign-in made the account first (decide again). */
async function applyOidcDecision(tx: Tx, who: OidcSubject & { email: string; role: ConsoleRole }, by: AccountActor): Promise<OidcAccountResult | null> {
  const rows = await lockOidcCandidates(tx, who);
  const decision = decideOidcAccount(rows, who);
  const audit = (action: ConsoleAuditAction, target: string, detail: Record<string, unknown>) =>
    recordAudit(tx, { at: by.now, actor: by.actor, action, target, ip: by.ip ?? null, detail });
  switch (decision.kind) {
    case 'refuse':
      return { ok: false, reason: decision.reason, user: rows.find((r) => r.id === decision.userId) ?? null };
    case 'create': {
      const user = await insertOidcUser(tx, { email: who.email, role: who.role, issuer: who.issuer, subject: who.subject, now: by.now });
      if (!user) return null;
      await audit('user_added', who.email, { role: who.role, method: 'oidc' });
      return { ok: true, user };
    }
    case 'sign-in': {
      let user = rows.find((r) => r.id === decision.userId)!;
      if (decision.bind) {
        await setOidcSubject(tx, user.id, who, by.now);
        await audit('oidc_bound', user.email, { issuer: who.issuer, subject: who.subject, invitationDropped: user.invitationTokenHash !== null });
        user = { ...user, oidcIssuer: who.issuer, oidcSubject: who.subject, invitationTokenHash: null, invitationExpiresAt: null };
      }
      if (decision.newEmail) {
        await updateUserEmail(tx, user.id, decision.newEmail, by.now);
        await audit('user_email_changed', decision.newEmail, { from: user.email, method: 'oidc' });
        user = { ...user, email: decision.newEmail };
      }
      return { ok: true, user };
    }
  }
}

/**
 * An admin unbinds an account from its single sign-on subject (the person changed at the provider, or
 * the provider's issuer did): its next sign-in binds it again, by address, if it has no password. Its
 * sessions end.
 */
export async function unbindAccount(db: Db, userId: number, by: AccountActor): Promise<AccountChange> {
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, userId);
    if (!user) return 'not-found';
    if (!isBound(user)) return 'unchanged';
    await setOidcSubject(tx, user.id, null, by.now);
    const sessions = await deleteSessionsOf(tx, user.id);
    await recordAudit(tx, {
      at: by.now, actor: by.actor, action: 'oidc_unbound', target: user.email, ip: by.ip ?? null,
      detail: { issuer: user.oidcIssuer, subject: user.oidcSubject, sessionsEnded: sessions },
    });
    return 'done';
  });
}

/**
 * An admin removes a local account's password (and pending invitation): only single sign-on opens it
 * from now on, and its next sign-in there binds it. Its sessions end.
 */
export async function removeAccountPassword(db: Db, userId: number, by: AccountActor): Promise<AccountChange> {
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, userId);
    if (!user) return 'not-found';
    if (user.passwordHash === null && user.invitationTokenHash === null) return 'unchanged';
    await clearPassword(tx, user.id, by.now);
    const sessions = await deleteSessionsOf(tx, user.id);
    await recordAudit(tx, { at: by.now, actor: by.actor, action: 'password_removed', target: user.email, ip: by.ip ?? null, detail: { sessionsEnded: sessions } });
    return 'done';
  });
}
