import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail } from '../support/sample-mails';
import { startedHarnessForSuite } from './support/liquibot-harness';

// Issue 10, finding 1: a third party who knows the procedure forges a "correction" of a genuine,
// non-conforming request: From: the requester (not authenticated), the ticket's [REF] in the subject
// (references are sequential), no In-Reply-To, the right SIRET and the attacker's address. It must
// change nothing; only an answer to a mail liquibot sent on the ticket may change a request's facts,
// and the agents see every fact that changed since the first request.
const REQUESTER = 'etude.girard@mandataires.example.fr';
const AGENTS = 'agents@support.example.fr';

describe('a forged correction', () => {
  const h = startedHarnessForSuite();

  const deliver = (raw: string) => h.deliver(raw);

  it('changes no fact and sends nothing to the agents; the genuine fix does, and the agents see what changed', async () => {
    const root = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: REQUESTER, messageId: root, siret: '73282932000075', liquidatorEmail: 'girard@mandataires.example.fr' }));
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, root));
    expect(ticket!.status).toBe('non_conforming');
    const notice = await h.sink.waitFor((m) => m.envelope.to[0] === REQUESTER);

    const sentBefore = h.sink.messages.length;
    await deliver(buildRequestMail({
      from: REQUESTER, subject: `RE: [${ticket!.ref}] correction`, siret: '73282932000074', liquidatorEmail: 'attacker@evil.example.com',
    }));
    const [afterForgery] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(afterForgery).toMatchObject({ status: 'non_conforming', siret: null, liquidatorEmail: 'girard@mandataires.example.fr' });
    expect(h.processed.at(-1)!.outcome).toBe('unbound-message');
    // No approval request: the agents get the message to read (a hand-off), saying it changes nothing.
    const handoff = await h.sink.waitFor((m) => m.envelope.to[0] === AGENTS && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket!.ref);
    expect((await parseMail(handoff.raw)).text).toContain('il ne modifie rien de la demande');
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.sink.messages.slice(sentBefore).filter((m) => m.envelope.to[0] === AGENTS)).toHaveLength(1);
    expect((await eventsOfTicket(h.database.db, ticket!.id)).find((e) => e.kind === 'requester_message')).toMatchObject({ detail: { bound: false } });
    const agentMailsBefore = h.mailsTo(AGENTS).length;

    // The requester answers the notice itself (In-Reply-To names liquibot's random Message-ID): bound.
    await deliver(buildRequestMail({
      from: REQUESTER, subject: `RE: ${notice.subject ?? ''}`, siret: '73282932000074', liquidatorEmail: null, attachment: 'none',
      inReplyTo: notice.messageId, references: [root, notice.messageId!],
    }));
    const [fixed] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(fixed).toMatchObject({ status: 'awaiting_approval', siret: '73282932000074', liquidatorEmail: 'girard@mandataires.example.fr' });
    const approval = await h.sink.waitFor((m) => m.envelope.to[0] === AGENTS && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket!.ref
      && h.mailsTo(AGENTS).indexOf(m) >= agentMailsBefore);
    const text = (await parseMail(approval.raw)).text;
    expect(text).toMatch(/SIRET modifié\(e\) après la demande initiale : \(absent ou invalide\) → 73282932000074/);
    expect(text).toContain(`envoyé par ${REQUESTER}`);
    expect(text).not.toContain('attacker@evil.example.com');
  });

  it('a forged new request for the same company never joins the request before the agents', async () => {
    const root = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: 'scp.roux@mandataires.example.fr', messageId: root, liquidatorEmail: 'roux@mandataires.example.fr', siret: '35600000000048' }));
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, root));
    expect(ticket!.status).toBe('awaiting_approval');
    await deliver(buildRequestMail({ from: 'scp.roux@mandataires.example.fr', liquidatorEmail: 'attacker@evil.example.com', siret: '35600000000048' }));
    const [after] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(after).toMatchObject({ status: 'awaiting_approval', liquidatorEmail: 'roux@mandataires.example.fr' });
    expect(h.processed.at(-1)!.outcome).toBe('follow-up:duplicate:awaiting_approval');
    expect((await eventsOfTicket(h.database.db, ticket!.id)).map((e) => e.kind)).toEqual(expect.arrayContaining(['duplicate_request', 'requester_message', 'handed_to_agents']));
  });

  it('a forged new request for a company whose request lacks its document is a request of its own, and the agents see the other address', async () => {
    const root = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: 'scp.blanc@mandataires.example.fr', messageId: root, liquidatorEmail: 'blanc@mandataires.example.fr', siret: '35600000049837', attachment: 'none' }));
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, root));
    expect(ticket!.status).toBe('non_conforming');
    const forged = `<forged-${randomUUID()}@evil.example.com>`;
    await deliver(buildRequestMail({ from: 'scp.blanc@mandataires.example.fr', messageId: forged, liquidatorEmail: 'attacker@evil.example.com', siret: '35600000049837' }));
    const [after] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(after).toMatchObject({ status: 'non_conforming', liquidatorEmail: 'blanc@mandataires.example.fr' });
    const [other] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, forged));
    expect(other).toMatchObject({ status: 'awaiting_approval', liquidatorEmail: 'attacker@evil.example.com' });
    const approval = await h.sink.waitFor((m) => m.envelope.to[0] === AGENTS && m.headers['x-liquibot-ticket']?.[0]?.trim() === other!.ref);
    const text = (await parseMail(approval.raw)).text;
    expect(text).toContain(`Une autre demande existe pour ce SIRET : ${ticket!.ref}`);
    expect(text).toContain('avec une autre adresse de liquidateur : blanc@mandataires.example.fr');
    expect(text).toContain('Le domaine de l’adresse du liquidateur (evil.example.com) diffère de celui du demandeur (mandataires.example.fr)');
  });
});
