import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendReminderDigest } from '../../src/approval/reminder-digest';
import { tickets, type Ticket } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { parseMail } from '../../src/mail/parse-mail';
import { verifyResetLink } from '../../src/reset/verify-link';
import { TemplateStore } from '../../src/templates/store';
import { buildRequestMail } from '../support/sample-mails';
import type { SinkMessage } from '../support/sandbox/smtp-sink';
import { createHarness, type Harness } from './support/liquibot-harness';

// Issue 12, agents: the reminder digest shows the whole queue of pending approvals with their ages,
// repeats at REMINDER_REPEAT_HOURS, escalates past ESCALATION_AFTER_HOURS to ESCALATION_ADDRESS, carries
// the decision links (the very ones of each approval request), and lists the requests waiting for a
// person and the reset links locked by wrong triplets.
const AGENTS = 'agents@support.example.fr';
const CHIEF = 'chef.support@support.example.fr';
const AGENT = 'paul.durand@support.example.fr';
const HOUR = 3_600_000;

function agentReply(opts: { from: string; body: string; inReplyTo?: string; subject?: string }): string {
  return [
    `From: ${opts.from}`, 'To: liquibot@support.example.fr', `Subject: ${opts.subject ?? 'RE: Validation requise'}`, `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@support.example.fr>`,
    ...(opts.inReplyTo ? [`In-Reply-To: ${opts.inReplyTo}`, `References: ${opts.inReplyTo}`] : []),
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', '', opts.body, '',
  ].join('\r\n');
}

describe('reminder digest', () => {
  let h: Harness;
  let clock = Date.now();
  beforeAll(async () => {
    h = await createHarness({
      now: () => new Date(clock),
      env: { REMINDER_AFTER_HOURS: '24', REMINDER_REPEAT_HOURS: '24', ESCALATION_ADDRESS: CHIEF, ESCALATION_AFTER_HOURS: '48' },
    });
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  const deliver = (raw: string) => h.deliver(raw);
  async function request(requester: string, liquidator: string, siret: string): Promise<{ ticket: Ticket; approval: SinkMessage; ack: SinkMessage }> {
    const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: requester, liquidatorEmail: liquidator, siret, messageId }));
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    const approval = await h.sink.waitFor((m) => m.envelope.to[0] === AGENTS && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket!.ref);
    const ack = await h.sink.waitFor((m) => m.envelope.to[0] === requester);
    return { ticket: ticket!, approval, ack };
  }
  const deps = () => ({ database: h.database, config: h.config, templates: new TemplateStore() });
  /** Runs the digest job now, and waits for what it queued to be sent. */
  async function digestRun(): Promise<{ reminded: number; escalated: number }> {
    const result = await sendReminderDigest(deps(), new Date(clock));
    h.daemon!.outbox.kick();
    await h.daemon!.outbox.drain();
    return result;
  }
  const digests = async (to: string) => {
    const mails = h.sink.messages.filter((m) => m.envelope.to[0] === to && m.headers['x-liquibot-ticket'] === undefined);
    return Promise.all(mails.map((m) => parseMail(m.raw)));
  };
  const mailtoLine = (text: string, ref: string, label: string) => {
    const block = text.slice(text.indexOf(`- ${ref}`));
    const line = block.split('\n').find((l) => l.trim().startsWith(label) && l.includes('mailto:'))!;
    return line.slice(line.indexOf('mailto:')).trim();
  };

  it('lists the whole queue with ages, repeats, escalates, lists people and locked links, and its links decide', async () => {
    const t0 = clock;
    const old = await request('etude@ancienne.example.fr', 'liq@ancienne.example.fr', '73282932000074');
    clock = t0 + 20 * HOUR;
    const young = await request('etude@recente.example.fr', 'liq@recente.example.fr', '44306184100047');
    // A question while the agents decide: the request waits for a person too.
    await deliver(buildRequestMail({
      from: 'etude@recente.example.fr', subject: `RE: ${young.ack.subject ?? ''}`, siret: null, liquidatorEmail: null, attachment: 'none',
      inReplyTo: young.ack.messageId, preamble: 'Bonjour, où en est ma demande ?',
    }));
    // A request approved, whose link is then locked by five wrong triplets.
    const locked = await request('etude@bloquee.example.fr', 'liq@bloquee.example.fr', '35600000000048');
    await deliver(agentReply({ from: AGENT, body: 'VALIDER', inReplyTo: locked.approval.messageId }));
    const resetMail = (await parseMail(h.mailsTo('liq@bloquee.example.fr')[0]!.raw)).text;
    const token = resetMail.match(/token=([A-Za-z0-9_-]{43})/)![1]!;
    for (let i = 0; i < 5; i += 1) {
      await verifyResetLink(h.database.db, { token, siret: '35600000000048', lastName: 'DURAND', firstName: 'Marc', now: new Date(clock) });
    }

    // t0 + 25 h: the first request is overdue; the digest shows the whole queue.
    clock = t0 + 25 * HOUR;
    expect(await digestRun()).toEqual({ reminded: 2, escalated: 0 });
    const [first] = await digests(AGENTS);
    expect(first!.subject).toBe('[Rappel] 2 demandes en attente de validation, 1 message à traiter, 1 lien bloqué');
    expect(first!.text).toContain(`- ${old.ticket.ref} – EN RETARD – en attente depuis 25 h`);
    expect(first!.text).toContain(`- ${young.ticket.ref} – en attente depuis 5 h`);
    expect(first!.text).toMatch(new RegExp(`- ${young.ticket.ref} – en attente de validation – depuis le .* \\(5 h\\)`));
    expect(first!.text).toMatch(new RegExp(`- ${locked.ticket.ref} – lien envoyé à liq@bloquee\\.example\\.fr, bloqué le .* après 5 tentatives`));
    // The very links of each approval request (the token is made again, not stored, not replaced).
    const approvalText = (await parseMail(old.approval.raw)).text;
    const approvalLink = approvalText.split('\n').find((l) => l.startsWith('Valider : '))!.slice('Valider : '.length).trim();
    expect(mailtoLine(first!.text, old.ticket.ref, 'Valider')).toBe(approvalLink);
    expect(await digests(CHIEF)).toHaveLength(0);

    // An hour later: nothing new, no digest.
    clock = t0 + 26 * HOUR;
    expect(await digestRun()).toEqual({ reminded: 0, escalated: 0 });
    expect(await digests(AGENTS)).toHaveLength(1);

    // A day after the last one: it repeats, and the oldest request, past 48 h, is escalated.
    clock = t0 + 50 * HOUR;
    const run = await digestRun();
    expect(run.escalated).toBe(1);
    const [, second] = await digests(AGENTS);
    expect(second!.text).toContain(`- ${old.ticket.ref} – ESCALADE – en attente depuis 2 j 2 h`);
    expect(second!.text).toContain(`- ${young.ticket.ref} – EN RETARD – en attente depuis 30 h`);
    const [escalation] = await digests(CHIEF);
    expect(escalation!.subject).toMatch(/^\[Escalade\] 2 demandes en attente de validation/);
    expect(escalation!.text).toContain(`- ${old.ticket.ref} – ESCALADE`);
    expect(escalation!.text).not.toContain('mailto:');
    expect((await eventsOfTicket(h.database.db, old.ticket.id)).filter((e) => e.kind === 'reminded')).toHaveLength(2);

    // The digest's VALIDER link, sent as a mail client prefills it (no threading: the token binds it), decides.
    const link = new URL(mailtoLine(second!.text, young.ticket.ref, 'Valider'));
    await deliver(agentReply({ from: AGENT, body: link.searchParams.get('body')!, subject: link.searchParams.get('subject')! }));
    const [after] = await h.database.db.select().from(tickets).where(eq(tickets.id, young.ticket.id));
    expect(after).toMatchObject({ status: 'resolved', decidedBy: AGENT, needsPersonSince: null });
  });
});
