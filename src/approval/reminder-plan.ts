import type { Config } from '../config';
import type { TicketStatus } from '../db/vocabulary';
import type { TemplateVars } from '../templates/catalog';
import { STATUS_LABELS } from '../workflow/status-labels';

/**
 * What the reminder digest is made of, and whether one is due: pure, no I/O and no clock (the shell,
 * reminder-digest.ts, reads the facts and passes `now`).
 *
 * The digest shows the whole queue: every request awaiting a decision with its age (EN RETARD past
 * REMINDER_AFTER_HOURS, ESCALADE past ESCALATION_AFTER_HOURS), every request whose message waits for a
 * person, and every reset link locked by wrong triplets with no new link since. It is due when
 * something became overdue (or a link was locked) since it was last in a digest, or when something is
 * overdue and the last digest is REMINDER_REPEAT_HOURS old. When something is past the escalation
 * threshold and ESCALATION_ADDRESS is set, a copy goes there too, without the decision links.
 */

export interface PendingApprovalFact {
  ticketId: number;
  ref: string;
  siret: string | null;
  requesterEmail: string;
  receivedAt: Date;
  /** When its approval request went out (or when it started waiting behind another of its company). */
  waitingSince: Date;
  /** Null while it waits behind another request of the same company. */
  approvalMessageId: string | null;
  lastRemindedAt: Date | null;
  /** The current approval request's links, when they can be made again (approval-links.ts). */
  links: { approveMailto: string; refuseMailto: string } | null;
}

export interface PersonWaitFact {
  ticketId: number;
  ref: string;
  status: TicketStatus;
  since: Date;
  lastRemindedAt: Date | null;
}

export interface LockedLinkFact {
  ticketId: number;
  ref: string;
  liquidatorEmail: string;
  lockedAt: Date;
  failedAttempts: number;
  lastRemindedAt: Date | null;
}

export interface ReminderFacts {
  approvals: PendingApprovalFact[];
  needsPerson: PersonWaitFact[];
  lockedLinks: LockedLinkFact[];
  /** When the last digest to the agents was queued, or null. */
  lastDigestAt: Date | null;
}

export type ReminderSettings = Pick<
  Config, 'REMINDER_AFTER_HOURS' | 'REMINDER_REPEAT_HOURS' | 'ESCALATION_ADDRESS' | 'ESCALATION_AFTER_HOURS'
>;

export type ReminderPlan =
  | { due: false }
  | {
    due: true;
    /** The agents' digest, with the decision links. */
    digest: TemplateVars<'reminder-digest'>;
    /** The copy for ESCALATION_ADDRESS (no decision links), when something is past the escalation threshold. */
    escalation: TemplateVars<'reminder-digest'> | null;
    /** Tickets to record a `reminded` history line on: what is overdue, and the locked links. */
    remindedTicketIds: number[];
    escalatedTicketIds: number[];
  };

const HOUR = 3_600_000;

/** Whether a digest is due now, and what it says. */
export function planReminderDigest(facts: ReminderFacts, settings: ReminderSettings, now: Date): ReminderPlan {
  const hoursSince = (d: Date) => Math.max(0, Math.floor((now.getTime() - d.getTime()) / HOUR));
  const escalationHours = settings.ESCALATION_ADDRESS ? settings.ESCALATION_AFTER_HOURS : null;
  const ageOf = (since: Date) => {
    const waitingHours = hoursSince(since);
    return { waitingHours, overdue: waitingHours >= settings.REMINDER_AFTER_HOURS, escalated: escalationHours !== null && waitingHours >= escalationHours };
  };
  const notShownSince = (since: Date, last: Date | null) => last === null || last.getTime() < since.getTime();

  const approvals = [...facts.approvals].sort((a, b) => a.waitingSince.getTime() - b.waitingSince.getTime() || a.ticketId - b.ticketId)
    .map((a) => ({ fact: a, ...ageOf(a.waitingSince) }));
  const people = [...facts.needsPerson].sort((a, b) => a.since.getTime() - b.since.getTime() || a.ticketId - b.ticketId)
    .map((p) => ({ fact: p, ...ageOf(p.since) }));
  const locked = [...facts.lockedLinks].sort((a, b) => a.lockedAt.getTime() - b.lockedAt.getTime());

  const overdue = [...approvals.filter((a) => a.overdue), ...people.filter((p) => p.overdue)];
  const newlyOverdue = [
    ...approvals.filter((a) => a.overdue && notShownSince(a.fact.waitingSince, a.fact.lastRemindedAt)),
    ...people.filter((p) => p.overdue && notShownSince(p.fact.since, p.fact.lastRemindedAt)),
  ];
  const newlyLocked = locked.filter((l) => notShownSince(l.lockedAt, l.lastRemindedAt));
  const repeatDue = overdue.length > 0
    && (facts.lastDigestAt === null || now.getTime() - facts.lastDigestAt.getTime() >= settings.REMINDER_REPEAT_HOURS * HOUR);
  if (newlyOverdue.length === 0 && newlyLocked.length === 0 && !repeatDue) return { due: false };

  // A waiting request names the one of its company before the agents.
  const before = new Map(facts.approvals.filter((a) => a.approvalMessageId && a.siret).map((a) => [a.siret!, a.ref]));
  const digest = (forEscalation: boolean): TemplateVars<'reminder-digest'> => ({
    thresholdHours: settings.REMINDER_AFTER_HOURS,
    repeatHours: settings.REMINDER_REPEAT_HOURS,
    escalationHours,
    escalationAddress: settings.ESCALATION_ADDRESS ?? null,
    forEscalation,
    generatedAt: now,
    approvals: approvals.map(({ fact: a, waitingHours, overdue: late, escalated }) => ({
      ticketRef: a.ref, siret: a.siret, requesterEmail: a.requesterEmail, receivedAt: a.receivedAt, waitingSince: a.waitingSince,
      waitingHours, overdue: late, escalated,
      behind: a.approvalMessageId === null && a.siret ? before.get(a.siret) ?? null : null,
      // The escalation address may be outside the team: no token-bearing link in its copy.
      approveMailto: forEscalation ? null : a.links?.approveMailto ?? null,
      refuseMailto: forEscalation ? null : a.links?.refuseMailto ?? null,
    })),
    needsPerson: people.map(({ fact: p, waitingHours, overdue: late, escalated }) => ({
      ticketRef: p.ref, status: STATUS_LABELS[p.status], since: p.since, waitingHours, overdue: late, escalated,
    })),
    lockedLinks: locked.map((l) => ({ ticketRef: l.ref, liquidatorEmail: l.liquidatorEmail, lockedAt: l.lockedAt, failedAttempts: l.failedAttempts })),
  });
  const escalated = [...approvals.filter((a) => a.escalated), ...people.filter((p) => p.escalated)];
  return {
    due: true,
    digest: digest(false),
    escalation: escalated.length > 0 ? digest(true) : null,
    remindedTicketIds: [...new Set([...overdue.map((x) => x.fact.ticketId), ...locked.map((l) => l.ticketId)])],
    escalatedTicketIds: [...new Set(escalated.map((x) => x.fact.ticketId))],
  };
}
