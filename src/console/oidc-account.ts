import type { ConsoleUser } from '../db/schema';

/**
 * Which console account an OpenID Connect sign-in opens. Pure: src/console/user-accounts.ts reads the
 * rows (locked) and writes what is decided.
 *
 * The account belongs to the provider's subject (the ID token's `iss` and `sub`), not to an address: an
 * address can later be given to someone else at the provider, a subject cannot. So:
 * 1. the account bound to this (issuer, subject) is theirs; when the provider's verified address changed,
 *    the account's follows (refused when another account has that address);
 * 2. otherwise the account of that verified address is bound now, but only when nobody owns it yet: no
 *    binding and no password (made by single sign-on, or an invitation not yet used). A local account
 *    (with a password) or one bound to another subject is refused: an admin decides;
 * 3. no account at all: one is made, bound.
 * A disabled account is refused (and left unchanged) once it is found to be theirs.
 */

export interface OidcSubject {
  issuer: string;
  subject: string;
}

/** What the decision reads of an account. */
export type OidcAccountRow = Pick<ConsoleUser, 'id' | 'email' | 'passwordHash' | 'oidcIssuer' | 'oidcSubject' | 'disabledAt'>;

export type OidcAccountRefusal = 'LOCAL_ACCOUNT' | 'SUBJECT_MISMATCH' | 'EMAIL_TAKEN' | 'DISABLED';

export type OidcAccountDecision =
  /** Sign in to this account; `bind`: bind it to the subject first; `newEmail`: the address it takes. */
  | { kind: 'sign-in'; userId: number; bind: boolean; newEmail: string | null }
  | { kind: 'create' }
  | { kind: 'refuse'; reason: OidcAccountRefusal; userId: number | null };

export function isBound(row: Pick<OidcAccountRow, 'oidcIssuer' | 'oidcSubject'>): boolean {
  return row.oidcIssuer !== null || row.oidcSubject !== null;
}

/**
 * The decision for someone the provider vouches for as `who` (address lower case, verified), given the
 * accounts bound to that subject or holding that address (any others are ignored).
 */
export function decideOidcAccount(rows: readonly OidcAccountRow[], who: OidcSubject & { email: string }): OidcAccountDecision {
  const bound = rows.find((r) => r.oidcIssuer === who.issuer && r.oidcSubject === who.subject);
  if (bound) {
    if (bound.disabledAt !== null) return { kind: 'refuse', reason: 'DISABLED', userId: bound.id };
    if (bound.email === who.email) return { kind: 'sign-in', userId: bound.id, bind: false, newEmail: null };
    const other = rows.find((r) => r.email === who.email && r.id !== bound.id);
    if (other) return { kind: 'refuse', reason: 'EMAIL_TAKEN', userId: bound.id };
    return { kind: 'sign-in', userId: bound.id, bind: false, newEmail: who.email };
  }
  const byEmail = rows.find((r) => r.email === who.email);
  if (!byEmail) return { kind: 'create' };
  // Someone else's at the provider (or the same person under another issuer): never silently moved over.
  if (isBound(byEmail)) return { kind: 'refuse', reason: 'SUBJECT_MISMATCH', userId: byEmail.id };
  if (byEmail.passwordHash !== null) return { kind: 'refuse', reason: 'LOCAL_ACCOUNT', userId: byEmail.id };
  if (byEmail.disabledAt !== null) return { kind: 'refuse', reason: 'DISABLED', userId: byEmail.id };
  return { kind: 'sign-in', userId: byEmail.id, bind: true, newEmail: null };
}
