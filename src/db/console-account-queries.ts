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
