import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { resetLinks, tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail } from '../support/sample-mails';
import { importAccounts } from '../../src/accounts/import-accounts';
import { verifyResetLink } from '../../src/reset/verify-link';
import type { SinkMessage } from '../support/sandbox/smtp-sink';
import { createHarness, tokensSent, type Harness, conformingRequest as deliverConforming } from './support/liquibot-harness';
import type { TicketCheck } from '../../src/workflow/ticket-check';

const AGENT = 'paul.durand@support.example.fr';
const AGENT2 = 'sophie.martin@support.example.fr';
const BASE = 'https://portail.net-entreprises.fr/auth/liquidateur?token=';

/** An agent's reply as mail clients send it: new text on top, the original quoted below. */
function agentReply(opts: { from: string; body: string; inReplyTo?: string; references?: string[]; subject?: string; quoted?: string }): string {
  return [
    `From: ${opts.from}`,
    'To: liquibot@support.example.fr',
    `Subject: ${opts.subject ?? 'RE: Validation requise'}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@support.example.fr>`,
    ...(opts.inReplyTo ? [`In-Reply-To: ${opts.inReplyTo}`, `References: ${[...(opts.references ?? []), opts.inReplyTo].join(' ')}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    opts.body,
    '',
    ...(opts.quoted ? ['Le 26/11/2026 à 10:00, liquibot a écrit :', ...opts.quoted.split('\n').map((l) => `> ${l}`)] : []),
    '',
  ].join('\r\n');
}

describe('approval end to end', () => {
  let h: Harness;
  let clock = Date.now();
  let seq = 0;
  const sirets = [
    '73282932000074', '44306184100047', '35600000000048', '35600000049837', '54205118000066', '55208131766522', '38012986646850', '40483304800022', '10000000000008',
    '41234568803114', '41234568804484', '41234568805580', '41234568806265', '41234568806539', '41234568806950',
  ];
  beforeAll(async () => {
    h = await createHarness({ now: () => new Date(clock), env: { MAX_LINK_REISSUES: '1' } });
    await importAccounts(h.database.db, sirets.map((siret) => ({ siret, lastName: 'MOUTIN', firstName: 'Claire' })), new Date());
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A conforming request for the next SIRET of the list; its ticket and its approval request. */
  const conformingRequest = (requester: string, liquidator: string) => deliverConforming(h, { requester, liquidator, siret: sirets[seq++]! });

  const deliver = (raw: string) => h.deliver(raw);
  const reload = async (id: number) => (await h.database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;
  const tokenOf = async (m: SinkMessage) => (await parseMail(m.raw)).text.match(/ljv-[0-9a-f]{32}/)![0];
  const linkIn = async (m: SinkMessage) => {
    const text = (await parseMail(m.raw)).text;
    const at = text.indexOf(BASE);
    return at < 0 ? null : text.slice(at + BASE.length).match(/^[A-Za-z0-9_-]+/)![0];
  };
  /** The body a mailto: link of a mail's text prefills (label: "Valider", "Refuser …"). */
  const mailtoBody = (text: string, label: RegExp) => {
    const line = text.split('\n').find((l) => label.test(l) && l.includes('mailto:'))!;
    return decodeURIComponent(new URL(line.slice(line.indexOf('mailto:')).trim()).searchParams.get('body')!);
  };
  const mailtoOf = (text: string, label: RegExp) => {
    const line = text.split('\n').find((l) => label.test(l) && l.includes('mailto:'));
    return line ? line.slice(line.indexOf('mailto:')).trim() : null;
  };
  const rejections = async (ticketId: number) =>
    (await eventsOfTicket(h.database.db, ticketId)).filter((e) => e.kind === 'decision_rejected').map((e) => (e.detail as { reason: string }).reason);

  it('approval request → agent replies VALIDER → exactly one reset mail whose link verifies once, with the right triplet', async () => {
    const { ticket, approval } = await conformingRequest('etude@moutin.example.fr', 'claire.moutin@moutin.example.fr');
    const parsed = await parseMail(approval.raw);
    expect(parsed.attachments).toHaveLength(1);
    expect(Buffer.from(parsed.attachments[0]!.head).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The very bytes the requester sent.
    expect(parsed.attachments[0]!.sha256).toBe((ticket.check).documents[0]!.sha256);
    expect(parsed.text).toContain('VALIDER');
    expect(parsed.text).toMatch(/SIRET : 732 829 320 00074/);
    expect(approval.headers['reply-to']?.[0]).toContain('liquibot@support.example.fr');

    await deliver(agentReply({ from: `Paul Durand <${AGENT}>`, body: 'Valider', inReplyTo: approval.messageId, quoted: parsed.text }));
    const after = await reload(ticket.id);
    expect(after).toMatchObject({ status: 'resolved', decision: 'approved', decidedBy: AGENT });

    const resetMails = h.mailsTo('claire.moutin@moutin.example.fr');
    expect(resetMails).toHaveLength(1);
    const reset = await parseMail(resetMails[0]!.raw);
    expect(reset.subject).toBe(`[${ticket.ref}] Vos coordonnées dans net-entreprises`);
    expect(reset.text).toContain('MOUTIN Claire');
    expect(reset.text).toMatch(/8 heures/);
    expect(reset.text).not.toMatch(/mot de passe provisoire\s*:/i);
    const token = (await linkIn(resetMails[0]!))!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The requester is told, without the link; the agents get a confirmation naming who approved.
    const resolved = h.mailsTo('etude@moutin.example.fr').map((m) => m.raw.toString('latin1')).join('\n');
    expect(resolved).not.toContain(token);
    const confirmation = h.sink.messages.filter((m) => m.envelope.to[0] === 'agents@support.example.fr').at(-1)!;
    expect((await parseMail(confirmation.raw)).text).toContain('Paul Durand');
    // The token is nowhere in the database: only its hash.
    const [link] = await h.database.db.select().from(resetLinks).where(eq(resetLinks.ticketId, ticket.id));
    expect(JSON.stringify(link)).not.toContain(token);

    const now = new Date(clock);
    const wrong = await verifyResetLink(h.database.db, { token, siret: '73282932000074', lastName: 'DUPONT', firstName: 'Claire', now });
    expect(wrong.result).toBe('mismatch');
    const ok = await verifyResetLink(h.database.db, { token, siret: '732 829 320 00074', lastName: 'Moutin', firstName: 'claire', now });
    expect(ok.result).toBe('valid');
    const again = await verifyResetLink(h.database.db, { token, siret: '73282932000074', lastName: 'MOUTIN', firstName: 'Claire', now });
    expect(again.result).toBe('already_used');
    // The harness scans the logs for every token sent (on close): make sure it sees them.
    expect(await tokensSent(h.sink.messages)).toEqual(expect.arrayContaining([token, await tokenOf(approval)]));
  });

  it('a second request for the same company waits behind the first, and goes to the agents once the first is decided', async () => {
    const { ticket: first, approval } = await conformingRequest('etude@garnier.example.fr', 'garnier@garnier.example.fr');
    const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: 'scp@autre-etude.example.fr', liquidatorEmail: 'autre@autre-etude.example.fr', siret: first.siret!, messageId }));
    const [second] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    expect(second).toMatchObject({ status: 'awaiting_approval', approvalMessageId: null });
    const aboutSecond = (m: SinkMessage) => m.envelope.to[0] === 'agents@support.example.fr' && m.headers['x-liquibot-ticket']?.[0]?.trim() === second!.ref;
    // The second requester is acknowledged; the agents get no second approval request for the company.
    await h.sink.waitFor((m) => m.envelope.to[0] === 'scp@autre-etude.example.fr');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.sink.messages.filter(aboutSecond)).toHaveLength(0);
    const kinds = async (id: number) => (await eventsOfTicket(h.database.db, id)).map((e) => e.kind);
    expect(await kinds(second!.id)).toContain('approval_waiting');
    expect(await kinds(first.id)).toContain('same_siret_request');

    // A third one waits too.
    const thirdId = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: 'selarl@troisieme.example.fr', liquidatorEmail: 'trois@troisieme.example.fr', siret: first.siret!, messageId: thirdId }));
    const [third] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, thirdId));
    const aboutThird = (m: SinkMessage) => m.envelope.to[0] === 'agents@support.example.fr' && m.headers['x-liquibot-ticket']?.[0]?.trim() === third!.ref;

    // The first is decided: the second (the oldest waiting) goes to the agents now, with a warning naming
    // the first; the third still waits, behind the second.
    await deliver(agentReply({ from: AGENT, body: 'VALIDER', inReplyTo: approval.messageId }));
    const released = await h.sink.waitFor(aboutSecond);
    expect((await parseMail(released.raw)).text).toContain(first.ref);
    expect((await reload(second!.id)).approvalMessageId).toBe(released.messageId);
    expect(h.sink.messages.filter(aboutSecond)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.sink.messages.filter(aboutThird)).toHaveLength(0);
    expect((await reload(third!.id)).approvalMessageId).toBeNull();

    // The second is refused: now the third goes.
    // "doublon" alone is now too short a reason (issue 12: at least two words, the requester reads it).
    await deliver(agentReply({ from: AGENT, body: `REFUSER : doublon de ${first.ref}`, inReplyTo: released.messageId }));
    await h.sink.waitFor(aboutThird);
    expect(h.sink.messages.filter(aboutThird)).toHaveLength(1);
  });

  it('first decision wins: two agents approving at once give one reset mail; the other is told who decided', async () => {
    const { ticket, approval } = await conformingRequest('etude@leroy.example.fr', 'leroy@leroy.example.fr');
    const n = h.processed.length;
    // Two senders: the daemon handles them side by side (PROCESS_CONCURRENCY); the ticket row lock decides.
    await h.mailbox.append(agentReply({ from: AGENT, body: 'VALIDER', inReplyTo: approval.messageId }));
    await h.mailbox.append(agentReply({ from: AGENT2, body: 'VALIDER', inReplyTo: approval.messageId }));
    await h.waitForProcessed(n + 2);
    expect(h.mailsTo('leroy@leroy.example.fr')).toHaveLength(1);
    const winner = (await reload(ticket.id)).decidedBy!;
    expect([AGENT, AGENT2]).toContain(winner);
    const loser = winner === AGENT ? AGENT2 : AGENT;
    const late = h.mailsTo(loser).filter((m) => m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket.ref);
    expect(late).toHaveLength(1);
    expect((await parseMail(late[0]!.raw)).text).toContain(winner);
    expect(await rejections(ticket.id)).toEqual(['ALREADY_DECIDED']);
  });

  it('refusal: the requester gets the agents’ reason and the ticket is closed', async () => {
    const { ticket, approval } = await conformingRequest('etude@petit.example.fr', 'petit@petit.example.fr');
    await deliver(agentReply({ from: AGENT, body: 'REFUSER : le jugement joint concerne une autre société', inReplyTo: approval.messageId }));
    expect(await reload(ticket.id)).toMatchObject({ status: 'refused', refusalReason: 'le jugement joint concerne une autre société' });
    const refusal = h.mailsTo('etude@petit.example.fr').at(-1)!;
    expect((await parseMail(refusal.raw)).text).toContain('le jugement joint concerne une autre société');
    expect(h.mailsTo('petit@petit.example.fr')).toHaveLength(0);
  });

  it('accepts no forged approval', async () => {
    const { ticket, approval } = await conformingRequest('etude@faux.example.fr', 'faux@faux.example.fr');
    const token = await tokenOf(approval);
    const other = await conformingRequest('etude@autre.example.fr', 'autre@autre.example.fr');
    const otherToken = await tokenOf(other.approval);
    const ack = h.mailsTo('etude@faux.example.fr')[0]!;

    // A sender not on the list, perfectly bound.
    await deliver(agentReply({ from: 'intrus@evil.example.com', body: 'VALIDER', inReplyTo: approval.messageId, quoted: token }));
    // The requester answering VALIDER to their acknowledgment, and even quoting a stolen token.
    await deliver(agentReply({ from: 'etude@faux.example.fr', body: 'VALIDER', inReplyTo: ack.messageId }));
    await deliver(agentReply({ from: 'etude@faux.example.fr', body: 'VALIDER', quoted: token }));
    // An agent on this ticket's thread quoting another ticket's token.
    await deliver(agentReply({ from: AGENT, body: 'VALIDER', inReplyTo: approval.messageId, quoted: otherToken }));
    // An agent with no binding at all, only the reference in the subject.
    await deliver(agentReply({ from: AGENT, body: 'VALIDER', subject: `[${ticket.ref}] VALIDER` }));

    for (const t of [ticket, other.ticket]) expect((await reload(t.id)).status).toBe('awaiting_approval');
    expect(h.mailsTo('faux@faux.example.fr')).toHaveLength(0);
    expect(h.mailsTo('autre@autre.example.fr')).toHaveLength(0);
    expect(await rejections(ticket.id)).toEqual(['SENDER_NOT_ALLOWED', 'REQUESTER_CANNOT_DECIDE', 'BINDING_CONFLICT', 'NOT_BOUND']);
    // Agents who replied the wrong way are told how; strangers are not answered.
    expect(h.mailsTo('intrus@evil.example.com')).toHaveLength(0);
    expect(h.mailsTo(AGENT).length).toBeGreaterThanOrEqual(2);
  });

  it('agent replies that are not understood change nothing and are explained', async () => {
    const { ticket, approval } = await conformingRequest('etude@flou.example.fr', 'flou@flou.example.fr');
    const before = h.mailsTo(AGENT2).length;
    await deliver(agentReply({ from: AGENT2, body: 'VALIDER ou REFUSER ?', inReplyTo: approval.messageId }));
    await deliver(agentReply({ from: AGENT2, body: 'REFUSER', inReplyTo: approval.messageId }));
    await deliver(agentReply({ from: AGENT2, body: 'Je regarde demain', inReplyTo: approval.messageId }));
    expect((await reload(ticket.id)).status).toBe('awaiting_approval');
    expect(await rejections(ticket.id)).toEqual(['BOTH', 'REFUSAL_WITHOUT_REASON', 'NEITHER']);
    expect(h.mailsTo(AGENT2).length - before).toBe(3);
  });

  it('expired link: reissued once on the same request, then back to the agents; a valid link is not replaced', async () => {
    const { ticket, approval } = await conformingRequest('etude@lent.example.fr', 'lent@lent.example.fr');
    await deliver(agentReply({ from: AGENT, body: 'VALIDER', inReplyTo: approval.messageId }));
    const resolved = h.mailsTo('etude@lent.example.fr').at(-1)!;
    const first = (await linkIn(h.mailsTo('lent@lent.example.fr')[0]!))!;

    // Within the 8 hours: the answer says until when, and no new link.
    await deliver(buildRequestMail({ from: 'etude@lent.example.fr', subject: `RE: [${ticket.ref}] lien`, siret: null, liquidatorEmail: null, attachment: 'none', inReplyTo: resolved.messageId }));
    expect(h.mailsTo('lent@lent.example.fr')).toHaveLength(1);
    expect((await parseMail(h.mailsTo('etude@lent.example.fr').at(-1)!.raw)).text).toMatch(/valable|validité/i);

    // Nine hours later, unused: a new link.
    clock += 9 * 3_600_000;
    expect((await verifyResetLink(h.database.db, { token: first, siret: ticket.siret!, lastName: 'MOUTIN', firstName: 'Claire', now: new Date(clock) })).result).toBe('expired');
    await deliver(buildRequestMail({ from: 'etude@lent.example.fr', subject: `RE: [${ticket.ref}] lien expiré`, siret: null, liquidatorEmail: null, attachment: 'none', inReplyTo: resolved.messageId }));
    expect((await reload(ticket.id))).toMatchObject({ status: 'reissued', linkReissues: 1 });
    const second = (await linkIn(h.mailsTo('lent@lent.example.fr').at(-1)!))!;
    expect(h.mailsTo('lent@lent.example.fr')).toHaveLength(2);
    expect(second).not.toBe(first);
    expect((await verifyResetLink(h.database.db, { token: first, siret: ticket.siret!, lastName: 'MOUTIN', firstName: 'Claire', now: new Date(clock) })).result).toBe('expired');

    // Expired again: the limit (1) is reached, so the agents decide again.
    clock += 9 * 3_600_000;
    const approvalsBefore = h.mailsTo('agents@support.example.fr').length;
    await deliver(buildRequestMail({ from: 'etude@lent.example.fr', subject: `RE: [${ticket.ref}] encore expiré`, siret: null, liquidatorEmail: null, attachment: 'none', inReplyTo: resolved.messageId }));
    expect((await reload(ticket.id)).status).toBe('awaiting_approval');
    expect(h.mailsTo('lent@lent.example.fr')).toHaveLength(2);
    const again = h.mailsTo('agents@support.example.fr').slice(approvalsBefore);
    expect(again).toHaveLength(1);
    expect((await parseMail(again[0]!.raw)).text).toContain('renvoyé 1 fois');
  });

  it('a link locked by wrong triplets shows in the history, and the liquidator who answers the reset mail gets a fresh one', async () => {
    const { ticket, approval } = await conformingRequest('etude@verrou.example.fr', 'verrou@verrou.example.fr');
    await deliver(agentReply({ from: AGENT, body: 'VALIDER', inReplyTo: approval.messageId }));
    const resetMail = h.mailsTo('verrou@verrou.example.fr')[0]!;
    const first = (await linkIn(resetMail))!;
    const now = new Date(clock);
    let last;
    for (let i = 0; i < 5; i += 1) last = await verifyResetLink(h.database.db, { token: first, siret: ticket.siret!, lastName: 'DURAND', firstName: 'Marc', now });
    expect(last).toMatchObject({ result: 'mismatch', lockedOut: true });
    expect((await verifyResetLink(h.database.db, { token: first, siret: ticket.siret!, lastName: 'MOUTIN', firstName: 'Claire', now })).result).not.toBe('valid');
    const history = await eventsOfTicket(h.database.db, ticket.id);
    expect(history.filter((e) => e.kind === 'link_verified').at(-2)).toMatchObject({ detail: { result: 'mismatch', lockedOut: true } });

    // The liquidator answers the reset mail itself (bound by its Message-ID): a new link, to the same address.
    await deliver(buildRequestMail({
      from: 'verrou@verrou.example.fr', subject: `RE: ${resetMail.subject ?? ''}`, siret: null, liquidatorEmail: null, attachment: 'none', inReplyTo: resetMail.messageId,
    }));
    expect(await reload(ticket.id)).toMatchObject({ status: 'reissued', linkReissues: 1 });
    const second = (await linkIn(h.mailsTo('verrou@verrou.example.fr').at(-1)!))!;
    expect(second).not.toBe(first);
    expect((await verifyResetLink(h.database.db, { token: second, siret: ticket.siret!, lastName: 'MOUTIN', firstName: 'Claire', now })).result).toBe('valid');
  });
  // Issue 12, agents: the pre-filled REFUSER link sent unedited.
  it('REFUSER <motif> sent unedited (the old link) or the new link’s hint sent unedited: nothing is refused, the agent is told why, nothing reaches the requester', async () => {
    const { ticket, approval } = await conformingRequest('etude@motif.example.fr', 'motif@motif.example.fr');
    const approvalText = (await parseMail(approval.raw)).text;
    const before = h.mailsTo(AGENT).length;
    await deliver(agentReply({ from: `Paul Durand <${AGENT}>`, body: 'REFUSER <motif>', inReplyTo: approval.messageId }));
    // The link of today's approval request, sent as its mail client prefills it.
    await deliver(agentReply({ from: `Paul Durand <${AGENT}>`, body: mailtoBody(approvalText, /^Refuser/), subject: `RE: [${ticket.ref}] Validation requise` }));
    expect(await reload(ticket.id)).toMatchObject({ status: 'awaiting_approval', refusalReason: null });
    expect(await rejections(ticket.id)).toEqual(['REASON_PLACEHOLDER', 'REASON_PLACEHOLDER']);
    expect(h.mailsTo('etude@motif.example.fr').map((m) => m.subject ?? '').join('\n')).not.toMatch(/refusée/);
    const answers = h.mailsTo(AGENT).slice(before);
    expect(answers).toHaveLength(2);
    const answer = (await parseMail(answers[0]!.raw)).text;
    expect(answer).toContain('  | REFUSER <motif>');
    expect(answer).toContain('le motif est resté celui du modèle');
    expect(answer).toContain('REFUSER : Le jugement joint concerne une autre entreprise.');
    // The same links as the approval request, made again from the secret (the token itself is not stored).
    expect(mailtoOf(answer, /^Valider/)).toBe(mailtoOf(approvalText, /^Valider/));
    expect(mailtoOf(answer, /^Refuser/)).toBe(mailtoOf(approvalText, /^Refuser/));

    // Replying to that answer is replying to the approval request.
    const reply = await parseMail(answers[0]!.raw);
    await deliver(agentReply({ from: AGENT, body: 'REFUSER : le jugement joint concerne une autre société', inReplyTo: answers[0]!.messageId, references: reply.references }));
    expect(await reload(ticket.id)).toMatchObject({ status: 'refused', refusalReason: 'le jugement joint concerne une autre société' });
  });

  it('Bonjour, then VALIDER on the next line approves', async () => {
    const { ticket, approval } = await conformingRequest('etude@bonjour.example.fr', 'bonjour@bonjour.example.fr');
    await deliver(agentReply({ from: AGENT, body: 'Bonjour,\r\nVALIDER\r\n\r\nCordialement,\r\nPaul', inReplyTo: approval.messageId, quoted: (await parseMail(approval.raw)).text }));
    expect(await reload(ticket.id)).toMatchObject({ status: 'resolved', decision: 'approved', decidedBy: AGENT });
    expect(h.mailsTo('bonjour@bonjour.example.fr')).toHaveLength(1);
  });

  it('"Je ne peux pas valider" and "Validé" change nothing, and the answer says what was read and why', async () => {
    const { ticket, approval } = await conformingRequest('etude@nuance.example.fr', 'nuance@nuance.example.fr');
    const before = h.mailsTo(AGENT2).length;
    await deliver(agentReply({ from: AGENT2, body: 'Bonjour,\r\nJe ne peux pas valider, le jugement est illisible.', inReplyTo: approval.messageId }));
    await deliver(agentReply({ from: AGENT2, body: 'Validé', inReplyTo: approval.messageId }));
    expect((await reload(ticket.id)).status).toBe('awaiting_approval');
    expect(await rejections(ticket.id)).toEqual(['NEGATED', 'INEXACT_WORD']);
    const [negated, inexact] = await Promise.all(h.mailsTo(AGENT2).slice(before).map(async (m) => (await parseMail(m.raw)).text));
    expect(negated).toContain('  | Je ne peux pas valider, le jugement est illisible.');
    expect(negated).toContain('une négation');
    expect(inexact).toContain('  | Validé');
    expect(inexact).toContain('seuls les mots exacts VALIDER et REFUSER');
  });

  it('a refusal is confirmed to the shared inbox on the approval request’s thread, and a late reply is told who refused, by name', async () => {
    const { ticket, approval } = await conformingRequest('etude@confirme.example.fr', 'confirme@confirme.example.fr');
    await deliver(agentReply({ from: `Sophie Martin <${AGENT2}>`, body: 'REFUSER : le jugement joint concerne une autre société', inReplyTo: approval.messageId }));
    const confirmation = await h.sink.waitFor((m) => m.envelope.to[0] === 'agents@support.example.fr'
      && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket.ref && m.messageId !== approval.messageId);
    expect(confirmation.headers['in-reply-to']?.[0]?.trim()).toBe(approval.messageId);
    const text = (await parseMail(confirmation.raw)).text;
    expect(text).toContain(`refusée par Sophie Martin <${AGENT2}>`);
    expect(text).toContain('le jugement joint concerne une autre société');

    const before = h.mailsTo(AGENT).length;
    await deliver(agentReply({ from: AGENT, body: 'VALIDER', inReplyTo: approval.messageId }));
    const late = (await parseMail(h.mailsTo(AGENT).slice(before)[0]!.raw)).text;
    expect(late).toContain(`déjà été traitée par Sophie Martin <${AGENT2}>`);
    expect(late).toContain('(refusée)');
  });

  it('the approval request names the account’s administrator and warns when no account is on file or the document could not be checked', async () => {
    const { approval } = await conformingRequest('etude@annuaire.example.fr', 'annuaire@annuaire.example.fr');
    const text = (await parseMail(approval.raw)).text;
    expect(text).toContain('Administrateur du compte (annuaire des comptes) : MOUTIN Claire');
    expect(text).toMatch(/fiche publique : https:\/\/annuaire-entreprises\.data\.gouv\.fr\/entreprise\/\d{9}/);

    // A SIRET the accounts directory does not have, with a PDF whose text says nothing.
    const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: 'etude@inconnu.example.fr', liquidatorEmail: 'inconnu@inconnu.example.fr', siret: '41234568810101', messageId }));
    const [unknown] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    const other = await h.sink.waitFor((m) => m.envelope.to[0] === 'agents@support.example.fr' && m.headers['x-liquibot-ticket']?.[0]?.trim() === unknown!.ref);
    const otherText = (await parseMail(other.raw)).text;
    expect(otherText).toContain('Administrateur du compte (annuaire des comptes) : aucun compte pour ce SIRET');
    expect(otherText).toContain('Aucun compte n’est inscrit pour ce SIRET dans l’annuaire des comptes');
    expect(otherText).toMatch(/Le SIREN de l’entreprise n’a pas été trouvé|Le document PDF joint n’a pas pu être vérifié/);
  });
});
