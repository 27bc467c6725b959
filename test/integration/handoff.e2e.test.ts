import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ticketsCommand } from '../../src/cli/tickets-command';
import { loadConfig } from '../../src/config';
import { tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail } from '../support/sample-mails';
import libmime from 'libmime';
import type { SinkMessage } from '../support/sandbox/smtp-sink';
import { startedHarnessForSuite } from './support/liquibot-harness';

const subjectOf = (m: SinkMessage): string => libmime.decodeWords(m.subject ?? '');

// Issue 12: a message liquibot does not act on (a question while the agents decide, a message that
// does not answer liquibot's mails) is handed to the agents with the request's context, the request
// is marked as needing a person, and the sender is told that a person will answer.
const REQUESTER = 'etude.perrin@mandataires.example.fr';
const AGENTS = 'agents@support.example.fr';

describe('hand-off to a person', () => {
  const h = startedHarnessForSuite();

  const deliver = (raw: string) => h.deliver(raw);
  const cli = () => {
    const out: string[] = [];
    const config = loadConfig({ DATABASE_URL: h.config.DATABASE_URL, DATA_DIR: h.config.DATA_DIR, MAIL_FROM: h.config.MAIL_FROM, AGENTS_ADDRESS: h.config.AGENTS_ADDRESS });
    return { out, run: (args: string[]) => ticketsCommand(args, { out: (l: string) => out.push(l), err: (l: string) => out.push(l) }, config) };
  };

  it('a question while the agents decide reaches them, the requester is told, and the request waits for a person until marked handled', async () => {
    const root = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: REQUESTER, messageId: root, siret: '44306184100047', liquidatorEmail: 'perrin@mandataires.example.fr' }));
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, root));
    const ack = await h.sink.waitFor((m) => m.envelope.to[0] === REQUESTER);

    await deliver(buildRequestMail({
      from: REQUESTER, subject: `RE: ${ack.subject ?? ''}`, siret: null, liquidatorEmail: null, attachment: 'none', inReplyTo: ack.messageId,
      preamble: 'Bonjour, sous quel délai le lien sera-t-il envoyé ? Le mandataire est pressé.',
    }));
    const handoff = await h.sink.waitFor((m) => m.envelope.to[0] === AGENTS && /Message à traiter/.test(subjectOf(m)));
    const text = (await parseMail(handoff.raw)).text;
    expect(text).toContain(ticket!.ref);
    expect(text).toContain('sous quel délai le lien sera-t-il envoyé');
    expect(text).toContain('la demande attend votre décision');
    expect(text).toContain('État : en attente de validation');
    expect(handoff.headers['reply-to']?.[0]).toContain(REQUESTER);
    const told = await h.sink.waitFor((m) => m.envelope.to[0] === REQUESTER && /transmis à un agent/.test(subjectOf(m)));
    expect(told.headers['auto-submitted']?.[0]?.trim()).toBe('auto-replied');

    const [waiting] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(waiting).toMatchObject({ status: 'awaiting_approval' });
    expect(waiting!.needsPersonSince).toBeInstanceOf(Date);
    const list = cli();
    expect(await list.run(['waiting'])).toBe(0);
    expect(list.out.join('\n')).toContain(ticket!.ref);

    const mark = cli();
    expect(await mark.run(['handled', ticket!.ref, '--as', 'alice'])).toBe(0);
    const [after] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(after!.needsPersonSince).toBeNull();
    expect((await eventsOfTicket(h.database.db, ticket!.id)).map((e) => e.kind)).toEqual(expect.arrayContaining(['handed_to_agents', 'person_handled']));
    const again = cli();
    expect(await again.run(['handled', ticket!.ref])).toBe(1);
  });

  it('a message that only names the reference is handed over too, saying that it changes nothing', async () => {
    const root = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: 'scp.garcia@mandataires.example.fr', messageId: root, siret: '54205118000066', attachment: 'none' }));
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, root));
    await deliver(buildRequestMail({
      from: 'scp.garcia@mandataires.example.fr', subject: `[${ticket!.ref}] voici le jugement`, siret: null, liquidatorEmail: 'autre@ailleurs.example.com',
    }));
    const handoff = await h.sink.waitFor((m) => m.envelope.to[0] === AGENTS && subjectOf(m).includes(ticket!.ref) && /Message à traiter/.test(subjectOf(m)));
    const text = (await parseMail(handoff.raw)).text;
    expect(text).toContain('ne répond pas à un courriel envoyé par liquibot');
    expect(text).toContain('(Ce message ne répond pas à un courriel de liquibot.)');
    const [after] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(after).toMatchObject({ status: 'non_conforming', liquidatorEmail: ticket!.liquidatorEmail });
  });
});
