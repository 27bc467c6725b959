/**
 * The closed sets of values stored in text columns. One source for three consumers: the TypeScript
 * unions (`TicketStatus`, …), drizzle's column enums (schema.ts), and the database's CHECK constraints
 * (drizzle/0001_*.sql, checked against these lists by test/db/vocabulary-checks.test.ts).
 * Imports nothing: the state machine, the schema and the migrations test all read it.
 */

/**
 * Every state a ticket can be in (see src/workflow/ticket-transitions.ts for how it moves). No phantom
 * states: an approval moves a ticket from `awaiting_approval` to `resolved` in one transition.
 */
export const TICKET_STATUSES = [
  'non_conforming',
  'awaiting_approval',
  'resolved',
  'refused',
  'link_expired',
  'reissued',
  // a non-conforming request its requester never completed, closed by retention after RETENTION_DAYS
  'abandoned',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Every kind of line in a ticket's history. */
export const TICKET_EVENT_KINDS = [
  'request_received',
  'follow_up_received',
  'requester_message',
  'duplicate_request',
  'checked',
  'status_changed',
  'notice_suppressed',
  'mail_ignored',
  'mail_queued',
  'delivery_failed',
  'approval_requested',
  'approval_waiting',
  'same_siret_request',
  'decision',
  'decision_rejected',
  'reminded',
  'link_issued',
  'link_expired',
  'link_verified',
  'reopen_requested',
  'retention_purged',
  // a mail liquibot does not act on, handed to the agents (the ticket needs a person), and its end
  'handed_to_agents',
  'person_handled',
  // a notice queued but not sent because a later decision made it stale
  'notice_superseded',
] as const;
export type TicketEventKind = (typeof TICKET_EVENT_KINDS)[number];

export const TICKET_DECISIONS = ['approved', 'refused'] as const;
export type TicketDecisionValue = (typeof TICKET_DECISIONS)[number];

export const INBOUND_STATUSES = ['stored', 'processed', 'quarantined'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

/** `superseded`: never sent, a later step of its ticket made it stale (a notice after the acknowledgment). */
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed', 'superseded'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export const AUTO_SUBMITTED_VALUES = ['auto-replied', 'auto-generated'] as const;

export const RESET_LINK_STATUSES = ['active', 'used', 'expired', 'superseded'] as const;
export type ResetLinkStatus = (typeof RESET_LINK_STATUSES)[number];

/** Who a console account is: an agent decides on requests; an admin also reaches the admin pages. */
export const CONSOLE_ROLES = ['agent', 'admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/**
 * Every line of the console's audit log (console_audit): accounts, sessions, and what people did in the
 * console. Decisions are also in the ticket's history (ticket_events, actor `console:EMAIL`).
 */
export const CONSOLE_AUDIT_ACTIONS = [
  'user_added',
  'user_invited',
  'user_disabled',
  'user_enabled',
  'password_set',
  'login',
  'login_failed',
  'login_throttled',
  'logout',
  'decision',
  'decision_rejected',
  'document_viewed',
  'raw_viewed',
  'quarantine_replayed',
  'decisions_exported',
  'forbidden',
  // 0005: the template editor, account management in the console, single sign-on, "marquer traité"
  'template_saved',
  'template_rolled_back',
  'template_test_sent',
  'user_role_changed',
  'sessions_revoked',
  'ticket_marked_handled',
  // 0006: accounts bound to the provider's subject (single sign-on)
  'oidc_bound',
  'oidc_unbound',
  'user_email_changed',
  'password_removed',
] as const;
export type ConsoleAuditAction = (typeof CONSOLE_AUDIT_ACTIONS)[number];
