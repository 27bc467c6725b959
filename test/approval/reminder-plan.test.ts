import { describe, expect, it } from 'vitest';
import {
  planReminderDigest, type LockedLinkFact, type PendingApprovalFact, type PersonWaitFact, type ReminderFacts, type ReminderSettings,
} from '../../src/approval/reminder-plan';
import { TemplateStore } from '../../src/templates/store';

const NOW = new Date('2026-12-07T09:00:00Z');
const h = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const LINKS = { approveMailto: 'mailto:liquibot@x.fr?body=VALIDER', refuseMailto: 'mailto:liquibot@x.fr?body=REFUSER' };
const settings: ReminderSettings = { REMINDER_AFTER_HOURS: 24, REMINDER_REPEAT_HOURS: 24, ESCALATION_ADDRESS: 'chef@support.example.fr', ESCALATION_AFTER_HOURS: 72 };

let id = 0;
function approval(hoursWaiting: number, over: Partial<PendingApprovalFact> = {}): PendingApprovalFact {
  id += 1;
  return {
    ticketId: id, ref: `LJ-261201-${String(id).padStart(4, '0')}`, siret: '73282932000074', requesterEmail: 'etude@x.fr', receivedAt: h(hoursWaiting + 1),
    waitingSince: h(hoursWaiting), approvalMessageId: `<a${id}@x>`, lastRemindedAt: null, links: LINKS, ...over,
  };
}
const person = (hoursWaiting: number, over: Partial<PersonWaitFact> = {}): PersonWaitFact =>
  ({ ticketId: 900 + hoursWaiting, ref: 'LJ-261120-0003', status: 'resolved', since: h(hoursWaiting), lastRemindedAt: null, ...over });
const locked = (hoursAgo: number, over: Partial<LockedLinkFact> = {}): LockedLinkFact =>
  ({ ticketId: 800, ref: 'LJ-261118-0012', liquidatorEmail: 'liq@x.fr', lockedAt: h(hoursAgo), failedAttempts: 5, lastRemindedAt: null, ...over });
const facts = (over: Partial<ReminderFacts>): ReminderFacts => ({ approvals: [], needsPerson: [], lockedLinks: [], lastDigestAt: null, ...over });

describe('planReminderDigest: when a digest is due', () => {
  it.each<[string, Partial<ReminderFacts>, boolean]>([
    ['nothing waits', {}, false],
    ['one request, not yet overdue', { approvals: [approval(5)] }, false],
    ['one request just overdue, never reminded', { approvals: [approval(25)] }, true],
    ['overdue, reminded 2 h ago, last digest 2 h ago', { approvals: [approval(30, { lastRemindedAt: h(2) })], lastDigestAt: h(2) }, false],
    ['overdue, last digest 24 h ago: it repeats', { approvals: [approval(50, { lastRemindedAt: h(24) })], lastDigestAt: h(24) }, true],
    ['overdue, reminded before it came back to the agents', { approvals: [approval(25, { lastRemindedAt: h(40) })], lastDigestAt: h(2) }, true],
    ['a message waiting for a person for 30 h', { needsPerson: [person(30)] }, true],
    ['a message waiting for a person for 3 h', { needsPerson: [person(3)] }, false],
    ['a link just locked', { lockedLinks: [locked(1)] }, true],
    ['a locked link already in a digest, nothing overdue', { lockedLinks: [locked(10, { lastRemindedAt: h(9) })], lastDigestAt: h(30) }, false],
  ])('%s → %s', (_l, over, due) => {
    expect(planReminderDigest(facts(over), settings, NOW).due).toBe(due);
  });
});

describe('planReminderDigest: what it shows', () => {
  it('the whole queue, oldest first, with ages, overdue and escalated marks, the links and the request it waits behind', () => {
    const young = approval(5);
    const old = approval(80);
    const behind = approval(30, { approvalMessageId: null, links: null });
    const plan = planReminderDigest(facts({ approvals: [young, behind, old], needsPerson: [person(30)], lockedLinks: [locked(1)] }), settings, NOW);
    if (!plan.due) throw new Error('due');
    expect(plan.digest.approvals.map((a) => [a.ticketRef, a.waitingHours, a.overdue, a.escalated, a.behind, a.approveMailto !== null])).toEqual([
      [old.ref, 80, true, true, null, true],
      [behind.ref, 30, true, false, old.ref, false],
      [young.ref, 5, false, false, null, true],
    ]);
    expect(plan.digest.needsPerson).toEqual([expect.objectContaining({ status: 'résolue, lien envoyé', waitingHours: 30, overdue: true })]);
    expect(plan.digest.lockedLinks).toHaveLength(1);
    // What is overdue and the locked link are recorded as reminded; the young request is shown, not reminded.
    expect(plan.remindedTicketIds.sort()).toEqual([old.ticketId, behind.ticketId, 930, 800].sort());
    expect(plan.escalatedTicketIds).toEqual([old.ticketId]);
  });

  it('escalates past the second threshold, in a copy without decision links', () => {
    const plan = planReminderDigest(facts({ approvals: [approval(73), approval(26)] }), settings, NOW);
    if (!plan.due) throw new Error('due');
    expect(plan.escalation).not.toBeNull();
    expect(plan.escalation!.forEscalation).toBe(true);
    expect(plan.escalation!.approvals.every((a) => a.approveMailto === null && a.refuseMailto === null)).toBe(true);
    expect(plan.digest.approvals.every((a) => a.approveMailto !== null)).toBe(true);
    // The copy renders.
    expect(new TemplateStore().render('reminder-digest', plan.escalation!).subject).toMatch(/^\[Escalade\] 2 demandes/);
  });

  it.each<[string, ReminderSettings]>([
    ['below the escalation threshold', settings],
    ['without an escalation address', { ...settings, ESCALATION_ADDRESS: undefined, ESCALATION_AFTER_HOURS: 1 }],
  ])('no escalation %s', (_l, s) => {
    const plan = planReminderDigest(facts({ approvals: [approval(40)] }), s, NOW);
    expect(plan.due && plan.escalation).toBeNull();
  });
});
