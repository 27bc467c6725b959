import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { resetLinks, tickets, type NewTicketEvent, type Ticket } from '../db/schema';
import { insertEvents, insertTicketBehind } from '../db/ticket-queries';
import { AppError } from '../errors';
import type { AttachmentContent } from '../mail/parse-mail';
import { queueTicketMail } from '../outbox/queue-ticket-mail';
import { supersedePendingMail } from '../db/outbox-queries';
import type { TemplateName } from '../templates/catalog';
import { queueApprovalRequest, releaseWaitingApproval, requestApproval, type ApprovalDeps } from '../approval/queue-approval-request';
import type { ResetLinkProvider } from '../reset/link-provider';
import { sendResetLink } from '../reset/send-reset-link';
import type { DecisionAction, EventDraft, NewTicketDecision, TicketDecision } from './decision';
import { transition, type TicketState } from './ticket-transitions';

/**
 * Which unsent mails a new one makes stale, to the same address on the same ticket: once a request is
 * acknowledged, or answered with a newer notice, an older notice waiting in the outbox must not follow.
 */
const SUPERSEDES: Partial<Record<TemplateName, readonly TemplateName[]>> = {
  acknowledgment: ['non-conformity'],
  'non-conformity': ['non-conformity'],
};

/** What applying a decision needs. */
export interface ApplyDeps extends ApprovalDeps {
  links: ResetLinkProvider;
}

export interface ApplyOptions {
  now: Date;
  /** Attachment contents of the mail being processed, by SHA-256 (handed to the outbox's cache). */
  known?: ReadonlyMap<string, AttachmentContent> | undefined;
}

export interface Applied {
  ticket: Ticket;
  /** Outbox rows written (mails of the decision, of its actions, and of a released waiting request). */
  mailsQueued: number;
}

/**
 * The only code that writes `tickets.status`: checks the decision's transition against the ticket's
 * current state (the caller holds the row lock), writes the row, runs the decision's actions in order,
 * and inserts the whole history of the step in one statement. Must run inside the ticket's transaction.
 */
export async function applyDecision(deps: ApplyDeps, tx: Tx, ticket: Ticket, decision: TicketDecision, opts: ApplyOptions): Promise<Applied> {
  checkTransition(ticket.status, decision);
  return finish(deps, tx, await writeRow(tx, ticket, decision, opts.now), decision, opts);
}

/**
 * Writes the status and the patch. A decision that changes neither (a note for the history) leaves
 * the row, and its `updated_at`, alone: an auto-reply does not keep a request alive for retention.
 */
async function writeRow(tx: Tx, ticket: Ticket, decision: TicketDecision, now: Date): Promise<Ticket> {
  if (!decision.transition && Object.keys(decision.patch).length === 0) return ticket;
  const values = {
    ...decision.patch,
    ...(decision.transition ? { status: decision.transition.to } : {}),
    ...(decision.touch === false ? {} : { updatedAt: now }),
  };
  await tx.update(tickets).set(values).where(eq(tickets.id, ticket.id));
  return { ...ticket, ...values };
}

/**
 * applyDecision for the jobs' decisions (expiry, retention), which queue nothing and so need no
 * renderer or link provider: a decision with actions is refused as a programmer error.
 */
export async function applyRecordDecision(tx: Tx, ticket: Ticket, decision: TicketDecision, now: Date): Promise<void> {
  if (decision.actions.length > 0) throw new AppError('ILLEGAL_TRANSITION', 'applyRecordDecision takes decisions without actions');
  checkTransition(ticket.status, decision);
  await writeRow(tx, ticket, decision, now);
  await insertEvents(tx, decision.events.map((e) => eventRow(ticket.id, now, e)));
}

/** The same for a decision that creates its ticket, under an id and reference reserved by the caller. */
export async function applyNewTicketDecision(
  deps: ApplyDeps, tx: Tx, identity: { id: number; ref: string }, decision: NewTicketDecision, opts: ApplyOptions,
): Promise<Applied> {
  checkTransition('new', decision);
  if (!decision.transition) throw new AppError('ILLEGAL_TRANSITION', 'a new ticket needs a transition out of new');
  const values = { ...decision.create, ...decision.patch, ...identity, status: decision.transition.to };
  const ticket = await insertTicketBehind(tx, { ...values, createdAt: values.createdAt ?? opts.now, updatedAt: values.updatedAt ?? opts.now });
  return finish(deps, tx, ticket, decision, { ...opts, created: true });
}

function checkTransition(current: TicketState, decision: TicketDecision): void {
  const t = decision.transition;
  if (!t) return;
  // Decided on another state than the one locked now: a bug in the caller, never a mail's fault.
  if (t.from !== current) throw new AppError('ILLEGAL_TRANSITION', `decision made for ${t.from}, ticket is ${current}`);
  transition(current, t.event);
}

/** `created`: the ticket was inserted by this transaction, so it has no earlier mail to supersede. */
type StepOptions = ApplyOptions & { created?: boolean };

async function finish(deps: ApplyDeps, tx: Tx, ticket: Ticket, decision: TicketDecision, opts: StepOptions): Promise<Applied> {
  const { now } = opts;
  const events: NewTicketEvent[] = decision.events.map((e) => eventRow(ticket.id, now, e));
  let mailsQueued = 0;
  for (const action of decision.actions) mailsQueued += await runAction(deps, tx, ticket, action, events, opts);
  await insertEvents(tx, events);
  return { ticket, mailsQueued };
}

function eventRow(ticketId: number, at: Date, e: EventDraft): NewTicketEvent {
  return { ticketId, at, kind: e.kind, actor: e.actor, fromStatus: e.fromStatus ?? null, toStatus: e.toStatus ?? null, detail: e.detail };
}

/** Runs one action; returns the number of outbox rows it wrote. */
async function runAction(deps: ApplyDeps, tx: Tx, ticket: Ticket, action: DecisionAction, events: NewTicketEvent[], opts: StepOptions): Promise<number> {
  const { now } = opts;
  const outboxRows = () => events.filter((e) => e.kind === 'mail_queued').length;
  switch (action.kind) {
    case 'queue-mail': {
      if (!(await queueTicketMail(deps, tx, ticket, action.mail, now, events, { fresh: opts.created }))) return 0;
      const stale = SUPERSEDES[action.mail.template] ?? [];
      // A ticket created by this step has nothing pending to supersede but what this step queued before.
      if (stale.length > 0 && !(opts.created && outboxRows() <= 1)) {
        const keepPurposeKey = `${ticket.ref}:${action.mail.purpose}`;
        for (const s of await supersedePendingMail(tx, { ticketId: ticket.id, toAddress: action.mail.to, kinds: stale, keepPurposeKey })) {
          events.push({ ticketId: ticket.id, at: now, kind: 'notice_superseded', actor: 'liquibot', detail: { outboxId: s.id, mail: s.kind, by: keepPurposeKey } });
        }
      }
      return 1;
    }
    case 'issue-link':
      return (await sendResetLink(deps, tx, ticket, now, action.round, events)).queued;
    case 'request-approval': {
      const before = outboxRows();
      await requestApproval(deps, tx, ticket, now, action.purpose, opts.known ?? new Map(), events, { fresh: opts.created });
      return outboxRows() - before;
    }
    case 'resend-approval-request': {
      const before = outboxRows();
      await queueApprovalRequest(deps, tx, ticket, now, action.purpose, events, { known: opts.known });
      return outboxRows() - before;
    }
    case 'release-waiting-approval': {
      if (!ticket.siret) return 0;
      const before = outboxRows();
      await releaseWaitingApproval(deps, tx, ticket.siret, now, events);
      return outboxRows() - before;
    }
    case 'expire-link':
      await tx.update(resetLinks).set({ status: 'expired' }).where(eq(resetLinks.id, action.linkId));
      return 0;
  }
}
