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
    linkReissues: 0, createdAt: at, updatedAt: at,
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

  it('on an abandoned ticket, with another subject: left for humans', async () => {
    expect(await classify('abandoned', 'etude@mandataire.example.fr', 'RE: notre dossier')).toBe('unrelated');
  });

  it('from the liquidator: only once the link is out', async () => {
    expect(await classify('resolved', 'liq@mandataire.example.fr', 'RE: Vos coordonnées dans net-entreprises')).toBe('follow-up');
    expect(await classify('non_conforming', 'liq@mandataire.example.fr', 'RE: Vos coordonnées dans net-entreprises')).toBe('unrelated');
  });

  it.each<[TicketStatus, string, string]>([
    ['non_conforming', 'etude@mandataire.example.fr', 'unbound-message'],
    ['awaiting_approval', 'etude@mandataire.example.fr', 'unbound-message'],
    ['resolved', 'liq@mandataire.example.fr', 'unbound-message'],
    ['non_conforming', 'liq@mandataire.example.fr', 'unrelated'],
    ['abandoned', 'etude@mandataire.example.fr', 'unrelated'],
  ])('not answering a mail of liquibot’s (ticket %s, from %s): %s, never a follow-up', async (status, from, kind) => {
    expect(await classify(status, from, 'RE: [LJ-260801-000007] correction', false)).toBe(kind);
  });
});
