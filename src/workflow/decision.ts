import type { NewTicket, Ticket } from '../db/schema';
import type { TicketEventKind } from '../db/vocabulary';
import type { TicketMail } from '../outbox/queue-ticket-mail';
import type { TemplateName } from '../templates/catalog';
import type { Transition } from './ticket-transitions';

/** A line of the ticket's history, as a decision wants it written (the ticket and the time are the apply's). */
export interface EventDraft {
  kind: TicketEventKind;
  actor: string;
  fromStatus?: Ticket['status'] | null;
  toStatus?: Ticket['status'] | null;
  detail: Record<string, unknown>;
}

/**
 * A mail a decision wants queued: the outbox's TicketMail for one template (so its variables are the
 * template's), without what only the apply knows (the reset link's row, the approval request's ids).
 */
export type MailDraft = {
  [N in TemplateName]: Pick<TicketMail<N>, 'template' | 'vars' | 'to' | 'purpose' | 'parent' | 'autoSubmitted' | 'replyTo'>;
}[TemplateName];

/**
 * What a decision asks the apply to do after the ticket row is written, in order. Mails are plain
 * drafts; the other actions need the database (a link row, the company's other tickets, a token).
 */
export type DecisionAction =
  | { kind: 'queue-mail'; mail: MailDraft }
  /** A new reset link (superseding earlier ones) to the approved liquidator address, and the resolved notice. */
  | { kind: 'issue-link'; round: string }
  /** Hand the ticket to the agents, unless another request of the company is before them (it then waits). */
  | { kind: 'request-approval'; purpose: string }
  /** Send the approval request again, whatever else is before the agents (after the reissue limit). */
  | { kind: 'resend-approval-request'; purpose: string }
  /** The company's next waiting request goes to the agents (after a decision on this one). */
  | { kind: 'release-waiting-approval' }
  /** The last link is marked expired (a reissue replaces it). */
  | { kind: 'expire-link'; linkId: number };

/** Ticket columns a decision may set besides the status (which only a transition changes). */
export type TicketPatch = Partial<
  Pick<Ticket, 'check' | 'siret' | 'liquidatorEmail' | 'decision' | 'decidedBy' | 'decidedAt' | 'refusalReason' | 'linkReissues' | 'needsPersonSince'>
>;

/**
 * The one shape of every decision about a ticket (intake, follow-up, agent or terminal decision,
 * reopen, expiry, retention): pure data, written by applyDecision and nothing else.
 */
export interface TicketDecision {
  /** The status change, made with `transition()`; null when the status stays. */
  transition: Transition | null;
  patch: TicketPatch;
  /** History lines, in the order they happened (the status change among them). */
  events: EventDraft[];
  actions: DecisionAction[];
  /**
   * Whether the step counts as activity on the request (`updated_at`, which retention measures from).
   * Default: yes when the status or a column changes. Retention closing a request is not activity.
   */
  touch?: boolean;
}

/** A decision that creates the ticket: the row's first values, then the same as any decision. */
export interface NewTicketDecision extends TicketDecision {
  create: Omit<NewTicket, 'status' | 'id' | 'ref'>;
}

/** A `status_changed` history line for a transition, or nothing when the status stays the same. */
export function statusEvents(t: Transition, actor: string, detail: Record<string, unknown> = {}): EventDraft[] {
  if (t.from === t.to) return [];
  return [{ kind: 'status_changed', actor, fromStatus: t.from === 'new' ? null : t.from, toStatus: t.to, detail }];
}

/** A decision that only records something: no status change, no mail. */
export function noteOnly(events: EventDraft[], actions: DecisionAction[] = []): TicketDecision {
  return { transition: null, patch: {}, events, actions };
}

/** The actor name liquibot's own steps are recorded under. */
export const SYSTEM_ACTOR = 'liquibot';
