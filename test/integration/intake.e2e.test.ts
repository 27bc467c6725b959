import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { inboundMessages, outbox, tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { parseMail } from '../../src/mail/parse-mail';
import { DONE_KEYWORD } from '../../src/mail/mailbox-watcher';
import { buildAutoReply, buildRequestMail, buildUnrelatedMail } from '../support/sample-mails';
import type { SinkMessage } from '../support/sandbox/smtp-sink';
import { withImapSession } from '../support/sandbox/imap-seed';
import { createHarness, type DbKind, type Harness } from './support/liquibot-harness';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/eml', name));
const decoded = async (m: SinkMessage) => parseMail(m.raw);
const header = (m: SinkMessage, name: string) => m.headers[name.toLowerCase()]?.[0]?.trim();

describe.each<DbKind>(['postgres', 'pglite'])('intake end to end on %s', (db) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const good = '<good-1@custhelp.example.net>';
  const bad = '<bad-1@custhelp.example.net>';

  it('answers a mixed batch: acknowledgment, notice, and silence for the rest', async () => {
    await h.mailbox.append(buildRequestMail({ from: 'etude.martin@mandataires.example.fr', messageId: good, siret: '732 829 320 00074' }));
    await h.mailbox.append(buildRequestMail({ from: 'etude.durand@mandataires.example.fr', messageId: bad, siret: '12345678912345', attachment: 'none' }));
    await h.mailbox.append(buildAutoReply('absent@mandataires.example.fr'));
    await h.mailbox.append(fixture('bounce-mailer-daemon-delivery-status.eml'));
    await h.mailbox.append(fixture('bulk-newsletter-list-id-precedence.eml'));
    await h.mailbox.append(buildUnrelatedMail('compta@entreprise.example.fr'));
    await h.start();
    await h.waitForProcessed(6);

    expect(h.mailsTo('etude.martin@mandataires.example.fr')).toHaveLength(1);
    expect(h.mailsTo('etude.durand@mandataires.example.fr')).toHaveLength(1);
    // The conforming request goes to the agents; nothing else is answered.
    expect(h.mailsTo('agents@support.example.fr')).toHaveLength(1);
    expect(h.sink.messages).toHaveLength(3);

    const notice = h.sink.messages.find((m) => m.envelope.to[0] === 'etude.durand@mandataires.example.fr')!;
    expect(header(notice, 'in-reply-to')).toBe(bad);
    expect(header(notice, 'references')).toContain(bad);
    expect(header(notice, 'auto-submitted')).toBe('auto-replied');
    const n = await decoded(notice);
    expect(n.subject).toMatch(/^\[LJ-\d{6}-\d{4,}\] Demande non conforme/);
    expect(n.text).toContain('12345678912345');
    expect(n.text).toMatch(/SIRET/);
    expect(n.text).toMatch(/minutes du greffe/);

    const ack = h.sink.messages.find((m) => m.envelope.to[0] === 'etude.martin@mandataires.example.fr')!;
    expect(header(ack, 'in-reply-to')).toBe(good);
    expect(header(ack, 'auto-submitted')).toBe('auto-replied');
    expect((await decoded(ack)).subject).toMatch(/^\[LJ-\d{6}-\d{4,}\] Demande reçue/);

    // Different senders are processed side by side: compare in requester order.
    const rows = await h.database.db.select().from(tickets).orderBy(tickets.requesterEmail);
    expect(rows.map((t) => [t.requesterEmail, t.status, t.siret])).toEqual([
      ['etude.durand@mandataires.example.fr', 'non_conforming', null],
      ['etude.martin@mandataires.example.fr', 'awaiting_approval', '73282932000074'],
    ]);
    const outcomes = (await h.database.db.select().from(inboundMessages).orderBy(inboundMessages.id)).map((r) => r.outcome);
    expect(outcomes.sort()).toEqual(['ignored:auto-reply', 'ignored:bounce', 'ignored:bulk', 'new-request', 'new-request', 'unrelated']);

    const listed = await h.mailbox.list();
    expect(listed).toHaveLength(6);
    for (const m of listed) expect(m.flags).toContain(DONE_KEYWORD);
    // Mail left for humans is not marked read.
    expect(listed.every((m) => !m.flags.includes('\\Seen'))).toBe(true);
  });

  it('joins the requester’s fix to the ticket by In-Reply-To and acknowledges it', async () => {
    const notice = h.sink.messages.find((m) => m.envelope.to[0] === 'etude.durand@mandataires.example.fr')!;
    const before = h.sink.messages.length;
    await h.mailbox.append(buildRequestMail({
      from: 'etude.durand@mandataires.example.fr', subject: `RE: ${(await decoded(notice)).subject}`, siret: '44306184100047',
      liquidatorEmail: null, inReplyTo: notice.messageId, references: [bad, notice.messageId!],
    }));
    await h.waitForProcessed(7);
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'etude.durand@mandataires.example.fr'));
    expect(ticket!.status).toBe('awaiting_approval');
    expect(ticket!.siret).toBe('44306184100047');
    expect(h.sink.messages).toHaveLength(before + 2);
    const ack = h.mailsTo('etude.durand@mandataires.example.fr').at(-1)!;
    expect((await decoded(ack)).subject).toContain(`[${ticket!.ref}] Demande reçue`);
    expect(h.mailsTo('agents@support.example.fr').at(-1)!.headers['x-liquibot-ticket']?.[0]?.trim()).toBe(ticket!.ref);
    const kinds = (await eventsOfTicket(h.database.db, ticket!.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['request_received', 'follow_up_received', 'status_changed', 'mail_queued']));
  });

  it('keeps a mail that only carries the reference in its subject, changing nothing (a reference is easy to copy)', async () => {
    await h.mailbox.append(buildRequestMail({ from: 'scp.leroy@mandataires.example.fr', attachment: 'docx' }));
    await h.waitForProcessed(8);
    const [t] = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'scp.leroy@mandataires.example.fr'));
    expect(t!.status).toBe('non_conforming');
    await h.mailbox.append(buildRequestMail({
      from: 'scp.leroy@mandataires.example.fr', subject: `TR: [${t!.ref}] complément`, siret: null, liquidatorEmail: null,
    }));
    await h.waitForProcessed(9);
    const [after] = await h.database.db.select().from(tickets).where(eq(tickets.id, t!.id));
    expect(after!.status).toBe('non_conforming');
    expect(after!.check).toEqual(t!.check);
    expect(h.processed.at(-1)!.outcome).toBe('unbound-message');
    const kept = (await eventsOfTicket(h.database.db, t!.id)).find((e) => e.kind === 'requester_message')!;
    expect(kept).toMatchObject({ detail: { bound: false } });
    expect(await h.database.db.select().from(tickets)).toHaveLength(3);
  });

  it('does not let a stranger continue someone else’s ticket with its reference', async () => {
    const [t] = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'scp.leroy@mandataires.example.fr'));
    const sent = h.sink.messages.length;
    await h.mailbox.append(buildUnrelatedMail('intrus@ailleurs.example.com').replace('Subject: Question sur ma DSN de novembre', `Subject: RE: [${t!.ref}] VALIDER`));
    await h.waitForProcessed(10);
    expect(h.processed.at(-1)!.outcome).toBe('unrelated');
    expect(h.sink.messages).toHaveLength(sent);
  });

  it('answers nothing twice after a restart, nor after a UIDVALIDITY reset', async () => {
    const sent = h.sink.messages.length;
    const uidValidity = (await h.mailbox.state()).uidValidity;
    await h.stopDaemon();
    h.mailbox.resetUidValidity();
    expect((await h.mailbox.state()).uidValidity).not.toBe(uidValidity);
    // Clear our flags too, as a server that lost its keywords would: every old message looks new.
    await withImapSession(h.mailbox, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageFlagsRemove('1:*', [DONE_KEYWORD]);
    });
    h.processed.length = 0;
    await h.start();
    // Every old message is fetched again under its new UID, and recognised by its content.
    await h.waitForProcessed(10);
    expect(h.sink.messages).toHaveLength(sent);
    expect(await h.database.db.select().from(outbox)).toHaveLength(sent);
    expect(await h.database.db.select().from(inboundMessages)).toHaveLength(10);
  });

  it('keeps addresses, subjects and credentials out of info-level logs', () => {
    const text = h.logs.text();
    expect(h.logs.lines.length).toBeGreaterThan(10);
    for (const secret of ['mandataires.example.fr', 'LIQUIDATEUR', h.mailbox.password, '73282932000074']) {
      expect(text).not.toContain(secret);
    }
  });
});
