import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outbox, tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail } from '../support/sample-mails';
import { startedHarnessForSuite } from './support/liquibot-harness';

// Issue 12: a requester received "Demande reçue", then "Demande non conforme" for earlier mails, because
// the outbox sent them out of order. Mails of one ticket to one address go out in the order they were
// decided, and a notice made stale before it was sent is not sent (the history says so).
const REQUESTER = 'etude.lenoir@mandataires.example.fr';

describe('the order of a ticket’s mails', () => {
  const h = startedHarnessForSuite({ env: { OUTBOX_RETRY_BASE_MS: '500' } });

  const deliver = (raw: string) => h.deliver(raw);

  it('a notice still waiting when the request is fixed is superseded, and the acknowledgment goes out alone', async () => {
    const root = `<req-${randomUUID()}@custhelp.example.net>`;
    await deliver(buildRequestMail({ from: REQUESTER, messageId: root, attachment: 'none' }));
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, root));
    const notice = await h.sink.waitFor((m) => m.envelope.to[0] === REQUESTER);

    // The requester's server now defers everything: the next notice stays in the outbox.
    h.sink.setFailPlan({ code: 451, recipient: REQUESTER });
    await deliver(buildRequestMail({
      from: REQUESTER, subject: `RE: ${notice.subject ?? ''}`, siret: null, liquidatorEmail: null, attachment: 'docx', inReplyTo: notice.messageId,
    }));
    const pendingNotice = async () => h.database.db.select().from(outbox)
      .where(and(eq(outbox.ticketId, ticket!.id), eq(outbox.kind, 'non-conformity'), eq(outbox.toAddress, REQUESTER)));
    expect((await pendingNotice()).map((r) => r.status).sort()).toEqual(['pending', 'sent']);

    // The fix arrives before that notice could be delivered.
    await deliver(buildRequestMail({
      from: REQUESTER, subject: `RE: ${notice.subject ?? ''}`, siret: null, liquidatorEmail: null, inReplyTo: notice.messageId,
    }));
    expect((await pendingNotice()).map((r) => r.status).sort()).toEqual(['sent', 'superseded']);
    expect((await eventsOfTicket(h.database.db, ticket!.id)).some((e) => e.kind === 'notice_superseded')).toBe(true);

    h.sink.setFailPlan(undefined);
    const ack = await h.sink.waitFor((m) => m.envelope.to[0] === REQUESTER && (m.subject ?? '').length > 0 && m.messageId !== notice.messageId, 20_000);
    expect((await parseMail(ack.raw)).text).toMatch(/reçue|conforme/i);
    await new Promise((r) => setTimeout(r, 1500));
    const toRequester = h.mailsTo(REQUESTER);
    expect(toRequester).toHaveLength(2);
    expect(toRequester[0]!.messageId).toBe(notice.messageId);
  });
});
