import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { fuzzCases } from '../../tools/fuzz/fuzz-cases';
import { parseMailWithContents } from '../../src/mail/parse-mail';

const DIR = join(import.meta.dirname, '../fixtures/eml');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What mailparser's own simpleParser makes of a source, in the terms parseMailWithContents reports. */
async function reference(raw: Buffer) {
  try {
    const p = await simpleParser(Readable.from([raw]), {
      keepCidLinks: true, skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true, ignoreEmbedded: true,
    });
    return {
      text: p.text ?? '',
      html: typeof p.html === 'string' ? p.html : null,
      attachments: p.attachments.map((a) => ({ filename: a.filename ?? null, size: a.content.length, sha256: sha(a.content) })),
    };
  } catch {
    return 'unparseable';
  }
}

async function ours(raw: Buffer) {
  try {
    const { mail, contents } = await parseMailWithContents(raw);
    // The decoded bytes handed over are the bytes hashed.
    for (const [hash, c] of contents) expect(sha(c.content)).toBe(hash);
    return {
      text: mail.text,
      html: mail.html,
      attachments: mail.attachments.map((a) => ({ filename: a.filename, size: a.size, sha256: a.sha256 })),
    };
  } catch {
    return 'unparseable';
  }
}

/**
 * parse-mail drives mailparser's MailParser itself (attachments written into one buffer instead of
 * chunks concatenated at the end). It must read every mail exactly as simpleParser does: the fixtures,
 * and a round of every light mutation of each.
 */
describe('parseMailWithContents reads mail as mailparser’s simpleParser does', () => {
  const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort();
  it.each(fixtures)('%s', async (name) => {
    const raw = readFileSync(join(DIR, name));
    const got = await ours(raw);
    const want = await reference(raw);
    // The charset fallback replaces mailparser's text of some Latin-1 mails on purpose: compare the rest.
    if (typeof got === 'object' && typeof want === 'object') {
      expect(got.attachments).toEqual(want.attachments);
      if (!/latin1|8bit-no-charset/.test(name)) expect({ text: got.text, html: got.html }).toEqual({ text: want.text, html: want.html });
    } else {
      expect(got).toEqual(want);
    }
  });

  it('on every light mutation of every fixture', async () => {
    let compared = 0;
    for (const c of fuzzCases({ fixturesDir: DIR, seed: 20261126, rounds: 1, heavyFixtures: [] })) {
      const [got, want] = [await ours(c.raw), await reference(c.raw)];
      const label = `${c.fixture} / ${c.mutation}`;
      if (typeof got === 'object' && typeof want === 'object') expect(got.attachments, label).toEqual(want.attachments);
      else if (got !== 'unparseable') expect(got, label).toEqual(want); // ours may refuse more (no header and no body)
      compared += 1;
    }
    expect(compared).toBeGreaterThan(200);
  }, 120_000);

  it('keeps a large decoded attachment in one buffer of its size, with every byte', async () => {
    const pdf = Buffer.alloc(3 * 1024 * 1024 + 17, 'x');
    pdf.write('%PDF-1.4\n', 0);
    const raw = Buffer.from([
      'From: a@b.fr', 'To: c@d.fr', 'Subject: s', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="B"', '',
      '--B', 'Content-Type: text/plain', '', 'x', '--B', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="m.pdf"', '', pdf.toString('base64').replace(/.{76}/g, '$&\r\n'), '--B--', '',
    ].join('\r\n'));
    const { mail, contents } = await parseMailWithContents(raw);
    expect(mail.attachments).toHaveLength(1);
    const content = contents.get(mail.attachments[0]!.sha256)!.content;
    expect(content.equals(pdf)).toBe(true);
    expect(mail.attachments[0]!.sha256).toBe(sha(pdf));
  });
});
