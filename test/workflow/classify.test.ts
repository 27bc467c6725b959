import { EMPTY_CHECK } from '../../src/workflow/ticket-check';
import { describe, expect, it } from 'vitest';
import type { Ticket, TicketStatus } from '../../src/db/schema';
import { buildRequestMail } from '../support/sample-mails';
import { parseMail } from '../../src/mail/parse-mail';
import { classifyMail, type ClassifyInput } from '../../src/workflow/classify';

const OWN = { addresses: ['liquibot@support.example.fr'], messageIdDomain: 'liquibot.support.example.fr' };

function ticket(status: TicketStatus): Ticket {
  const at = new Date('2026-08-01T10:00:00Z');
  return {
    id: 7, ref: 'LJ-260801-000007', status, requesterEmail: 'etude@mandataire.example.fr', requesterName: '', subject: 's',
    siret: '73282932000074', liquidatorEmail: 'liq@mandataire.example.fr', check: EMPTY_CHECK, rootMessageId: '<root@custhelp.example.net>',
    approvalMessageId: null, approvalTokenHash: null, decision: null, decidedBy: null, decidedAt: null, refusalReason: null,
    linkReissues: 0, needsPersonSince: null, createdAt: at, updatedAt: at,
  };
}

/** A mail on the ticket's thread; `bound`: it answers a mail liquibot sent on the ticket (else it names it only). */
async function classify(status: TicketStatus, from: string, subject?: string, bound = true) {
  const mail = await parseMail(Buffer.from(buildRequestMail({ from, subject, inReplyTo: '<root@custhelp.example.net>' })));
  const t = ticket(status);
  const input: ClassifyInput = {
    mail, own: OWN, boundTicket: bound ? t : null, threadTicket: t, approvalTickets: [], subjectTicket: null, senderIsAgent: false,
  };
  return classifyMail(input).kind;
}

describe('classifyMail: a mail on a ticket’s thread', () => {
  it.each<[TicketStatus, string]>([
    ['non_conforming', 'follow-up'],
    ['awaiting_approval', 'follow-up'],
    ['refused', 'follow-up'],
    ['resolved', 'follow-up'],
    // never completed, closed by retention: the requester starts again, with every problem listed anew
    ['abandoned', 'new-request'],
  ])('from the requester, ticket %s → %s', async (status, kind) => {
    expect(await classify(status, 'etude@mandataire.example.fr', 'RE: LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE')).toBe(kind);
  });

  it('on an abandoned ticket, with another subject but both labelled fields in the body: a new request (issue 12)', async () => {
    expect(await classify('abandoned', 'etude@mandataire.example.fr', 'RE: notre dossier')).toBe('new-request');
  });

  it('from the liquidator: only once the link is out', async () => {
    expect(await classify('resolved', 'liq@mandataire.example.fr', 'RE: Vos coordonnées dans net-entreprises')).toBe('follow-up');
    // Not the liquidator's ticket to continue; its body carries both labelled fields: a request of its own.
    expect(await classify('non_conforming', 'liq@mandataire.example.fr', 'RE: Vos coordonnées dans net-entreprises')).toBe('new-request');
  });

  it.each<[TicketStatus, string, string]>([
    ['non_conforming', 'etude@mandataire.example.fr', 'unbound-message'],
    ['awaiting_approval', 'etude@mandataire.example.fr', 'unbound-message'],
    ['resolved', 'liq@mandataire.example.fr', 'unbound-message'],
    // the body carries both labelled fields: read as a request of its own, never as this ticket's follow-up
    ['non_conforming', 'liq@mandataire.example.fr', 'new-request'],
    ['abandoned', 'etude@mandataire.example.fr', 'new-request'],
  ])('not answering a mail of liquibot’s (ticket %s, from %s): %s, never a follow-up', async (status, from, kind) => {
    expect(await classify(status, from, 'RE: [LJ-260801-000007] correction', false)).toBe(kind);
  });
});

/** A raw mail with this From header, on the ticket's thread (bound unless told), for the sender's identity alone. */
async function classifyFrom(fromHeader: string, opts: { status?: TicketStatus; senderIsAgent?: boolean; bound?: boolean; separators?: string } = {}) {
  const raw = [
    `From: ${fromHeader}`, 'To: support@support.example.fr', 'Subject: RE: notre dossier', 'Message-ID: <m@custhelp.example.net>',
    'In-Reply-To: <root@custhelp.example.net>', 'Content-Type: text/plain; charset=UTF-8', '', 'Bonjour', '',
  ].join('\r\n');
  const mail = await parseMail(Buffer.from(raw));
  const t = ticket(opts.status ?? 'non_conforming');
  return classifyMail({
    mail, own: OWN, boundTicket: opts.bound === false ? null : t, threadTicket: t, approvalTickets: [], subjectTicket: null,
    senderIsAgent: opts.senderIsAgent ?? false, ...(opts.separators ? { mailbox: { subaddressSeparators: opts.separators } } : {}),
  }).kind;
}

// Issue 10, findings 4 and 5: "is the sender the requester / the liquidator of this ticket" compares mailboxes.
describe('classifyMail: the requester and the liquidator recognised as mailboxes', () => {
  it.each([
    'etude@mandataire.example.fr',
    'etude+dossier@mandataire.example.fr',
    'ETUDE@Mandataire.Example.FR.',
    '"etude"@mandataire.example.fr',
    'Étude <etude+1@mandataire.example.fr>',
  ])('the requester written %j continues the ticket', async (from) => {
    expect(await classifyFrom(from)).toBe('follow-up');
  });

  it.each([
    'etude.x@mandataire.example.fr',
    'etude@mandataire.example.fr.evil.com',
    'etude-dossier@mandataire.example.fr',
  ])('%j is not the requester', async (from) => {
    expect(await classifyFrom(from)).toBe('unrelated');
  });

  it('a -tag is the requester when - is a configured separator', async () => {
    expect(await classifyFrom('etude-dossier@mandataire.example.fr', { separators: '+-' })).toBe('follow-up');
  });

  it('the liquidator with a +tag, once the link is out', async () => {
    expect(await classifyFrom('liq+lien@mandataire.example.fr', { status: 'resolved' })).toBe('follow-up');
  });

  it('an allow-listed sender who is the ticket’s liquidator (+tag) is not taken for an agent', async () => {
    expect(await classifyFrom('liq+x@mandataire.example.fr', { status: 'resolved', senderIsAgent: true })).toBe('follow-up');
    expect(await classifyFrom('paul@mandataire.example.fr', { status: 'resolved', senderIsAgent: true })).toBe('agent-unbound');
  });

  it('a From naming several mailboxes is never an agent’s, but a requester with one is still recognised', async () => {
    expect(await classifyFrom('paul@mandataire.example.fr, evil@evil.fr', { status: 'resolved', senderIsAgent: true })).toBe('unrelated');
    expect(await classifyFrom('etude@mandataire.example.fr, autre@etude.example.fr')).toBe('follow-up');
  });
});
