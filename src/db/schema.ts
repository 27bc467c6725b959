import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, customType, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex,
} from 'drizzle-orm/pg-core';
import {
  AUTO_SUBMITTED_VALUES, CONSOLE_AUDIT_ACTIONS, CONSOLE_ROLES, INBOUND_STATUSES, OUTBOX_STATUSES, RESET_LINK_STATUSES, TICKET_DECISIONS,
  TICKET_EVENT_KINDS, TICKET_STATUSES,
} from './vocabulary';
import { vocabularyChecks } from './vocabulary-sql';
import type { TicketCheck } from '../workflow/ticket-check';

// The closed sets live in vocabulary.ts; re-exported for the many `from '../db/schema'` imports.
export { TICKET_STATUSES, type TicketStatus } from './vocabulary';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
  toDriver: (v) => v,
});

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Where the watcher is in each mailbox. */
export const mailboxState = pgTable('mailbox_state', {
  mailbox: text('mailbox').primaryKey(),
  uidValidity: bigint('uid_validity', { mode: 'bigint' }).notNull(),
  /**
   * Messages with a UID at or below this one are never processed in this UIDVALIDITY epoch: the
   * backlog skipped on first start (FIRST_START=skip). 0 processes everything.
   */
  skipUpTo: bigint('skip_up_to', { mode: 'number' }).notNull().default(0),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

/** Every message liquibot fetched, stored raw before anything else is done with it. */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    mailbox: text('mailbox').notNull(),
    uidValidity: bigint('uid_validity', { mode: 'bigint' }).notNull(),
    /** IMAP UIDs are unsigned 32-bit: up to 4294967295, past integer's range. */
    uid: bigint('uid', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    raw: bytea('raw'),
    messageId: text('message_id'),
    /** stored → processed | quarantined; purged once retention removed `raw`. */
    status: text('status', { enum: INBOUND_STATUSES }).notNull().default('stored'),
    /** What the pipeline made of it: ignored:auto-reply, unrelated, request, follow-up, … */
    outcome: text('outcome'),
    errorCode: text('error_code'),
    errorDetail: text('error_detail'),
    /** Unlinked, not deleted, when its ticket goes: the row is what stops the message from being processed again. */
    ticketId: integer('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    processedAt: tstz('processed_at'),
  },
  (t) => [
    uniqueIndex('inbound_messages_mailbox_uid').on(t.mailbox, t.uidValidity, t.uid),
    uniqueIndex('inbound_messages_sha256').on(t.sha256),
    // With the id: the newest copy of a Message-ID (the claim's answersArrivedAt) is the first entry read backwards.
    index('inbound_messages_message_id_id').on(t.messageId, t.id),
    index('inbound_messages_status').on(t.status),
    index('inbound_messages_ticket').on(t.ticketId),
    ...vocabularyChecks('inbound_messages', t),
  ],
);

/**
 * liquibot never deletes a ticket (retention closes it, and clears raw sources and mail bodies). Deleted
 * by hand, a ticket takes its events, reset links and mails with it (ON DELETE CASCADE), and its inbound
 * messages stay, unlinked.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: serial('id').primaryKey(),
    ref: text('ref').notNull(),
    status: text('status', { enum: TICKET_STATUSES }).notNull(),
    requesterEmail: text('requester_email').notNull(),
    requesterName: text('requester_name').notNull().default(''),
    subject: text('subject').notNull().default(''),
    siret: text('siret'),
    liquidatorEmail: text('liquidator_email'),
    /** The merged check of every message of the ticket: fields, documents, problems. */
    check: jsonb('check').$type<TicketCheck>().notNull(),
    /** Message-ID of the first request mail. */
    rootMessageId: text('root_message_id'),
    /** Message-ID of the latest approval request sent to the agents (random, never derivable). */
    approvalMessageId: text('approval_message_id'),
    /** SHA-256 of the approval token written in that request; the token itself is never stored. */
    approvalTokenHash: text('approval_token_hash'),
    decision: text('decision', { enum: TICKET_DECISIONS }),
    decidedBy: text('decided_by'),
    decidedAt: tstz('decided_at'),
    refusalReason: text('refusal_reason'),
    /** Reset links issued after the first one, because the previous one expired unused. */
    linkReissues: integer('link_reissues').notNull().default(0),
    /**
     * Set while a person must look at the request (a message liquibot does not act on was handed to the
     * agents); cleared when an agent decides or marks it handled. Null: nothing waits for a person.
     */
    needsPersonSince: tstz('needs_person_since'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tickets_ref').on(t.ref),
    uniqueIndex('tickets_approval_message_id').on(t.approvalMessageId),
    uniqueIndex('tickets_approval_token_hash').on(t.approvalTokenHash),
    index('tickets_status').on(t.status),
    index('tickets_siret').on(t.siret),
    // The approval request's facts (approval-fact-queries): the requester's earlier requests, and the
    // liquidator's other companies, looked up for every request. The latter are the newest 50, read
    // backwards by id: with the address alone, each request of a liquidator's read all their tickets
    // and sorted them (0.3 ms of the server's CPU a request, a thousand requests into a burst).
    index('tickets_requester_email').on(t.requesterEmail),
    index('tickets_liquidator_email_id').on(t.liquidatorEmail, t.id),
    ...vocabularyChecks('tickets', t),
  ],
);

/** The history of a ticket: every mail in and out, every state change, every refused attempt. */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: integer('ticket_id').notNull().references(() => tickets.id, { onDelete: 'cascade' }),
    at: tstz('at').notNull().defaultNow(),
    kind: text('kind', { enum: TICKET_EVENT_KINDS }).notNull(),
    actor: text('actor').notNull(),
    fromStatus: text('from_status', { enum: TICKET_STATUSES }),
    toStatus: text('to_status', { enum: TICKET_STATUSES }),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [
    index('ticket_events_ticket').on(t.ticketId, t.id),
    index('ticket_events_kind').on(t.kind),
    ...vocabularyChecks('ticket_events', t),
  ],
);

/** Every mail liquibot sends, written in the same transaction as the ticket change that wants it. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Unique reason for this mail, e.g. `ticket:12:notice:msg:40`: the same purpose is never sent twice. */
    purposeKey: text('purpose_key').notNull(),
    ticketId: integer('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    ticketRef: text('ticket_ref'),
    kind: text('kind').notNull(),
    messageId: text('message_id').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    inReplyTo: text('in_reply_to'),
    references: jsonb('references').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** RFC 3834 Auto-Submitted value: auto-replied for answers to a mail, auto-generated otherwise. */
    autoSubmitted: text('auto_submitted', { enum: AUTO_SUBMITTED_VALUES }),
    replyTo: text('reply_to'),
    /** Attachments to copy from stored inbound messages: [{ inboundMessageId, sha256, filename }]. */
    attachments: jsonb('attachments').$type<OutboxAttachmentRef[]>().notNull().default(sql`'[]'::jsonb`),
    /**
     * For a reset mail: the link whose token is put into the body at send time (the body holds a placeholder).
     * No ON DELETE action: a link cannot go while a mail carries it, unless both go with their ticket.
     */
    resetLinkId: integer('reset_link_id').references(() => resetLinks.id),
    templateName: text('template_name').notNull(),
    templateVersion: text('template_version').notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    claimedUntil: tstz('claimed_until'),
    /** The instance (instance_heartbeats.instance_id) that claimed the row: a dead claimer's claim is released at once. */
    claimedBy: text('claimed_by'),
    lastError: text('last_error'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    sentAt: tstz('sent_at'),
  },
  (t) => [
    uniqueIndex('outbox_purpose_key').on(t.purposeKey),
    uniqueIndex('outbox_message_id').on(t.messageId),
    // Pending mail in the order it is claimed (due time, then id): a claim reads the first due rows and stops,
    // however many wait behind them (migration 0010). Partial, so a row has an entry only while pending.
    index('outbox_pending_due').on(t.nextAttemptAt, t.id).where(sql`${t.status} = 'pending'`),
    // Mail being sent (a claim looks among these for leases over and dead claimers) or failed (the health
    // check). Pending mail is left to outbox_pending_due: where both served it, the planner could read every
    // pending row through this one and sort them.
    index('outbox_sending_failed').on(t.status).where(sql`${t.status} in ('sending', 'failed')`),
    index('outbox_to_kind_created').on(t.toAddress, t.kind, t.createdAt),
    // A ticket's mails (its history, the foreign key's cascade), and whether an earlier mail of a ticket to
    // an address is still to go, which a claim asks of every row it takes (migration 0010).
    index('outbox_ticket_to_id').on(t.ticketId, t.toAddress, t.id),
    // For the foreign key's check when a link is deleted; few rows carry a link.
    index('outbox_reset_link').on(t.resetLinkId).where(sql`${t.resetLinkId} is not null`),
    ...vocabularyChecks('outbox', t),
  ],
);

/**
 * Password-reset links. Only the SHA-256 of the token is stored; the token is derived at send time
 * from RESET_LINK_SECRET and the row id, so the database alone never yields a usable link.
 */
export const resetLinks = pgTable(
  'reset_links',
  {
    id: serial('id').primaryKey(),
    ticketId: integer('ticket_id').notNull().references(() => tickets.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    siret: text('siret').notNull(),
    liquidatorEmail: text('liquidator_email').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
    /** active → used | expired | superseded */
    status: text('status', { enum: RESET_LINK_STATUSES }).notNull().default('active'),
    failedAttempts: integer('failed_attempts').notNull().default(0),
  },
  (t) => [
    uniqueIndex('reset_links_token_hash').on(t.tokenHash),
    index('reset_links_ticket').on(t.ticketId),
    index('reset_links_status_expiry').on(t.status, t.expiresAt),
    ...vocabularyChecks('reset_links', t),
  ],
);

/** The accounts directory: who administers each company's account (loaded by admins from CSV). */
export const accounts = pgTable('accounts', {
  siret: text('siret').primaryKey(),
  lastName: text('last_name').notNull(),
  firstName: text('first_name').notNull(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export interface OutboxAttachmentRef {
  inboundMessageId: number;
  sha256: string;
  filename: string | null;
}

export type Ticket = typeof tickets.$inferSelect;
export type NewTicket = typeof tickets.$inferInsert;
export type TicketEvent = typeof ticketEvents.$inferSelect;
export type NewTicketEvent = typeof ticketEvents.$inferInsert;
export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;
export type InboundMessageRow = typeof inboundMessages.$inferSelect;
export type ResetLink = typeof resetLinks.$inferSelect;
export type Account = typeof accounts.$inferSelect;

// --- The web console (src/console/): accounts, sessions, audit log -------------------------------------

/**
 * People who sign in to the console. The password is an argon2id hash (null while an invitation is
 * pending); an invitation keeps only the SHA-256 of its token. A disabled account keeps its row (the
 * audit log and the tickets' history name it) and loses its sessions.
 */
export const consoleUsers = pgTable(
  'console_users',
  {
    id: serial('id').primaryKey(),
    /** Lower case; the login name. */
    email: text('email').notNull(),
    role: text('role', { enum: CONSOLE_ROLES }).notNull(),
    passwordHash: text('password_hash'),
    invitationTokenHash: text('invitation_token_hash'),
    invitationExpiresAt: tstz('invitation_expires_at'),
    disabledAt: tstz('disabled_at'),
    lastLoginAt: tstz('last_login_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    /**
     * The single sign-on identity the account belongs to (the ID token's `iss` and `sub`), both or
     * neither: set at the account's first OpenID Connect sign-in, cleared only by an admin. A bound
     * account is found by them, whatever address the provider sends (src/console/oidc-account.ts).
     */
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
  },
  (t) => [
    uniqueIndex('console_users_email').on(t.email),
    uniqueIndex('console_users_invitation').on(t.invitationTokenHash),
    uniqueIndex('console_users_oidc_subject').on(t.oidcIssuer, t.oidcSubject),
    ...vocabularyChecks('console_users', t),
  ],
);

/**
 * Console sessions, server-side: the cookie holds a random token, the row only its SHA-256. Ends at
 * logout, after CONSOLE_SESSION_IDLE_MINUTES without a request, or CONSOLE_SESSION_MAX_HOURS after login.
 */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    // No foreign key: accounts are never deleted (disabled instead, which deletes their sessions), and a
    // session is read joined to its account, so one left by a row deleted by hand opens nothing.
    userId: integer('user_id').notNull(),
    /** The synchroniser token every state-changing request of this session must carry. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('console_sessions_user').on(t.userId), index('console_sessions_expires').on(t.expiresAt)],
);

/** What people did in the console (and `liquibot users`): who, when, from where, on what. */
export const consoleAudit = pgTable(
  'console_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: tstz('at').notNull().defaultNow(),
    /** `console:EMAIL` or `terminal:USER`; for a failed login, the address typed. */
    actor: text('actor').notNull(),
    action: text('action', { enum: CONSOLE_AUDIT_ACTIONS }).notNull(),
    /** What it was done on: a ticket reference, a message id, an account. */
    target: text('target'),
    ip: text('ip'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [
    index('console_audit_at').on(t.at),
    index('console_audit_action_target').on(t.action, t.target, t.at),
    index('console_audit_action_ip').on(t.action, t.ip, t.at),
    ...vocabularyChecks('console_audit', t),
  ],
);

/**
 * Mail templates edited in the console: every save is a new version, never an update, so the history,
 * the diff and a rollback (a new version copying an old one, `based_on`) come from the rows. The active
 * version of a template is its highest `version`; every instance reads the same. A null part falls back
 * to the files (TEMPLATES_DIR, then the shipped templates/); a version whose parts are all null puts
 * the template back on its files.
 */
export const templateVersions = pgTable(
  'template_versions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    /** 1, 2, 3… per template name. */
    version: integer('version').notNull(),
    subject: text('subject'),
    text: text('text'),
    html: text('html'),
    /** The version this one restores (a rollback), else null. */
    basedOn: bigint('based_on', { mode: 'number' }),
    /** `console:EMAIL` or `terminal:USER`. */
    author: text('author').notNull(),
    comment: text('comment'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('template_versions_name_version').on(t.name, t.version)],
);

export type TemplateVersionRow = typeof templateVersions.$inferSelect;

export type ConsoleUser = typeof consoleUsers.$inferSelect;
export type ConsoleSession = typeof consoleSessions.$inferSelect;
export type ConsoleAuditRow = typeof consoleAudit.$inferSelect;

// --- Instances sharing the database: liveness and scheduled slots ---------------------------------------

/**
 * One row per running daemon, beaten every few seconds on a dedicated session (DB clock). Another
 * instance counts a claimer dead when its beat is stale, or when the session it beats on is gone while
 * the server it beat on still runs (backend_pid no longer in pg_stat_activity): its outbox claims are
 * released at once instead of waiting for their lease.
 */
export const instanceHeartbeats = pgTable('instance_heartbeats', {
  instanceId: text('instance_id').primaryKey(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  startedAt: tstz('started_at').notNull().defaultNow(),
  beatAt: tstz('beat_at').notNull().defaultNow(),
  /** pg_backend_pid() of the heartbeat session at the last beat. */
  backendPid: integer('backend_pid'),
  /** pg_postmaster_start_time() at the last beat: a session lost to a server restart is not a dead instance. */
  serverStartedAt: tstz('server_started_at'),
  /** Digests of the settings instances sharing the database must agree on (src/config-agreement.ts); null from releases before 0011. */
  sharedConfig: jsonb('shared_config').$type<Record<string, string>>(),
});

/**
 * The slots of the scheduled jobs that were run (job, scheduled time): each slot runs once, on one
 * instance, even when a clock jumps back over it or an instance restarts within it.
 */
export const jobSlots = pgTable(
  'job_slots',
  {
    job: text('job').notNull(),
    slot: tstz('slot').notNull(),
    instanceId: text('instance_id'),
    claimedAt: tstz('claimed_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.job, t.slot] })],
);

export type InstanceHeartbeat = typeof instanceHeartbeats.$inferSelect;
