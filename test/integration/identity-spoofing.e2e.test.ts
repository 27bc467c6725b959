import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { createHarness, type Harness, conformingRequest as deliverConforming } from './support/liquibot-harness';

/**
 * Issue 10, findings 4 and 5: who counts as an agent, and who never does, against the real daemon
 * (Dovecot, PostgreSQL, an SMTP sink). Identities are compared as mailboxes (parsers/mailbox.ts), and a
 * From that does not name exactly one clean mailbox is never an agent.
 */

const AGENTS = 'agents@support.example.fr';
/** A genuine agent, allow-listed by domain. */
const AGENT = 'paul.durand@agents.example.fr';

/** An agent's reply bound to an approval request by In-Reply-To; `from` is the From header as written. */
function reply(from: string, inReplyTo: string, body = 'VALIDER'): string {
  return [
    `From: ${from}`,
    'To: liquibot@support.example.fr',
    'Subject: RE: Validation requise',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@agents.example.fr>`,
    `In-Reply-To: ${inReplyTo}`,
    `References: ${inReplyTo}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    body,
    '',
  ].join('\r\n');
}

describe('identities compared as mailboxes (issue 10, findings 4 and 5)', () => {
  let h: Harness;
  let seq = 0;
  const sirets = [
    '73282932000074', '44306184100047', '35600000000048', '35600000049837', '54205118000066', '55208131766522', '38012986646850',
    '40483304800022', '10000000000008', '10000000000016', '10000000000024', '10000000000032',
  ];
  beforeAll(async () => {
    h = await createHarness({ env: { AGENT_SENDERS: '@support.example.fr, @agents.example.fr' } });
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A conforming request for the next SIRET of the list; its ticket and its approval request. */
  const conformingRequest = (requester: string, liquidator: string) => deliverConforming(h, { requester, liquidator, siret: sirets[seq++]! });

  const deliver = (raw: string) => h.deliver(raw);
  const reload = async (id: number) => (await h.database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;
  const rejections = async (ticketId: number) =>
    (await eventsOfTicket(h.database.db, ticketId)).filter((e) => e.kind === 'decision_rejected').map((e) => (e.detail as { reason: string }).reason);

  describe('finding 4: never the requester or the liquidator, whatever way their address is written', () => {
    it.each([
      ['the liquidator with a +tag', 'etude@moutin.example.fr', 'sophie.martin@agents.example.fr', 'Sophie Martin <sophie.martin+x@agents.example.fr>'],
      ['the liquidator, +tag, upper case and a trailing dot', 'etude@garnier.example.fr', 'sophie.martin@agents.example.fr', '<SOPHIE.MARTIN+validation@Agents.Example.FR.>'],
      ['the liquidator with a quoted, tagged local part', 'etude@leroy.example.fr', 'sophie.martin@agents.example.fr', '"sophie.martin+ok"@agents.example.fr'],
      ['the requester with a +tag', 'claire.petit@agents.example.fr', 'liquidateur@etude-petit.example.fr', 'claire.petit+moi@agents.example.fr'],
    ])('%s cannot approve: the reply is rejected and no link goes out', async (_name, requester, liquidator, from) => {
      const { ticket, approval } = await conformingRequest(requester, liquidator);
      const resetMails = () => h.mailsTo(liquidator).filter((m) => m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket.ref);
      const result = await deliver(reply(from, approval.messageId!));
      expect(result.outcome).toBe('agent-reply:rejected:REQUESTER_CANNOT_DECIDE');
      expect(await reload(ticket.id)).toMatchObject({ status: 'awaiting_approval', decision: null });
      expect(await rejections(ticket.id)).toEqual(['REQUESTER_CANNOT_DECIDE']);
      expect(resetMails()).toHaveLength(0);

      // A genuine agent still decides, and the link then goes to the liquidator of the request.
      await deliver(reply(`Paul Durand <${AGENT}>`, approval.messageId!));
      expect(await reload(ticket.id)).toMatchObject({ status: 'resolved', decision: 'approved', decidedBy: AGENT });
      expect(resetMails()).toHaveLength(1);
    });
  });

  describe('finding 5: a From that does not name exactly one clean mailbox is never an agent', () => {
    it.each([
      ['two addresses inside one pair of angle brackets', '<evil@evil.fr,paul.durand@agents.example.fr>'],
      ['an address whose domain part holds another address', 'evil@evil.fr@agents.example.fr'],
      ['a quoted local part holding a list', '"evil@evil.fr,paul.durand"@agents.example.fr'],
    ])('%s: rejected as SENDER_NOT_ALLOWED, processed (not quarantined), nothing sent', async (_name, from) => {
      const liquidator = `liq-${seq}@etude.example.fr`;
      const { ticket, approval } = await conformingRequest(`etude-${seq}@etude.example.fr`, liquidator);
      const before = h.sink.messages.length;
      const result = await deliver(reply(from, approval.messageId!));
      expect(result.kind).toBe('ticket');
      expect(result.outcome).toBe('agent-reply:rejected:SENDER_NOT_ALLOWED');
      expect(await reload(ticket.id)).toMatchObject({ status: 'awaiting_approval', decision: null });
      expect(await rejections(ticket.id)).toEqual(['SENDER_NOT_ALLOWED']);
      // Nothing answers a sender that is not an agent; no link goes out.
      await new Promise((r) => setTimeout(r, 300));
      expect(h.sink.messages.slice(before)).toEqual([]);
    });

    // Here the first mailbox mailparser reads is a genuine agent's: only the From judged whole
    // (SenderAddress.ambiguous, handed to deps.isAgent) keeps them out.
    it.each([
      ['an agent\'s mailbox followed by another', `${AGENT}, evil@evil.fr`],
      ['a group holding an agent\'s mailbox', `Agents: ${AGENT};`],
      ['two From headers', `${AGENT}\r\nFrom: evil@evil.fr`],
      ['an unquoted address as display name', `evil@evil.fr <${AGENT}>`],
    ])('%s: rejected as SENDER_NOT_ALLOWED, nothing sent', async (_name, from) => {
      const liquidator = `liq-${seq}@etude.example.fr`;
      const { ticket, approval } = await conformingRequest(`etude-${seq}@etude.example.fr`, liquidator);
      const before = h.sink.messages.length;
      const result = await deliver(reply(from, approval.messageId!));
      expect(result.outcome).toBe('agent-reply:rejected:SENDER_NOT_ALLOWED');
      expect(await reload(ticket.id)).toMatchObject({ status: 'awaiting_approval', decision: null });
      await new Promise((r) => setTimeout(r, 300));
      expect(h.sink.messages.slice(before)).toEqual([]);
    });
  });
});

describe('agents\' replies authenticated by default in production (issue 10)', () => {
  it('on PostgreSQL, start-up refuses REQUIRE_DKIM=false with AGENT_SENDERS set, and says why', async () => {
    // The harness sets ALLOW_UNSIGNED_AGENT_REPLIES=true; this one takes it away.
    const h = await createHarness({ env: { ALLOW_UNSIGNED_AGENT_REPLIES: '' } });
    try {
      expect(h.config.DATABASE_URL).toBeTruthy();
      await expect(h.start()).rejects.toThrow(/REQUIRE_DKIM.*Message-ID.*ALLOW_UNSIGNED_AGENT_REPLIES=true/);
      expect(h.daemon).toBeNull();
      expect(h.processed).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('starts with REQUIRE_DKIM=true, or with the explicit override', async () => {
    for (const env of [{ REQUIRE_DKIM: 'true', ALLOW_UNSIGNED_AGENT_REPLIES: '' }, { REQUIRE_DKIM: 'false', ALLOW_UNSIGNED_AGENT_REPLIES: 'true' }]) {
      const h = await createHarness({ env });
      try {
        await h.start();
        expect(h.daemon).not.toBeNull();
      } finally {
        await h.close();
      }
    }
  });
});
