import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db, Tx } from './client';
import { consoleSessions, consoleUsers, type ConsoleUser } from './schema';
import type { ConsoleRole } from './vocabulary';

/**
 * Account changes made inside a caller's transaction (src/console/user-accounts.ts): the rule "never
 * leave the console without an enabled admin" needs the admins locked while it is checked.
 */

/**
 * The account and every enabled admin, locked until the transaction ends, in one statement and in id
 * order: two admins demoting each other at once wait for one another (no deadlock), and the second then
 * sees the first one's change. Null when the account does not exist.
 */
export async function lockUserAndAdmins(tx: Tx, userId: number): Promise<{ user: ConsoleUser; otherEnabledAdmins: number } | null> {
  const rows = await tx.select().from(consoleUsers)
    .where(or(eq(consoleUsers.id, userId), and(eq(consoleUsers.role, 'admin'), isNull(consoleUsers.disabledAt))))
    .orderBy(asc(consoleUsers.id))
    .for('update');
  const user = rows.find((r) => r.id === userId);
  if (!user) return null;
  return { user, otherEnabledAdmins: rows.filter((r) => r.id !== userId && r.role === 'admin' && r.disabledAt === null).length };
}

export async function updateUserRole(tx: Tx, userId: number, role: ConsoleRole, now: Date): Promise<void> {
  await tx.update(consoleUsers).set({ role, updatedAt: now }).where(eq(consoleUsers.id, userId));
}

export async function updateUserDisabled(tx: Tx, userId: number, disabledAt: Date | null, now: Date): Promise<void> {
  await tx.update(consoleUsers).set({ disabledAt, updatedAt: now }).where(eq(consoleUsers.id, userId));
}

/** Ends every session of the account; how many there were. */
export async function deleteSessionsOf(db: Db | Tx, userId: number): Promise<number> {
  const deleted = await db.delete(consoleSessions).where(eq(consoleSessions.userId, userId)).returning({ tokenHash: consoleSessions.tokenHash });
  return deleted.length;
}

/** Live sessions per account (for the accounts page). */
export async function sessionCounts(db: Db, now: Date): Promise<Map<number, number>> {
  const found = await db.select({ userId: consoleSessions.userId, n: sql<number>`count(*)::int` }).from(consoleSessions)
    .where(sql`${consoleSessions.expiresAt} > ${now.toISOString()}::timestamptz`)
    .groupBy(consoleSessions.userId);
  return new Map(found.map((r) => [r.userId, Number(r.n)]));
}

// --- Single sign-on: accounts bound to the provider's (issuer, subject) --------------------------------

/**
 * The accounts an OpenID Connect sign-in may open: the one bound to (issuer, subject) and the one with
 * the address, locked until the transaction ends (id order), at most two rows.
 */
export async function lockOidcCandidates(tx: Tx, who: { issuer: string; subject: string; email: string }): Promise<ConsoleUser[]> {
  return tx.select().from(consoleUsers)
    .where(or(and(eq(consoleUsers.oidcIssuer, who.issuer), eq(consoleUsers.oidcSubject, who.subject)), eq(consoleUsers.email, who.email)))
    .orderBy(asc(consoleUsers.id))
    .for('update');
}

/** One account, locked until the transaction ends; null when it does not exist. */
export async function lockUser(tx: Tx, userId: number): Promise<ConsoleUser | null> {
  const [row] = await tx.select().from(consoleUsers).where(eq(consoleUsers.id, userId)).for('update');
  return row ?? null;
}

/** A new account made by single sign-on: no password, bound. Null when the address or the subject has one already. */
export async function insertOidcUser(
  tx: Tx, values: { email: string; role: ConsoleRole; issuer: string; subject: string; now: Date },
): Promise<ConsoleUser | null> {
  const [row] = await tx.insert(consoleUsers).values({
    email: values.email, role: values.role, oidcIssuer: values.issuer, oidcSubject: values.subject, createdAt: values.now, updatedAt: values.now,
  }).onConflictDoNothing().returning();
  return row ?? null;
}

/**
 * Binds an account to (issuer, subject) or (null) unbinds it. Binding also drops a pending invitation:
 * from now on the account is the subject's, and a link still in someone's mailbox must not add a password to it.
 */
export async function setOidcSubject(tx: Tx, userId: number, subject: { issuer: string; subject: string } | null, now: Date): Promise<void> {
  await tx.update(consoleUsers).set(subject
    ? { oidcIssuer: subject.issuer, oidcSubject: subject.subject, invitationTokenHash: null, invitationExpiresAt: null, updatedAt: now }
    : { oidcIssuer: null, oidcSubject: null, updatedAt: now })
    .where(eq(consoleUsers.id, userId));
}

export async function updateUserEmail(tx: Tx, userId: number, email: string, now: Date): Promise<void> {
  await tx.update(consoleUsers).set({ email, updatedAt: now }).where(eq(consoleUsers.id, userId));
}

/** No password and no pending invitation any more: only single sign-on opens the account. */
export async function clearPassword(tx: Tx, userId: number, now: Date): Promise<void> {
  await tx.update(consoleUsers).set({ passwordHash: null, invitationTokenHash: null, invitationExpiresAt: null, updatedAt: now })
    .where(eq(consoleUsers.id, userId));
}

