import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tickets } from '../../src/db/schema';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail } from '../support/sample-mails';
import { cidFontPdf, otherCompanyPdf, photoJpeg } from '../support/documents/corpus';
import { startedHarnessForSuite } from './support/liquibot-harness';
import { decideCommand } from '../../src/cli/decide-command';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';

// Issue 11, end to end: the agents see what the court document says. The SIRET of the requests is the
// corpus's company (SIREN 732 829 320); the acknowledgment never waits for the reading.
const SIRET = '73282932000074';
const AGENTS = 'agents@support.example.fr';

describe('court documents read before the agents decide', () => {
  const h = startedHarnessForSuite({ env: { DOCUMENT_READING: 'true', DOCUMENT_APPROVAL_WAIT_MS: '60000' } });

  let first: string | undefined;
  async function request(from: string, attachment: { filename: string; content: Buffer; contentType: string }, siret = SIRET) {
    const messageId = `<doc-${randomUUID()}@custhelp.example.net>`;
    const n = h.processed.length;
    await h.mailbox.append(buildRequestMail({ from, siret, liquidatorEmail: `liq.${from}`, messageId, attachment }));
    await h.waitForProcessed(n + 1);
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    const approval = await h.sink.waitFor((m) => m.envelope.to[0] === AGENTS && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket!.ref, 60_000);
    return { ticket: ticket!, text: (await parseMail(approval.raw)).text };
  }

  it('a PDF with an embedded TrueType font (what Word and court software make): no false warning, and what it says', async () => {
    const { text, ticket } = await request('etude.cid@mandataires.example.fr', { filename: 'minutes.pdf', content: await cidFontPdf(), contentType: 'application/pdf' });
    first = ticket.ref;
    expect(text).toContain('Lu dans le document :');
    expect(text).toMatch(/minutes\.pdf \(texte, \d+\/\d+ page\(s\)\) : Tribunal de commerce de Nanterre \(p\. 1\)/i);
    expect(text).toContain('SIREN 732 829 320 trouvé');
    expect(text).not.toMatch(/SIREN de l’entreprise n’a pas été trouvé/);
    expect(text).not.toMatch(/n’a pas pu être lu/);
  }, 90_000);

  it('a document naming another company: the agents are warned, with the SIREN it names', async () => {
    // Another SIRET than the first request's: one approval request per company at a time.
    const { text } = await request('etude.autre@mandataires.example.fr', { filename: 'jugement.pdf', content: await otherCompanyPdf(), contentType: 'application/pdf' }, '44306184100047');
    expect(text).toMatch(/mentionne un autre SIREN \(552 100 554\) et pas celui de l’entreprise \(443 061 841\)/);
  }, 90_000);

  it('a photo of the judgment is read by OCR, and the acknowledgment did not wait for it', async () => {
    // The first request of this company is decided first (one approval request per company at a time).
    const config = loadConfig({ DATABASE_URL: h.config.DATABASE_URL, DATA_DIR: h.config.DATA_DIR, RESET_LINK_SECRET: h.config.RESET_LINK_SECRET, MAIL_FROM: h.config.MAIL_FROM, AGENTS_ADDRESS: h.config.AGENTS_ADDRESS, ALLOW_UNSIGNED_AGENT_REPLIES: 'true', DOCUMENT_READING: 'false' });
    const out: string[] = [];
    expect(await decideCommand('refuse', [first!, '--reason', 'Jugement déjà traité par ailleurs', '--as', 'test'], { out: (l) => out.push(l), err: (l) => out.push(l) }, config, silentLogger)).toBe(0);
    const from = 'etude.photo@mandataires.example.fr';
    const messageId = `<doc-${randomUUID()}@custhelp.example.net>`;
    const n = h.processed.length;
    await h.mailbox.append(buildRequestMail({ from, siret: SIRET, liquidatorEmail: `liq.${from}`, messageId, attachment: { filename: 'photo.jpg', content: photoJpeg(), contentType: 'image/jpeg' } }));
    await h.waitForProcessed(n + 1);
    const ack = await h.sink.waitFor((m) => m.envelope.to[0] === from, 20_000);
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    const approval = await h.sink.waitFor((m) => m.envelope.to[0] === AGENTS && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket!.ref, 90_000);
    expect(ack.receivedAt.getTime()).toBeLessThanOrEqual(approval.receivedAt.getTime());
    const text = (await parseMail(approval.raw)).text;
    expect(text).toMatch(/photo\.jpg \(lu par reconnaissance de caractères/);
    expect(text).toContain('SIREN 732 829 320 trouvé');
  }, 120_000);
});
