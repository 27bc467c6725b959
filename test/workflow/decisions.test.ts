import { describe, expect, it } from 'vitest';
import type { RequestCheck } from '../../parsers/check-request';
import type { InboundMail } from '../../parsers/inbound-mail';
import type { ProblemCode } from '../../parsers/problems';
import type { Ticket, TicketStatus } from '../../src/db/schema';
import { isAppError } from '../../src/errors';
import {
  authorizeAgentReply, decideAgentMail, decideAgentUnbound, decideApproval, decideRefusal, type AgentMailInput,
} from '../../src/workflow/decide-agent-reply';
import { decideFollowUp, decideNewRequest } from '../../src/workflow/decide-intake';
import { decideAbandon, decideLinkExpiry } from '../../src/workflow/decide-lifecycle';
import { decideReopenMail } from '../../src/workflow/decide-reopen';
import type { TicketDecision } from '../../src/workflow/decision';
import { initialTicketCheck, type DocumentScan } from '../../src/workflow/ticket-check';

const NOW = new Date('2026-12-06T10:00:00Z');
const SIRET = '73282932000074';
const REQUESTER = 'mandataire@etude.example.fr';
const AGENTS = 'agents@support.example.fr';
const doc = (sha: string) => ({ filename: `${sha}.pdf`, kind: 'pdf' as const, size: 2048, sha256: sha });

function mail(over: Partial<InboundMail> = {}): InboundMail {
  return {
    messageId: '<m1@etude.example.fr>', inReplyTo: null, references: [], subject: 'LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE',
    from: { address: REQUESTER, name: 'Maître Martin' }, to: [], cc: [], replyTo: [], date: NOW, text: '', html: null, headers: new Map(),
    attachments: [], ...over,
  } as unknown as InboundMail;
}

const check = (codes: ProblemCode[] = [], docs = [doc('a')]): RequestCheck => ({
  siret: codes.some((c) => c.startsWith('SIRET')) ? null : SIRET,
  liquidatorEmail: codes.some((c) => c.startsWith('LIQUIDATOR')) ? null : 'liq@etude.example.fr',
  documents: codes.includes('ATTACHMENT_MISSING') ? [] : docs,
  problems: codes.map((code) => ({ code })),
});

function ticket(status: TicketStatus, over: Partial<Ticket> = {}): Ticket {
  return {
    id: 7, ref: 'LJ-261206-0007', status, requesterEmail: REQUESTER, requesterName: 'Maître Martin', subject: '', siret: SIRET,
    liquidatorEmail: 'liq@etude.example.fr', check: initialTicketCheck(check(), 1), rootMessageId: '<root@etude.example.fr>',
    approvalMessageId: '<lj.approval.x@liquibot.example.fr>', approvalTokenHash: null, decision: null, decidedBy: null, decidedAt: null,
    refusalReason: null, linkReissues: 0, needsPersonSince: null, createdAt: NOW, updatedAt: NOW, ...over,
  } as Ticket;
}

/** A decision reduced to what a reader checks: transition, history kinds, actions and mail templates/purposes. */
function shape(d: TicketDecision) {
  return {
    to: d.transition?.to ?? null,
    events: d.events.map((e) => e.kind),
    actions: d.actions.map((a) => (a.kind === 'queue-mail' ? `mail:${a.mail.template}:${a.mail.purpose}→${a.mail.to}` : a.kind)),
  };
}

const noScans = new Map<string, DocumentScan>();

describe('decideNewRequest', () => {
  it.each([
    ['a conforming request', [], true, {
      to: 'awaiting_approval', events: ['request_received', 'checked', 'status_changed'],
      actions: [`mail:acknowledgment:acknowledgment→${REQUESTER}`, 'request-approval'],
    }],
    ['a request without a document', ['ATTACHMENT_MISSING'], true, {
      to: 'non_conforming', events: ['request_received', 'checked', 'status_changed'], actions: [`mail:non-conformity:non-conformity:40→${REQUESTER}`],
    }],
    ['a non-conforming request over the notice limit', ['SIRET_INVALID'], false, {
      to: 'non_conforming', events: ['request_received', 'checked', 'status_changed', 'notice_suppressed'], actions: [],
    }],
  ] as const)('%s', (_l, codes, allowed, want) => {
    const d = decideNewRequest({ mail: mail(), check: check([...codes]), inboundMessageId: 40, noticeAllowed: allowed, scans: noScans, ref: 'LJ-1', now: NOW });
    expect(shape(d)).toEqual(want);
    expect(d.transition?.from).toBe('new');
    expect(d.create.requesterEmail).toBe(REQUESTER);
  });

  it('records the SIREN scan made before the transaction on the document', () => {
    const scans = new Map([['a', { siren: SIRET.slice(0, 9), result: 'found' as const }]]);
    const d = decideNewRequest({ mail: mail(), check: check(), inboundMessageId: 40, noticeAllowed: true, scans, ref: 'LJ-1', now: NOW });
    expect(d.create.check).toMatchObject({ documents: [{ sha256: 'a', sirenScan: { siren: '732829320', result: 'found' } }] });
  });

  it('ignores a scan made for another SIREN', () => {
    const scans = new Map([['a', { siren: '111111111', result: 'not-found' as const }]]);
    const d = decideNewRequest({ mail: mail(), check: check(), inboundMessageId: 40, noticeAllowed: true, scans, ref: 'LJ-1', now: NOW });
    expect(d.create.check).toMatchObject({ documents: [{ sha256: 'a' }] });
    expect((d.create.check as { documents: object[] }).documents[0]).not.toHaveProperty('sirenScan');
  });
});

describe('decideFollowUp', () => {
  const incomplete = ticket('non_conforming', { check: initialTicketCheck(check(['ATTACHMENT_MISSING']), 1), approvalMessageId: null });
  it.each([
    ['the fix that completes a request', incomplete, check(['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING']), {
      to: 'awaiting_approval', events: ['follow_up_received', 'checked', 'status_changed'],
      actions: [`mail:acknowledgment:acknowledgment→${REQUESTER}`, 'request-approval'],
    }],
    ['a fix that is still incomplete', incomplete, check(['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING', 'ATTACHMENT_MISSING']), {
      to: 'non_conforming', events: ['follow_up_received', 'checked'], actions: [`mail:non-conformity:non-conformity:41→${REQUESTER}`],
    }],
    ['a question while the agents decide: handed to a person', ticket('awaiting_approval'), check(), {
      to: null, events: ['requester_message', 'handed_to_agents'], actions: [`mail:handoff:handoff:41→${AGENTS}`, `mail:handoff-notice:handoff-notice:41→${REQUESTER}`],
    }],
    ['a message on a refused request: handed to a person', ticket('refused'), check(), {
      to: null, events: ['requester_message', 'handed_to_agents'], actions: [`mail:handoff:handoff:41→${AGENTS}`, `mail:handoff-notice:handoff-notice:41→${REQUESTER}`],
    }],
  ] as const)('%s', (_l, t, c, want) => {
    expect(shape(decideFollowUp({ ticket: t, mail: mail(), check: c, inboundMessageId: 41, noticeAllowed: true, scans: noScans, agentsAddress: AGENTS, now: NOW }))).toEqual(want);
  });

  it('a hand-off marks the request as needing a person, once, and says why', () => {
    const d = decideFollowUp({ ticket: ticket('awaiting_approval'), mail: mail(), check: check(), inboundMessageId: 41, noticeAllowed: true, scans: noScans, agentsAddress: AGENTS, now: NOW });
    expect(d.patch).toEqual({ needsPersonSince: NOW });
    const handoff = d.actions[0]!;
    expect(handoff.kind === 'queue-mail' && handoff.mail.template === 'handoff' && handoff.mail.vars).toMatchObject({ reason: 'QUESTION_WHILE_AWAITING', status: 'en attente de validation' });
    const already = decideFollowUp({
      ticket: ticket('awaiting_approval', { needsPersonSince: new Date(0) }), mail: mail(), check: check(), inboundMessageId: 42, noticeAllowed: false, scans: noScans, agentsAddress: AGENTS, now: NOW,
    });
    expect(already.patch).toEqual({});
    expect(shape(already).events).toEqual(['requester_message', 'handed_to_agents', 'notice_suppressed']);
    expect(shape(already).actions).toEqual([`mail:handoff:handoff:42→${AGENTS}`]);
  });

  it('an agent’s decision ends the wait for a person', () => {
    const waiting = ticket('awaiting_approval', { needsPersonSince: new Date(0) });
    const d = decideApproval(waiting, { email: 'paul@support.example.fr', name: 'Paul', via: 'mail' }, AGENTS, NOW);
    expect(d.patch.needsPersonSince).toBeNull();
    expect(shape(d).events).toEqual(['decision', 'status_changed', 'person_handled']);
  });
});

describe('agent decisions', () => {
  const actor = { email: 'paul@support.example.fr', name: 'Paul', via: 'mail' as const, inboundMessageId: 50 };

  it('an approval resolves the request: link, confirmation to the agents, then the next waiting request', () => {
    const d = decideApproval(ticket('awaiting_approval'), actor, AGENTS, NOW);
    expect(shape(d)).toEqual({
      to: 'resolved', events: ['decision', 'status_changed'],
      actions: ['issue-link', `mail:approval-confirmation:approval-confirmation→${AGENTS}`, 'release-waiting-approval'],
    });
    expect(d.patch).toEqual({ decision: 'approved', decidedBy: actor.email, decidedAt: NOW, needsPersonSince: null });
  });

  it('a refusal closes the request with the reason sent to the requester, and is confirmed to the agents on the approval thread', () => {
    const d = decideRefusal(ticket('awaiting_approval'), actor, 'autre entreprise', NOW, AGENTS);
    expect(shape(d)).toEqual({
      to: 'refused', events: ['decision', 'status_changed'],
      actions: [`mail:refusal:refusal→${REQUESTER}`, `mail:refusal-confirmation:refusal-confirmation→${AGENTS}`, 'release-waiting-approval'],
    });
    expect(d.patch.refusalReason).toBe('autre entreprise');
    const confirmation = d.actions[1]!;
    expect(confirmation.kind === 'queue-mail' && confirmation.mail).toMatchObject({
      parent: { messageId: '<lj.approval.x@liquibot.example.fr>' },
      vars: { reason: 'autre entreprise', refusedBy: { email: actor.email, name: 'Paul' }, refusedAt: NOW, liquidatorEmail: 'liq@etude.example.fr' },
    });
  });

  it('a refusal at the terminal is confirmed with the operator’s name', () => {
    const d = decideRefusal(ticket('awaiting_approval'), { email: 'terminal:carole', name: 'carole', via: 'terminal' }, 'autre entreprise', NOW, AGENTS);
    const confirmation = d.actions[1]!;
    expect(confirmation.kind === 'queue-mail' && confirmation.mail.vars).toMatchObject({ refusedBy: { email: AGENTS, name: 'carole (terminal)' } });
  });

  it.each([
    ['approval', () => decideApproval(ticket('awaiting_approval'), actor, AGENTS, NOW)],
    ['refusal', () => decideRefusal(ticket('awaiting_approval'), actor, 'autre entreprise', NOW, AGENTS)],
  ] as const)('the %s records the decider’s name in the history, for a later "déjà traitée"', (_l, decide) => {
    expect(decide().events[0]).toMatchObject({ kind: 'decision', actor: actor.email, detail: { name: 'Paul', via: 'mail' } });
  });

  it.each(['non_conforming', 'resolved', 'refused', 'link_expired', 'reissued', 'abandoned'] as const)(
    'approving a %s request is an illegal transition', (status) => {
      let thrown: unknown;
      try {
        decideApproval(ticket(status), actor, AGENTS, NOW);
      } catch (err) {
        thrown = err;
      }
      expect(isAppError(thrown, 'ILLEGAL_TRANSITION')).toBe(true);
    },
  );

  const input = (t: Ticket, over: Partial<AgentMailInput> = {}): AgentMailInput => ({
    ticket: t, mail: { messageId: '<r@support.example.fr>', references: [], from: { address: actor.email, name: 'Paul' } }, inboundMessageId: 50,
    senderIsAgent: true, agentsAddress: AGENTS, now: NOW, ...over,
  });
  const ok = { ok: true } as const;

  it.each([
    ['VALIDER, authorised', ticket('awaiting_approval'), ok, { kind: 'approve' }, 'agent-reply:approve', 'resolved',
      ['decision', 'status_changed'], ['issue-link', `mail:approval-confirmation:approval-confirmation→${AGENTS}`, 'release-waiting-approval']],
    ['REFUSER, authorised', ticket('awaiting_approval'), ok, { kind: 'refuse', reason: 'x' }, 'agent-reply:refuse', 'refused',
      ['decision', 'status_changed'], [`mail:refusal:refusal→${REQUESTER}`, `mail:refusal-confirmation:refusal-confirmation→${AGENTS}`, 'release-waiting-approval']],
    ['a second decision', ticket('resolved', { decision: 'approved', decidedBy: 'marie@support.example.fr', decidedAt: NOW }), ok, { kind: 'approve' },
      'agent-reply:already-decided', null, ['decision_rejected'], ['mail:already-decided:already-decided:50→paul@support.example.fr']],
    ['a reply not understood', ticket('awaiting_approval'), ok, { kind: 'invalid', error: 'NEITHER', read: ['ok'] }, 'agent-reply:reply-error', null,
      ['decision_rejected'], ['mail:agent-reply-error:agent-reply-error:50→paul@support.example.fr']],
    ['REFUSER <motif> unedited', ticket('awaiting_approval'), ok, { kind: 'invalid', error: 'REASON_PLACEHOLDER', read: ['REFUSER <motif>'] }, 'agent-reply:reply-error', null,
      ['decision_rejected'], ['mail:agent-reply-error:agent-reply-error:50→paul@support.example.fr']],
    ['a decision on a request that does not await one', ticket('non_conforming'), ok, { kind: 'approve' }, 'agent-reply:not-awaiting', null,
      ['decision_rejected'], []],
    ['a sender not allow-listed', ticket('awaiting_approval'), { ok: false, reason: 'SENDER_NOT_ALLOWED' }, { kind: 'approve' },
      'agent-reply:rejected:SENDER_NOT_ALLOWED', null, ['decision_rejected'], []],
    ['an agent replying to another ticket', ticket('awaiting_approval'), { ok: false, reason: 'BINDING_CONFLICT' }, { kind: 'approve' },
      'agent-reply:rejected:BINDING_CONFLICT', null, ['decision_rejected'], ['mail:agent-reply-error:agent-reply-error:50→paul@support.example.fr']],
  ] as const)('%s', (_l, t, auth, reply, label, to, events, actions) => {
    const r = decideAgentMail({ ...input(t), auth, reply, dkim: 'not-checked' } as never);
    expect(r.label).toBe(label);
    expect(shape(r.decision)).toEqual({ to, events, actions });
  });

  const LINKS = { approveMailto: 'mailto:liquibot@x.fr?body=VALIDER', refuseMailto: 'mailto:liquibot@x.fr?body=REFUSER' };
  const mailOf = (d: TicketDecision) => {
    const a = d.actions[0]!;
    if (a.kind !== 'queue-mail') throw new Error('no mail');
    return a.mail;
  };

  it('a reply not understood is answered with what was read, the rule, the request’s own links, on the approval thread', () => {
    const r = decideAgentMail({
      ...input(ticket('awaiting_approval')), approvalLinks: LINKS, auth: ok, dkim: 'not-checked',
      reply: { kind: 'invalid', error: 'REASON_TOO_SHORT', read: ['REFUSER : doublon'] },
    });
    const m = mailOf(r.decision);
    expect(r.decision.events[0]).toMatchObject({ kind: 'decision_rejected', detail: { reason: 'REASON_TOO_SHORT' } });
    expect(m.vars).toMatchObject({ error: 'REASON_TOO_SHORT', read: ['REFUSER : doublon'], minReasonWords: 2, minReasonCharacters: 8, ...LINKS });
    // A reply to this answer is a reply to the approval request (bound by its Message-ID).
    expect(m.parent).toEqual({ messageId: '<r@support.example.fr>', references: ['<lj.approval.x@liquibot.example.fr>'] });
  });

  it('a mail not bound to the approval request gets neither the links nor the binding', () => {
    const m = mailOf(decideAgentUnbound({ ...input(ticket('awaiting_approval')), approvalLinks: LINKS }));
    expect(m.vars).toMatchObject({ error: 'NOT_BOUND', read: [], approveMailto: null, refuseMailto: null });
    expect(m.parent).toEqual({ messageId: '<r@support.example.fr>', references: [] });
  });

  it.each([
    ['by mail, with the name recorded with the decision', 'marie@support.example.fr', 'Marie Curie', { email: 'marie@support.example.fr', name: 'Marie Curie' }],
    ['by mail, decided before names were recorded', 'marie@support.example.fr', null, { email: 'marie@support.example.fr', name: null }],
    ['at the terminal', 'terminal:alice', 'alice', { email: AGENTS, name: 'alice (terminal)' }],
  ] as const)('"déjà traitée" names who decided: %s', (_l, decidedBy, decidedByName, want) => {
    const r = decideAgentMail({
      ...input(ticket('resolved', { decision: 'approved', decidedBy, decidedAt: NOW })), decidedByName, auth: ok, dkim: 'not-checked', reply: { kind: 'approve' },
    });
    expect(mailOf(r.decision).vars).toMatchObject({ decidedBy: want, decision: 'APPROVED' });
  });

  it('an unbound mail from an agent is explained only while the request awaits a decision', () => {
    expect(shape(decideAgentUnbound(input(ticket('awaiting_approval')))).actions).toEqual(['mail:agent-reply-error:agent-reply-error:50→paul@support.example.fr']);
    expect(shape(decideAgentUnbound(input(ticket('resolved')))).actions).toEqual([]);
  });

  it('authorisation still refuses the requester even when allow-listed', () => {
    expect(authorizeAgentReply({
      sender: REQUESTER, ticket: ticket('awaiting_approval'), senderAllowed: true, boundTicketIds: [7], ticketId: 7, dkim: 'pass', requireDkim: true,
    })).toEqual({ ok: false, reason: 'REQUESTER_CANNOT_DECIDE' });
  });
});

describe('decideReopenMail', () => {
  const at = (h: number) => new Date(NOW.getTime() + h * 3_600_000);
  const link = (status: 'active' | 'used' | 'expired', expiresAt: Date) => ({ id: 3, status, expiresAt, usedAt: status === 'used' ? at(-1) : null, createdAt: at(-8) });
  const liquidator = {
    messageId: '<l@etude.example.fr>', references: [], subject: 'RE: lien', date: NOW, text: 'le lien ne marche pas', html: null,
    from: { address: 'liq@etude.example.fr', name: '' },
  };

  it.each([
    ['expired link, reissues left', ticket('link_expired'), link('expired', at(-1)), 2, true,
      { to: 'reissued', events: ['reopen_requested', 'status_changed'], actions: ['issue-link'] }],
    ['active link past its expiry (sweep not run yet)', ticket('resolved'), link('active', at(-1)), 2, true,
      { to: 'reissued', events: ['reopen_requested', 'status_changed'], actions: ['expire-link', 'issue-link'] }],
    ['link still valid', ticket('resolved'), link('active', at(2)), 2, true,
      { to: null, events: ['reopen_requested'], actions: ['mail:link-still-valid:link-still-valid:60→liq@etude.example.fr'] }],
    ['link still valid, notice limit reached', ticket('resolved'), link('active', at(2)), 2, false,
      { to: null, events: ['reopen_requested', 'notice_suppressed'], actions: [] }],
    ['reissue limit reached', ticket('reissued', { linkReissues: 2 }), link('expired', at(-1)), 2, true,
      { to: 'awaiting_approval', events: ['reopen_requested', 'status_changed'], actions: ['resend-approval-request'] }],
    ['link already used: a person answers', ticket('resolved'), link('used', at(2)), 2, true,
      { to: null, events: ['reopen_requested', 'handed_to_agents'], actions: [`mail:handoff:handoff:60→${AGENTS}`, 'mail:handoff-notice:handoff-notice:60→liq@etude.example.fr'] }],
    ['no link: a person answers', ticket('resolved'), null, 2, true,
      { to: null, events: ['reopen_requested', 'handed_to_agents'], actions: [`mail:handoff:handoff:60→${AGENTS}`, 'mail:handoff-notice:handoff-notice:60→liq@etude.example.fr'] }],
  ] as const)('%s', (_l, t, lastLink, max, allowed, want) => {
    const { decision } = decideReopenMail({ ticket: t, lastLink, mail: liquidator, inboundMessageId: 60, maxReissues: max, noticeAllowed: allowed, now: NOW, agentsAddress: AGENTS });
    expect(shape(decision)).toEqual(want);
  });

  it('counts the reissue', () => {
    const { decision } = decideReopenMail({
      ticket: ticket('link_expired', { linkReissues: 1 }), lastLink: link('expired', at(-1)), mail: liquidator, inboundMessageId: 60, maxReissues: 2, noticeAllowed: true, now: NOW, agentsAddress: AGENTS,
    });
    expect(decision.patch).toEqual({ linkReissues: 2 });
  });
});

describe('lifecycle decisions', () => {
  it.each([
    ['resolved', 'link_expired', ['link_expired', 'status_changed']],
    ['reissued', 'link_expired', ['link_expired', 'status_changed']],
    ['awaiting_approval', null, ['link_expired']],
    ['link_expired', null, ['link_expired']],
  ] as const)('a link expiring on a %s ticket → %s', (status, to, events) => {
    expect(shape(decideLinkExpiry(ticket(status), 3))).toEqual({ to, events, actions: [] });
  });

  it('retention abandons a non-conforming request without counting it as activity', () => {
    const d = decideAbandon(ticket('non_conforming'), 90);
    expect(shape(d)).toEqual({ to: 'abandoned', events: ['status_changed'], actions: [] });
    expect(d.touch).toBe(false);
  });

  it.each(['awaiting_approval', 'resolved', 'refused'] as const)('retention never abandons a %s request', (status) => {
    expect(() => decideAbandon(ticket(status), 90)).toThrow(/abandon is not allowed/);
  });
});
