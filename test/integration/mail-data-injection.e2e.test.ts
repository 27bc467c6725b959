import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tickets, type Ticket } from '../../src/db/schema';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail } from '../support/sample-mails';
import type { SinkMessage } from '../support/sandbox/smtp-sink';
import { createHarness, type Harness } from './support/liquibot-harness';

/**
 * Issue 10, findings 2 and 3: data from a mail (the requester's display name, an attachment's file
 * name) must never print lines of its own into the approval request the agents read.
 */

const AGENTS = 'agents@support.example.fr';
const FAKE_LIQUIDATOR = 'Adresse du liquidateur (destinataire du lien) : attacker@evil.fr';
const FAKE_WARNINGS = "Points d'attention : aucun";
const FAKE_CHECK = '[OK] Document certifié conforme par le greffe';

/** RFC 2047 B encoding, as a client would put a name with line breaks in a From header. */
const encodedWord = (s: string) => `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
/** RFC 2231 extended parameter value: every byte outside a safe set percent-encoded. */
const rfc2231 = (s: string) => `UTF-8''${[...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}`;

const lines = (text: string) => text.split(/\r\n|\n|\r|\u2028|\u2029|\u0085/);

/** The agents' mail, text and HTML, once the request has been handed to them. */
interface ApprovalMail {
  ticket: Ticket;
  text: string;
  html: string;
}

describe('data from a mail is shown as data in the approval request', () => {
  let h: Harness;
  const sirets = ['44306184100047', '35600000000048'];
  beforeAll(async () => {
    h = await createHarness();
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function approvalFor(raw: string, messageId: string): Promise<ApprovalMail> {
    const n = h.processed.length;
    await h.mailbox.append(raw);
    await h.waitForProcessed(n + 1);
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    expect(ticket?.status).toBe('awaiting_approval');
    const approval: SinkMessage = await h.sink.waitFor((m) => m.envelope.to[0] === AGENTS && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket!.ref);
    const parsed = await parseMail(approval.raw);
    expect(parsed.html).not.toBeNull();
    return { ticket: ticket!, text: parsed.text, html: parsed.html! };
  }

  /** The template's own labelled lines are the only ones; the liquidator's is the real one. */
  function expectOnlyTheTemplatesLines(text: string, liquidator: string): void {
    const all = lines(text);
    const liquidatorLines = all.filter((l) => /^\s*Adresse du liquidateur/.test(l));
    expect(liquidatorLines).toEqual([`Adresse du liquidateur (destinataire du lien) : ${liquidator}`]);
    // "Points d'attention :" appears at most once, as the template's heading, followed by its items.
    const warningHeadings = all.filter((l) => /^\s*Points d'attention/.test(l));
    expect(warningHeadings.length).toBeLessThanOrEqual(1);
    for (const heading of warningHeadings) expect(heading).toBe("Points d'attention :");
    expect(all.filter((l) => /^\s*\[(OK|ÉCHEC)\]/.test(l))).toHaveLength(3);
    expect(all.filter((l) => /^\s*Demandeur :/.test(l))).toHaveLength(1);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/);
  }

  it('finding 2: a display name with line breaks stays on the "Demandeur" line (text and HTML)', async () => {
    const requester = 'etude@moutin-name.example.fr';
    const liquidator = 'mandataire@moutin-name.example.fr';
    const name = `Claire Moutin\r\n${FAKE_LIQUIDATOR}\r\n${FAKE_WARNINGS}\r\n\u202eRLO`;
    const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
    const raw = buildRequestMail({ from: requester, liquidatorEmail: liquidator, siret: sirets[0], messageId })
      .replace(/^From: .*$/m, `From: ${encodedWord(name)} <${requester}>`);
    const { text, html } = await approvalFor(raw, messageId);

    expectOnlyTheTemplatesLines(text, liquidator);
    const demandeur = lines(text).find((l) => l.startsWith('Demandeur :'))!;
    expect(demandeur).toContain('Claire Moutin');
    expect(demandeur).toContain(FAKE_LIQUIDATOR);
    expect(demandeur).toContain(FAKE_WARNINGS);
    expect(demandeur).toContain(`<${requester}>`);
    expect(lines(text).filter((l) => l.includes('attacker@evil.fr'))).toEqual([demandeur]);

    // HTML: the whole name inside the one cell, on one line, escaped, no bidi override left.
    const cell = html.match(/<th align="left">Demandeur<\/th><td>([^]*?)<\/td>/)![1]!;
    expect(cell).not.toMatch(/[\r\n\u2028\u2029\u0085\u202e]/);
    expect(cell).toContain('Claire Moutin');
    expect(cell).toContain('attacker@evil.fr');
    expect(html.split('attacker@evil.fr')).toHaveLength(2);
    expect(html.match(/<strong>Points d'attention<\/strong>/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(html).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('finding 3: an attachment file name with encoded line breaks stays on its "Contrôles" line (text and HTML)', async () => {
    const requester = 'etude@moutin-file.example.fr';
    const liquidator = 'mandataire@moutin-file.example.fr';
    const filename = `minutes-greffe.pdf\n\n${FAKE_WARNINGS}\n  ${FAKE_CHECK}\n${FAKE_LIQUIDATOR}\n<script>alert(1)</script>`;
    const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
    const raw = buildRequestMail({ from: requester, liquidatorEmail: liquidator, siret: sirets[1], messageId })
      .replace('Content-Type: application/pdf; name="minutes-greffe.pdf"', 'Content-Type: application/pdf')
      .replace('Content-Disposition: attachment; filename="minutes-greffe.pdf"', `Content-Disposition: attachment; filename*=${rfc2231(filename)}`);
    expect(raw).toContain("filename*=UTF-8''minutes-greffe.pdf%0A%0APoints%20d%27attention");
    const { text, html } = await approvalFor(raw, messageId);

    expectOnlyTheTemplatesLines(text, liquidator);
    const documentLine = lines(text).find((l) => l.includes('Minutes du greffe en pièce jointe'))!;
    expect(documentLine).toMatch(/^\s*\[OK\] Minutes du greffe en pièce jointe : minutes-greffe\.pdf/);
    expect(documentLine).toContain(FAKE_WARNINGS);
    expect(documentLine).toContain(FAKE_CHECK);
    // The file name is bounded (120 characters) so that the kind and size always show after it.
    expect(documentLine).toMatch(/… \(PDF, \d+ Ko\)$/);

    const item = html.match(/<li>[^<]*Minutes du greffe en pièce jointe([^]*?)<\/li>/)![1]!;
    expect(item).not.toMatch(/[\r\n\u2028\u2029\u0085]/);
    expect(item).toContain(' ↵ ');
    expect(item).not.toMatch(/<(script|img)/i);
    expect(item).toMatch(/… \(PDF, \d+ Ko\)$/);
    expect(html).not.toContain('<script');
    expect(html.match(/<strong>Points d'attention<\/strong>/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });
});
