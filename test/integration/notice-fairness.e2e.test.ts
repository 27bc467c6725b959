import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { buildRequestMail, sampleSiret } from '../support/sample-mails';
import { startedHarnessForSuite } from './support/liquibot-harness';

// Issue 12: notices stopped silently after 5 per sender per hour, so a firm sending one request per
// company, as the procedure asks, got nothing from its 6th non-conforming request on. Limit loops, not
// work: every new request gets its first answer; only a thread that keeps bouncing is cut.
const FIRM = 'secretariat@mj-associes.example.fr';

describe('notices: limit loops, not work', () => {
  const h = startedHarnessForSuite({ env: { NOTICE_RATE_LIMIT: '3' } });

  it('a firm’s seven non-conforming requests each get their notice', async () => {
    const n = h.processed.length;
    for (let i = 0; i < 7; i += 1) {
      await h.mailbox.append(buildRequestMail({ from: FIRM, siret: sampleSiret(100 + i), attachment: 'none', messageId: `<firm-${i}-${randomUUID()}@x>` }));
    }
    await h.waitForProcessed(n + 7);
    await h.sink.waitFor(() => h.mailsTo(FIRM).length >= 7, 20_000);
    expect(h.mailsTo(FIRM)).toHaveLength(7);
  });

  it('a thread that keeps answering the notices is cut after NOTICE_RATE_LIMIT answers, and the history says so', async () => {
    const root = `<loop-${randomUUID()}@x>`;
    const sender = 'robot@mal-configure.example.fr';
    await h.mailbox.append(buildRequestMail({ from: sender, attachment: 'none', messageId: root }));
    let last = await h.sink.waitFor((m) => m.envelope.to[0] === sender);
    for (let i = 0; i < 4; i += 1) {
      // An autoresponder without Auto-Submitted, answering each notice with the same incomplete text.
      const n = h.processed.length;
      await h.mailbox.append(buildRequestMail({ from: sender, subject: `RE: ${last.subject ?? ''}`, siret: null, liquidatorEmail: null, attachment: 'none', inReplyTo: last.messageId }));
      await h.waitForProcessed(n + 1);
      await new Promise((r) => setTimeout(r, 300));
      last = h.mailsTo(sender).at(-1)!;
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.mailsTo(sender)).toHaveLength(3);
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, root));
    expect((await eventsOfTicket(h.database.db, ticket!.id)).filter((e) => e.kind === 'notice_suppressed')).toHaveLength(2);
  });
});
