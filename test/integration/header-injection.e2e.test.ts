import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tickets } from '../../src/db/schema';
import { buildRequestMail } from '../support/sample-mails';
import { parseMail } from '../../src/mail/parse-mail';
import type { SinkMessage } from '../support/sandbox/smtp-sink';
import { startedHarnessForSuite } from './support/liquibot-harness';

const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
const headerNames = (m: SinkMessage) => Object.keys(m.headers);

/**
 * Hostile data through every field that reaches an outgoing mail: the requester's display name and
 * subject (RFC 2047 hides CR/LF in them), the liquidator's address, and an agent's refusal reason.
 */
describe('header injection through the pipeline', () => {
  const h = startedHarnessForSuite();

  it('keeps every outgoing mail to its one intended recipient, with no injected header', async () => {
    const evilName = 'Maître X\r\nBcc: victim@evil.example.com\r\nX-Evil: 1';
    const evilSubject = 'LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE\r\nBcc: victim@evil.example.com';
    const raw = buildRequestMail({ from: 'inj@etude.example.fr', liquidatorEmail: 'liq@etude.example.fr\r\nBcc: victim@evil.example.com' })
      .replace(/^From: .*$/m, `From: ${b64(evilName)} <inj@etude.example.fr>`)
      .replace(/^Subject: .*$/m, `Subject: ${b64(evilSubject)}`);
    const n = h.processed.length;
    await h.mailbox.append(raw);
    await h.waitForProcessed(n + 1);
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'inj@etude.example.fr'));
    expect(ticket).toBeDefined();

    // A second, conforming request from the same hostile name, refused with a hostile reason.
    const ok = buildRequestMail({ from: 'inj2@etude.example.fr', siret: '44306184100047' })
      .replace(/^From: .*$/m, `From: ${b64(evilName)} <inj2@etude.example.fr>`);
    await h.mailbox.append(ok);
    await h.waitForProcessed(n + 2);
    const [second] = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'inj2@etude.example.fr'));
    const approval = await h.sink.waitFor((m) => m.envelope.to[0] === 'agents@support.example.fr' && m.headers['x-liquibot-ticket']?.[0]?.trim() === second!.ref);
    await h.mailbox.append([
      'From: paul@support.example.fr', 'To: liquibot@support.example.fr', 'Subject: RE: validation',
      `Message-ID: <${randomUUID()}@support.example.fr>`, `In-Reply-To: ${approval.messageId}`, 'Content-Type: text/plain; charset=UTF-8', '',
      'REFUSER motif\r\nBcc: victim@evil.example.com', '',
    ].join('\r\n'));
    await h.waitForProcessed(n + 3);
    await h.daemon!.outbox.drain();
    const [refused] = await h.database.db.select().from(tickets).where(eq(tickets.requesterEmail, 'inj2@etude.example.fr'));
    expect(refused!.status).toBe('refused');
    // The reason reaches the requester as text, never as a header.
    const refusal = h.mailsTo('inj2@etude.example.fr').at(-1)!;
    expect((await parseMail(refusal.raw)).text).toContain('Bcc: victim@evil.example.com');

    expect(h.sink.messages.length).toBeGreaterThanOrEqual(4);
    for (const m of h.sink.messages) {
      expect(m.envelope.to).toHaveLength(1);
      expect(m.envelope.to[0]).not.toContain('evil');
      expect(headerNames(m)).not.toContain('bcc');
      expect(headerNames(m)).not.toContain('x-evil');
      const subject = (await parseMail(m.raw)).subject;
      expect(subject).not.toMatch(/[\r\n]/);
    }
  });
});
