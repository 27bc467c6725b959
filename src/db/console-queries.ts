import { and, asc, desc, eq, gte, inArray, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from './client';
import {
  accounts, consoleAudit, consoleSessions, consoleUsers, inboundMessages, outbox, ticketEvents, tickets,
  type ConsoleSession, type ConsoleUser, type Ticket,
} from './schema';
import type { ConsoleAuditAction, ConsoleRole } from './vocabulary';
import { toDate } from './ops-queries';

/** The web console's queries: its accounts, sessions and audit log, and what its pages read. */

async function rows<T>(db: Db | Tx, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}
/** A timestamp parameter: postgres.js here takes no Date objects in raw queries. */
const at = (date: Date) => sql`${date.toISOString()}::timestamptz`;

// --- Accounts --------------------------------------------------------------------------------------

export async function findUserByEmail(db: Db | Tx, email: string): Promise<ConsoleUser | null> {
  const [row] = await db.select().from(consoleUsers).where(eq(consoleUsers.email, email.trim().toLowerCase()));
  return row ?? null;
}

export async function findUserByInvitation(db: Db | Tx, tokenHash: string): Promise<ConsoleUser | null> {
  const [row] = await db.select().from(consoleUsers).where(eq(consoleUsers.invitationTokenHash, tokenHash));
  return row ?? null;
}

/** A new account; null when the address has one already. */
export async function insertUser(
  db: Db | Tx,
  values: { email: string; role: ConsoleRole; passwordHash: string | null; invitationTokenHash: string | null; invitationExpiresAt: Date | null; now: Date },
): Promise<ConsoleUser | null> {
  const [row] = await db.insert(consoleUsers).values({
    email: values.email, role: values.role, passwordHash: values.passwordHash, invitationTokenHash: values.invitationTokenHash,
    invitationExpiresAt: values.invitationExpiresAt, createdAt: values.now, updatedAt: values.now,
  }).onConflictDoNothing().returning();
  return row ?? null;
}

export async function listUsers(db: Db): Promise<ConsoleUser[]> {
  return db.select().from(consoleUsers).orderBy(asc(consoleUsers.email));
}

/** A new invitation for an account (replacing any earlier one); its password stays until the invitation is used. */
export async function setInvitation(db: Db | Tx, userId: number, tokenHash: string, expiresAt: Date, now: Date): Promise<void> {
  await db.update(consoleUsers).set({ invitationTokenHash: tokenHash, invitationExpiresAt: expiresAt, updatedAt: now }).where(eq(consoleUsers.id, userId));
}

/**
 * Sets the password through an invitation and uses the invitation up; every session of the account ends.
 * Only while that invitation is still the account's, unexpired, and the account enabled: a link used twice
 * at once, or one that single sign-on, an admin's « Retirer le mot de passe » or a new invitation made void
 * while its holder typed, sets nothing. Returns whether the password was set.
 */
export async function setPasswordByInvitation(db: Db, userId: number, invitationTokenHash: string, passwordHash: string, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const used = await tx.update(consoleUsers)
      .set({ passwordHash, invitationTokenHash: null, invitationExpiresAt: null, updatedAt: now })
      .where(and(
        eq(consoleUsers.id, userId), eq(consoleUsers.invitationTokenHash, invitationTokenHash),
        gte(consoleUsers.invitationExpiresAt, now), isNull(consoleUsers.disabledAt),
      ))
      .returning({ id: consoleUsers.id });
    if (used.length === 0) return false;
    await tx.delete(consoleSessions).where(eq(consoleSessions.userId, userId));
    return true;
  });
}

/** Disables (or enables again) an account; disabling ends its sessions at once. Returns false when nothing changed. */
export async function setUserDisabled(db: Db, userId: number, disabledAt: Date | null, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const changed = await tx.update(consoleUsers)
      .set({ disabledAt, updatedAt: now })
      .where(and(eq(consoleUsers.id, userId), disabledAt ? isNull(consoleUsers.disabledAt) : sql`${consoleUsers.disabledAt} is not null`))
      .returning({ id: consoleUsers.id });
    if (disabledAt) await tx.delete(consoleSessions).where(eq(consoleSessions.userId, userId));
    return changed.length > 0;
  });
}

export async function setRole(db: Db, userId: number, role: ConsoleRole, now: Date): Promise<void> {
  await db.update(consoleUsers).set({ role, updatedAt: now }).where(eq(consoleUsers.id, userId));
}

export async function recordLogin(db: Db, userId: number, now: Date): Promise<void> {
  await db.update(consoleUsers).set({ lastLoginAt: now }).where(eq(consoleUsers.id, userId));
}

// --- Sessions ----------------------------------------------------------------------------------------

export async function insertSession(
  db: Db, values: { tokenHash: string; userId: number; csrfToken: string; now: Date; expiresAt: Date; ip: string | null; userAgent: string | null },
): Promise<void> {
  await db.insert(consoleSessions).values({
    tokenHash: values.tokenHash, userId: values.userId, csrfToken: values.csrfToken, createdAt: values.now, lastSeenAt: values.now,
    expiresAt: values.expiresAt, ip: values.ip, userAgent: values.userAgent,
  });
}

/** A session with its account (an account deleted by hand opens nothing). */
export async function findSession(db: Db, tokenHash: string): Promise<{ session: ConsoleSession; user: ConsoleUser } | null> {
  const [row] = await db.select({ session: consoleSessions, user: consoleUsers })
    .from(consoleSessions)
    .innerJoin(consoleUsers, eq(consoleUsers.id, consoleSessions.userId))
    .where(eq(consoleSessions.tokenHash, tokenHash));
  return row ?? null;
}

export async function touchSession(db: Db, tokenHash: string, now: Date): Promise<void> {
  await db.update(consoleSessions).set({ lastSeenAt: now }).where(eq(consoleSessions.tokenHash, tokenHash));
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.delete(consoleSessions).where(eq(consoleSessions.tokenHash, tokenHash));
}

/** Sessions past their absolute end, or idle since before `idleBefore`. */
export async function deleteDeadSessions(db: Db, now: Date, idleBefore: Date): Promise<void> {
  await db.delete(consoleSessions).where(or(lt(consoleSessions.expiresAt, now), lt(consoleSessions.lastSeenAt, idleBefore)));
}

// --- Audit log ---------------------------------------------------------------------------------------

export interface AuditEntry {
  actor: string;
  action: ConsoleAuditAction;
  target?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
  at: Date;
}

export async function recordAudit(db: Db | Tx, entry: AuditEntry): Promise<void> {
  await db.insert(consoleAudit).values({
    at: entry.at, actor: entry.actor, action: entry.action, target: entry.target ?? null, ip: entry.ip ?? null, detail: entry.detail ?? {},
  });
}

export async function recentAudit(db: Db, limit = 200) {
  return db.select().from(consoleAudit).orderBy(desc(consoleAudit.id)).limit(limit);
}

/** Failed logins since `since`: for an address typed (target) and for a client address (ip). */
export async function recentLoginFailures(db: Db, opts: { email: string; ip: string | null; since: Date }): Promise<{ account: number; ip: number }> {
  const [row] = await rows<{ account: number; ip: number }>(db, sql`
    select
      (select count(*)::int from console_audit where action = 'login_failed' and target = ${opts.email} and at > ${at(opts.since)}) as account,
      (select count(*)::int from console_audit where action = 'login_failed' and ip = ${opts.ip ?? ''} and at > ${at(opts.since)}) as ip`);
  return { account: Number(row?.account ?? 0), ip: Number(row?.ip ?? 0) };
}

// --- What the agents' pages read -----------------------------------------------------------------------

/** A ticket awaiting the agents, with since when (its latest entry into awaiting_approval). */
export interface PendingApproval {
  ticket: Ticket;
  since: Date;
}

/** Tickets awaiting a decision, the longest-waiting first (as oldestPendingApprovalSince measures it). */
export async function pendingApprovals(db: Db, limit = 200): Promise<PendingApproval[]> {
  const found = await rows<{ id: number; since: unknown }>(db, sql`
    select t.id, coalesce(entered.at, t.updated_at) as since
    from tickets t
    left join lateral (
      select max(e.at) as at from ticket_events e
      where e.ticket_id = t.id and e.kind = 'status_changed' and e.to_status = 'awaiting_approval'
    ) entered on true
    where t.status = 'awaiting_approval'
    order by since asc, t.id asc
    limit ${limit}`);
  if (found.length === 0) return [];
  const byId = new Map((await db.select().from(tickets).where(inArray(tickets.id, found.map((r) => Number(r.id))))).map((t) => [t.id, t]));
  return found.flatMap((r) => {
    const ticket = byId.get(Number(r.id));
    return ticket ? [{ ticket, since: toDate(r.since) ?? ticket.updatedAt }] : [];
  });
}

/** Tickets by reference, SIRET (or SIREN) or an address (requester or liquidator), the newest first. */
export async function searchTickets(db: Db, query: { ref?: string; siretPrefix?: string; address?: string }, limit = 100): Promise<Ticket[]> {
  const conditions: SQL[] = [];
  if (query.ref) conditions.push(eq(tickets.ref, query.ref.toUpperCase()));
  if (query.siretPrefix) conditions.push(sql`${tickets.siret} like ${`${query.siretPrefix}%`}`);
  if (query.address) {
    const pattern = `%${query.address.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`(lower(${tickets.requesterEmail}) like ${pattern} or lower(coalesce(${tickets.liquidatorEmail}, '')) like ${pattern})`);
  }
  if (conditions.length === 0) return [];
  return db.select().from(tickets).where(or(...conditions)).orderBy(desc(tickets.id)).limit(limit);
}

/** The mails liquibot wrote on a ticket, bodies included (reset mails hold a placeholder, never the link). */
export async function outboxMailsOfTicket(db: Db, ticketId: number) {
  return db.select({
    id: outbox.id, kind: outbox.kind, toAddress: outbox.toAddress, subject: outbox.subject, textBody: outbox.textBody, status: outbox.status,
    attempts: outbox.attempts, lastError: outbox.lastError, createdAt: outbox.createdAt, sentAt: outbox.sentAt, attachments: outbox.attachments,
  }).from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(asc(outbox.id));
}

/** The mails received on a ticket, with their raw source (null once retention removed it). */
export async function inboundMailsOfTicket(db: Db, ticketId: number) {
  return db.select({
    id: inboundMessages.id, raw: inboundMessages.raw, sizeBytes: inboundMessages.sizeBytes, receivedAt: inboundMessages.receivedAt,
    outcome: inboundMessages.outcome, status: inboundMessages.status,
  }).from(inboundMessages).where(eq(inboundMessages.ticketId, ticketId)).orderBy(asc(inboundMessages.id));
}

export async function rawOfInbound(db: Db, id: number): Promise<Buffer | null> {
  const [row] = await db.select({ raw: inboundMessages.raw }).from(inboundMessages).where(eq(inboundMessages.id, id));
  return row?.raw ?? null;
}

// --- The approval requests of a ticket (its points d'attention: src/approval/queue-approval-request.ts pointsOfAttention) ---

/** The `approval_requested` lines of a ticket's history: when each approval request went, with how many points. */
export async function approvalRequestsOf(db: Db, ticketId: number) {
  return db.select({ at: ticketEvents.at, detail: ticketEvents.detail }).from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.kind, 'approval_requested')))
    .orderBy(asc(ticketEvents.id));
}

// --- Statistics and the audit export (admins) -----------------------------------------------------------

export type Period = { from: Date; to: Date };

/** New requests (tickets) per week or month of `timeZone`, within the period. Buckets are local dates, YYYY-MM-DD. */
export async function requestsPer(db: Db, unit: 'week' | 'month', period: Period, timeZone: string): Promise<{ bucket: string; n: number }[]> {
  const found = await rows<{ bucket: string; n: number }>(db, sql`
    select to_char(date_trunc(${unit}, created_at at time zone ${timeZone}), 'YYYY-MM-DD') as bucket, count(*)::int as n
    from tickets where created_at >= ${at(period.from)} and created_at < ${at(period.to)}
    group by 1 order by 1`);
  return found.map((r) => ({ bucket: String(r.bucket), n: Number(r.n) }));
}

/** The verdict of each ticket's first check, for the tickets created in the period. */
export async function firstVerdicts(db: Db, period: Period): Promise<{ conforme: number; nonConforme: number }> {
  const found = await rows<{ verdict: string | null; n: number }>(db, sql`
    select first.verdict, count(*)::int as n from (
      select distinct on (e.ticket_id) e.detail->>'verdict' as verdict
      from ticket_events e join tickets t on t.id = e.ticket_id
      where e.kind = 'checked' and t.created_at >= ${at(period.from)} and t.created_at < ${at(period.to)}
      order by e.ticket_id, e.id
    ) first group by 1`);
  const count = (v: string) => Number(found.find((r) => r.verdict === v)?.n ?? 0);
  return { conforme: count('conforme'), nonConforme: count('non_conforme') };
}

/** Problem code → how many checks made in the period found it. */
export async function problemsFound(db: Db, period: Period): Promise<{ code: string; n: number }[]> {
  const found = await rows<{ code: string; n: number }>(db, sql`
    select p.code, count(*)::int as n
    from ticket_events e, jsonb_array_elements_text(coalesce(e.detail->'problems', '[]'::jsonb)) as p(code)
    where e.kind = 'checked' and e.at >= ${at(period.from)} and e.at < ${at(period.to)}
    group by 1 order by 2 desc, 1`);
  return found.map((r) => ({ code: String(r.code), n: Number(r.n) }));
}

/** A decision made in the period, with since when its request awaited it (first entry into awaiting_approval). */
export interface DecisionRecord {
  ref: string;
  siret: string | null;
  decision: string;
  decidedBy: string;
  decidedAt: Date;
  /** null when the history has no entry into awaiting_approval (should not happen). */
  awaitingSince: Date | null;
  createdAt: Date;
  requesterEmail: string;
  liquidatorEmail: string | null;
  refusalReason: string | null;
  /** How it was decided: mail, terminal, console (from the decision's history line). */
  via: string | null;
}

export async function decisionsIn(db: Db, period: Period, limit = 100_000): Promise<DecisionRecord[]> {
  const found = await rows<{
    ref: string; siret: string | null; decision: string; decided_by: string; decided_at: unknown; since: unknown; created_at: unknown;
    requester_email: string; liquidator_email: string | null; refusal_reason: string | null; via: string | null;
  }>(db, sql`
    select t.ref, t.siret, t.decision, t.decided_by, t.decided_at, t.created_at, t.requester_email, t.liquidator_email, t.refusal_reason,
      (select min(e.at) from ticket_events e where e.ticket_id = t.id and e.kind = 'status_changed' and e.to_status = 'awaiting_approval') as since,
      (select e.detail->>'via' from ticket_events e where e.ticket_id = t.id and e.kind = 'decision' order by e.id desc limit 1) as via
    from tickets t
    where t.decided_at is not null and t.decided_at >= ${at(period.from)} and t.decided_at < ${at(period.to)}
    order by t.decided_at, t.id
    limit ${limit}`);
  return found.map((r) => ({
    ref: r.ref, siret: r.siret, decision: r.decision, decidedBy: r.decided_by, decidedAt: toDate(r.decided_at)!, awaitingSince: toDate(r.since),
    createdAt: toDate(r.created_at)!, requesterEmail: r.requester_email, liquidatorEmail: r.liquidator_email, refusalReason: r.refusal_reason, via: r.via,
  }));
}

/** Inbound mails in quarantine, newest first, without their raw source. */
export async function quarantinedMails(db: Db, limit = 500) {
  return db.select({
    id: inboundMessages.id, receivedAt: inboundMessages.receivedAt, sizeBytes: inboundMessages.sizeBytes, messageId: inboundMessages.messageId,
    errorCode: inboundMessages.errorCode, errorDetail: inboundMessages.errorDetail, hasRaw: sql<boolean>`${inboundMessages.raw} is not null`,
  }).from(inboundMessages).where(eq(inboundMessages.status, 'quarantined')).orderBy(desc(inboundMessages.id)).limit(limit);
}
