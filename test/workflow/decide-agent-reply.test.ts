import { describe, expect, it } from 'vitest';
import { authorizeAgentReply, decideAgentReply } from '../../src/workflow/decide-agent-reply';

const at = new Date('2026-11-26T14:02:00Z');
const awaiting = { status: 'awaiting_approval' as const, decision: null, decidedBy: null, decidedAt: null };
const approved = { status: 'resolved' as const, decision: 'approved' as const, decidedBy: 'paul@support.example.fr', decidedAt: at };

describe('decideAgentReply', () => {
  it.each([
    ['approve while awaiting', awaiting, { kind: 'approve' }, { kind: 'approve' }],
    ['refuse with a reason', awaiting, { kind: 'refuse', reason: 'autre entreprise' }, { kind: 'refuse', reason: 'autre entreprise' }],
    ['a reply not understood', awaiting, { kind: 'invalid', error: 'BOTH', read: ['VALIDER ou REFUSER'] }, { kind: 'reply-error', error: 'BOTH', read: ['VALIDER ou REFUSER'] }],
    ['a placeholder reason', awaiting, { kind: 'invalid', error: 'REASON_PLACEHOLDER', read: ['REFUSER <motif>'] }, { kind: 'reply-error', error: 'REASON_PLACEHOLDER', read: ['REFUSER <motif>'] }],
    ['a second approval', approved, { kind: 'approve' }, { kind: 'already-decided', decision: 'approved', decidedBy: 'paul@support.example.fr', decidedAt: at }],
    ['a refusal after an approval', approved, { kind: 'refuse', reason: 'x' }, { kind: 'already-decided', decision: 'approved', decidedBy: 'paul@support.example.fr', decidedAt: at }],
    ['a reply on a non-conforming ticket', { ...awaiting, status: 'non_conforming' as const }, { kind: 'approve' }, { kind: 'not-awaiting', status: 'non_conforming' }],
  ] as const)('%s', (_l, ticket, reply, want) => {
    expect(decideAgentReply(ticket, reply as never)).toEqual(want);
  });
});

describe('authorizeAgentReply', () => {
  const base = {
    sender: 'paul@support.example.fr', ticket: { requesterEmail: 'req@etude.fr', liquidatorEmail: 'liq@etude.fr' },
    senderAllowed: true, boundTicketIds: [7], ticketId: 7, dkim: 'not-checked' as const, requireDkim: false,
  };
  it.each([
    ['an allowed agent bound by thread or token', {}, { ok: true }],
    ['a sender not on the list', { senderAllowed: false }, { ok: false, reason: 'SENDER_NOT_ALLOWED' }],
    ['the requester, even allow-listed', { sender: 'req@etude.fr' }, { ok: false, reason: 'REQUESTER_CANNOT_DECIDE' }],
    ['the liquidator', { sender: 'liq@etude.fr' }, { ok: false, reason: 'REQUESTER_CANNOT_DECIDE' }],
    ['no binding', { boundTicketIds: [] }, { ok: false, reason: 'NOT_BOUND' }],
    ['another ticket’s token', { boundTicketIds: [8] }, { ok: false, reason: 'BINDING_CONFLICT' }],
    ['two tickets at once', { boundTicketIds: [7, 8] }, { ok: false, reason: 'BINDING_CONFLICT' }],
    ['the same ticket bound twice', { boundTicketIds: [7, 7] }, { ok: true }],
    ['DKIM required and failing', { requireDkim: true, dkim: 'fail' }, { ok: false, reason: 'DKIM_FAILED' }],
    ['DKIM required and absent', { requireDkim: true, dkim: 'none' }, { ok: false, reason: 'DKIM_FAILED' }],
    ['DKIM required and passing', { requireDkim: true, dkim: 'pass' }, { ok: true }],
  ] as const)('%s', (_l, over, want) => {
    expect(authorizeAgentReply({ ...base, ...over } as never)).toEqual(want);
  });

  // Issue 10, finding 4: the requester and the liquidator are recognised as mailboxes, however written.
  describe('never the requester or the liquidator, compared as mailboxes', () => {
    const onAgentsDomain = { ...base, ticket: { requesterEmail: 'claire.petit@agents.example.fr', liquidatorEmail: 'sophie.martin@agents.example.fr' } };
    it.each([
      'sophie.martin+x@agents.example.fr',
      'SOPHIE.MARTIN@AGENTS.EXAMPLE.FR',
      'sophie.martin@agents.example.fr.',
      '"sophie.martin"@agents.example.fr',
      '"sophie.martin+tag"@Agents.Example.FR.',
      'claire.petit+moi@agents.example.fr',
      ' claire.petit@agents.example.fr ',
    ])('%j cannot decide', (sender) => {
      expect(authorizeAgentReply({ ...onAgentsDomain, sender })).toEqual({ ok: false, reason: 'REQUESTER_CANNOT_DECIDE' });
    });

    it.each([
      ['another person on the same domain', 'paul.durand@agents.example.fr'],
      ['a name that only starts the same', 'sophie.martinez@agents.example.fr'],
      ['the same local part elsewhere', 'sophie.martin@support.example.fr'],
      ['a -tag, when - is not a separator', 'sophie.martin-x@agents.example.fr'],
    ])('%s (%j) is not the liquidator', (_l, sender) => {
      expect(authorizeAgentReply({ ...onAgentsDomain, sender })).toEqual({ ok: true });
    });

    it('a -tag is the same person when - is a configured separator', () => {
      expect(authorizeAgentReply({ ...onAgentsDomain, sender: 'sophie.martin-x@agents.example.fr', mailbox: { subaddressSeparators: '+-' } }))
        .toEqual({ ok: false, reason: 'REQUESTER_CANNOT_DECIDE' });
    });

    it('IDN domains in either form are one domain', () => {
      const idn = { ...base, ticket: { requesterEmail: 'req@etude.fr', liquidatorEmail: 'jean@exämple.fr' } };
      expect(authorizeAgentReply({ ...idn, sender: 'jean+1@xn--exmple-cua.fr' })).toEqual({ ok: false, reason: 'REQUESTER_CANNOT_DECIDE' });
    });
  });
});
