import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../parsers/check-verdict';
import type { InboundMail } from '../../parsers/inbound-mail';
import { isAppError } from '../../src/errors';
import { checkRequest } from '../../parsers/check-request';
import { extractAttachments, parseMail, parseMailWithContents } from '../../src/mail/parse-mail';

const DIR = join(import.meta.dirname, '../fixtures/eml');
const OWN = { addresses: ['liquibot@support.example.fr'], messageIdDomain: 'liquibot.support.example.fr' };
/** The agents of the fixtures (AGENT_SENDERS): their forwards are made on a requester's behalf. */
const AGENTS = ['sophie.martin@support.example.fr', 'paul.durand@support.example.fr'];
const isAgent = (sender: { address: string }) => AGENTS.includes(sender.address);
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, unknown>;
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort();

const load = (name: string): Promise<InboundMail> => parseMail(readFileSync(join(DIR, name)));
const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

describe('fixture corpus', () => {
  it('has an expected verdict for every .eml and a .eml for every expected verdict', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(fixtures);
  });

  it.each(fixtures)('%s', async (name) => {
    // The documents' reading is check --json's (test/cli/check-command.test.ts), not the verdict's.
    const { documentSiren: _s, document: _d, ...verdict } = expected[name] as Record<string, unknown>;
    expect(verdictOf(await load(name), OWN, { isAgent })).toEqual(verdict);
  });
});

describe('parseMail: decoding', () => {
  it('decodes windows-1252 quoted-printable text (€ and ’)', async () => {
    const mail = await load('windows-1252-qp-euro-apostrophe-conforming.eml');
    expect(mail.text).toContain('L’entreprise SARL Café du Marché');
    expect(mail.text).toContain('12 500 €');
    expect(mail.text).toContain('“Cordialement” – Étude Moutin');
    expect(mail.text).not.toContain('\ufffd');
  });

  it('decodes an Outlook windows-1252 HTML-only body and leaves text empty', async () => {
    const mail = await load('outlook-html-only-qp-cp1252-conforming.eml');
    expect(mail.text).toBe('');
    expect(mail.html).toContain('l’extrait des minutes du greffe (frais de greffe : 0 €)');
    expect(mail.html).toContain('Mail du liquidateur à renseigner');
    expect(mail.subject).toBe('LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE');
  });

  it('marks the cid signature logo as referenced by the HTML, the PDF as a plain attachment', async () => {
    const mail = await load('outlook-html-only-qp-cp1252-conforming.eml');
    expect(mail.attachments.map(({ head, tail, sha256, ...rest }) => rest)).toEqual([
      {
        filename: 'image001.png', declaredType: 'image/png', size: 79, contentId: 'image001.png@01DB3F2A.5C1B8E50',
        disposition: 'inline', referencedByHtml: true, related: true,
      },
      {
        filename: 'Jugement LJ SARL Boulangerie Petit.pdf', declaredType: 'application/pdf', size: 647, contentId: null,
        disposition: 'attachment', referencedByHtml: false, related: false,
      },
    ]);
    const pdf = mail.attachments[1]!;
    expect(new TextDecoder().decode(pdf.head.slice(0, 8))).toBe('%PDF-1.4');
    expect(pdf.head.length).toBe(647);
    expect(pdf.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('decodes ISO-8859-1 8-bit text', async () => {
    const mail = await load('iso-8859-1-8bit-text-conforming.eml');
    expect(mail.text).toContain('SIRET concerné');
    expect(mail.text).toContain('Salutations distinguées,\nÉtude Moutin');
  });

  it('falls back to windows-1252 for an 8-bit single-part body without charset', async () => {
    const mail = await load('latin1-8bit-no-charset-no-attachment.eml');
    expect(mail.text).toContain('SIRET concerné : 38012986646850');
    expect(mail.text).toContain('Mail du liquidateur à renseigner');
    expect(mail.text).toContain('Étude Moutin');
    expect(mail.text).not.toContain('\ufffd');
  });

  // The fallback reads the parts mailparser read (the same splitter): before, its own walk differed on these.
  it('falls back to windows-1252 for an 8-bit part whose charset parameter is empty', async () => {
    const raw = crlf('Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=""\nContent-Transfer-Encoding: 8bit\n\nSIRET concern\xe9 : 1\n--b--\n');
    expect((await parseMail(raw)).text).toBe('SIRET concerné : 1');
  });

  it('keeps the text mailparser found when the top Content-Type is damaged (no raw MIME source as text)', async () => {
    const raw = crlf('Subject: x\nContent-Type: multipart\x01mixed; boundary=b\n\npreamble\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nSIRET concern\xe9 : 1\n--b--\n');
    expect((await parseMail(raw)).text).toBe('SIRET concern\ufffd : 1');
  });

  it('keeps a UTF-8 body without charset as UTF-8', async () => {
    const raw = crlf('Subject: x\nContent-Transfer-Encoding: 8bit\n\n') ;
    const mail = await parseMail(Buffer.concat([raw, Buffer.from('concerné à\r\n', 'utf8')]));
    expect(mail.text).toBe('concerné à\n');
  });

  it('decodes a raw 8-bit Latin-1 subject', async () => {
    const mail = await parseMail(crlf('Subject: PROC\xC9DURE SP\xC9CIFIQUE\nX-Note: caf\xE9\n\nbody\n'));
    expect(mail.subject).toBe('PROCÉDURE SPÉCIFIQUE');
    expect(mail.headers['x-note']).toEqual(['café']);
  });

  it.each([
    ['rfc2047-utf8-base64-subject-conforming.eml', 'LIQUIDATEUR JUDICIAIRE – PROCÉDURE SPÉCIFIQUE'],
    ['rfc2047-iso-8859-1-q-subject-conforming.eml', 'LIQUIDATEUR JUDICIAIRE - PROCÉDURE SPÉCIFIQUE'],
    ['gmail-alternative-pdf-conforming.eml', 'Liquidateur judiciaire – Procédure spécifique'],
    ['reply-forward-prefixes-incident-tag-conforming.eml', 'RE: TR: [Incident: 261126-000042] LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE'],
    ['outlook-reponse-automatique-x-auto-response-suppress.eml', 'Réponse automatique\u00a0: LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE'],
  ])('decodes the encoded subject of %s', async (name, subject) => {
    const mail = await load(name);
    expect(mail.subject).toBe(subject);
    expect(mail.headers['subject']).toEqual([subject]);
  });

  it('joins format=flowed lines and decodes a base64 body', async () => {
    expect((await load('thunderbird-flowed-jpeg-scan-conforming.eml')).text).toContain('le scan du jugement est en pièce jointe');
    expect((await load('base64-text-body-conforming.eml')).text).toContain('SIRET concerné : 73282932000074');
  });
});

describe('parseMail: envelope and headers', () => {
  it('maps the identity headers', async () => {
    const mail = await load('reply-forward-prefixes-incident-tag-conforming.eml');
    expect(mail.messageId).toMatch(/^<[^<>\s]+@mj-moutin\.fr>$/);
    expect(mail.inReplyTo).toBe('<rnt.261126-000042.notif@net-entreprises.custhelp.com>');
    expect(mail.references).toEqual([
      '<rnt.261126-000042@net-entreprises.custhelp.com>',
      '<rnt.261126-000042.notif@net-entreprises.custhelp.com>',
    ]);
    expect(mail.from).toEqual({ address: 'claire.moutin@mj-moutin.fr', name: 'Claire Moutin' });
    expect(mail.returnPath).toBe('claire.moutin@mj-moutin.fr');
    expect(mail.date?.toISOString()).toBe('2026-11-26T09:10:00.000Z');
  });

  it('keeps every header, lower-cased, in order, unfolded; structured ones raw', async () => {
    const mail = await load('custhelp-knowledge-base-form-conforming.eml');
    expect(mail.headers['received']).toHaveLength(2);
    for (const value of Object.values(mail.headers).flat()) expect(value).not.toMatch(/[\r\n]/);
    expect(mail.headers['received']?.[0]).toMatch(/^from mx\.support\.example\.fr .*for <support-lj@support\.example\.fr>; Thu, 26 Nov 2026/);
    expect(mail.headers['reply-to']).toEqual(['MOUTIN CLAIRE <claire.moutin@mj-moutin.fr>']);
    expect(mail.headers['content-type']?.[0]).toMatch(/^multipart\/mixed;\s*boundary="rnt_b_261126000042"$/);
    expect(mail.replyTo).toEqual({ address: 'claire.moutin@mj-moutin.fr', name: 'MOUTIN CLAIRE' });
    expect(mail.contentType).toBe('multipart/mixed');
    expect(mail.sizeBytes).toBe(readFileSync(join(DIR, 'custhelp-knowledge-base-form-conforming.eml')).length);
  });

  it('gives the bounce an empty Return-Path and a multipart/report content type', async () => {
    const mail = await load('bounce-mailer-daemon-delivery-status.eml');
    expect(mail.returnPath).toBe('');
    expect(mail.contentType).toBe('multipart/report');
    expect(mail.from?.address).toBe('mailer-daemon@mx.support.example.fr');
  });

  it.each([
    ['no Return-Path', 'From: a@b.fr\nSubject: x\n\nbody\n', { returnPath: null, date: null, messageId: null, inReplyTo: null }],
    ['unreadable Date is null, not "now"', 'Date: someday\nSubject: x\n\nbody\n', { date: null }],
    ['Date with a comment', 'Date: Thu, 26 Nov 2026 10:00:00 +0100 (CET)\n\nbody\n', { date: new Date('2026-11-26T09:00:00Z') }],
    ['Return-Path <> with spaces', 'Return-Path: < >\n\nbody\n', { returnPath: '' }],
    ['upper-case Return-Path', 'Return-Path: <Bounce+X@Example.FR>\n\nbody\n', { returnPath: 'bounce+x@example.fr' }],
    ['In-Reply-To with a comment', "In-Reply-To: <a@b.fr> (Jean's message)\n\nbody\n", { inReplyTo: '<a@b.fr>' }],
    ['ids without brackets', 'Message-ID: a@b.fr\nIn-Reply-To: c@d.fr\nReferences: e@f.fr\n\nbody\n', { messageId: '<a@b.fr>', inReplyTo: '<c@d.fr>', references: ['<e@f.fr>'] }],
    ['folded References', 'References: <a@b.fr>\n <c@d.fr>\n\t<e@f.fr>\n\nbody\n', { references: ['<a@b.fr>', '<c@d.fr>', '<e@f.fr>'] }],
    ['no Content-Type', 'Subject: x\n\nbody\n', { contentType: 'text/plain', text: 'body\n', html: null }],
    ['HTML only', 'Content-Type: text/html; charset=utf-8\n\n<p>Bonjour</p>\n', { contentType: 'text/html', text: '', html: '<p>Bonjour</p>\n' }],
  ])('%s', async (_name, raw, want) => {
    expect(await parseMail(crlf(raw))).toMatchObject(want);
  });

  it('does not let a __proto__ header reach the prototype', async () => {
    const mail = await parseMail(crlf('__proto__: polluted\nSubject: x\n\nbody\n'));
    expect(Object.getPrototypeOf(mail.headers)).toBe(Object.prototype);
    expect(Object.hasOwn(mail.headers, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('parseMail: attachments', () => {
  it('keeps a forwarded message/rfc822 part as an attachment, and reads it as an attached message', async () => {
    const mail = await load('forwarded-mail-rfc822-only-attachment.eml');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ declaredType: 'message/rfc822', filename: 'Jugement SARL Dupont.eml', disposition: 'attachment' });
    expect(mail.text).not.toContain('Veuillez trouver le jugement sur le portail');
    // the court's mail it carries has no document: the request still has none (ATTACHMENT_INVALID, see expected.json)
    expect(mail.attachedMessages).toEqual([{
      depth: 1, subject: 'Jugement SARL Dupont', from: { address: 'greffe@tribunal-commerce.example.fr', name: 'Greffe' },
      date: new Date('2026-11-25T15:02:00Z'), messageId: '<greffe-4471@tribunal-commerce.example.fr>',
      text: 'Veuillez trouver le jugement sur le portail.\n', html: null, attachments: [],
    }]);
  });

  it('reads a request forwarded as an attachment: its text, its sender, and the PDF inside it', async () => {
    const raw = readFileSync(join(DIR, 'forward-as-attachment-rfc822-pdf-inside-conforming.eml'));
    const { mail, contents } = await parseMailWithContents(raw);
    expect(mail.attachments.map((a) => a.declaredType)).toEqual(['message/rfc822']);
    const [inner] = mail.attachedMessages!;
    expect(inner).toMatchObject({ depth: 1, subject: 'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE', from: { address: 'jean.martin@selarl-martin.fr', name: 'Jean Martin' } });
    expect(inner!.text).toContain('SIRET concerné : 443 061 841 00047');
    expect(inner!.attachments).toMatchObject([{ filename: 'Jugement SAS Transports Lemoine.pdf', declaredType: 'application/pdf', size: 647 }]);
    // the pipeline reads (and forwards to the agents) the inner document by its SHA-256
    const pdf = inner!.attachments[0]!;
    expect(contents.get(pdf.sha256)?.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await extractAttachments(raw, [pdf.sha256])).map((a) => a.filename)).toEqual(['Jugement SAS Transports Lemoine.pdf']);
  });

  it('reads attached messages depth first, within the bounds, and leaves a bounce’s returned mail alone', async () => {
    const message = (subject: string, inner: string | null): string => [
      'From: a@x.fr', `Subject: ${subject}`, 'MIME-Version: 1.0',
      ...(inner === null
        ? ['Content-Type: text/plain', '', `texte ${subject}`]
        : ['Content-Type: multipart/mixed; boundary="b-' + subject + '"', '', `--b-${subject}`, 'Content-Type: text/plain', '', `texte ${subject}`,
          `--b-${subject}`, 'Content-Type: message/rfc822', '', inner, `--b-${subject}--`]),
    ].join('\r\n');
    const nested = message('m0', message('m1', message('m2', message('m3', message('m4', null)))));
    const mail = await parseMail(Buffer.from(nested));
    expect(mail.attachedMessages!.map((m) => [m.depth, m.subject])).toEqual([[1, 'm1'], [2, 'm2'], [3, 'm3']]);

    const many = ['From: a@x.fr', 'Subject: s', 'Content-Type: multipart/mixed; boundary="b"', '',
      ...Array.from({ length: 12 }, (_, i) => `--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: n${i}@x.fr\r\nSubject: n${i}\r\n\r\ntexte`), '--b--'].join('\r\n');
    expect((await parseMail(Buffer.from(many))).attachedMessages).toHaveLength(10);

    const junk = ['From: a@x.fr', 'Subject: s', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: message/rfc822', '', 'pas un message', '--b--'].join('\r\n');
    expect((await parseMail(Buffer.from(junk))).attachedMessages).toBeUndefined();

    expect((await load('bounce-mailer-daemon-delivery-status.eml')).attachedMessages).toBeUndefined();
  });

  it('keeps winmail.dat as an attachment of unknown kind', async () => {
    const mail = await load('outlook-winmail-dat-only.eml');
    expect(mail.attachments).toMatchObject([{ filename: 'winmail.dat', declaredType: 'application/ms-tnef' }]);
  });

  it('records the declared type, not the one guessed from the file name', async () => {
    const mail = await load('pdf-with-leading-bytes-octet-stream-conforming.eml');
    expect(mail.attachments[0]).toMatchObject({ filename: 'document', declaredType: 'application/octet-stream' });
  });

  it('gives an empty attachment size 0 and the SHA-256 of nothing', async () => {
    const mail = await load('attachment-empty-pdf.eml');
    expect(mail.attachments[0]).toMatchObject({
      size: 0, head: new Uint8Array(0), sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });

  it('keeps the first 65 KiB as head and the last KiB as tail (sniffing, the integrity check)', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(70_000, 0x41), Buffer.from('\nstartxref\n9\n%%EOF\n')]);
    const raw = Buffer.concat([
      crlf('Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\n'),
      crlf('Content-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\nContent-Transfer-Encoding: base64\n\n'),
      Buffer.from(pdf.toString('base64').replace(/.{76}/g, '$&\r\n') + '\r\n--b--\r\n'),
    ]);
    const [att] = (await parseMail(raw)).attachments;
    expect(att?.size).toBe(pdf.length);
    expect(att?.head.length).toBe(65 * 1024);
    expect(att?.tail.length).toBe(1024);
    expect(Buffer.from(att!.tail).toString('latin1')).toMatch(/%%EOF\n$/);
  });
});

describe('parseMail: unparseable input', () => {
  it.each([
    ['empty input', Buffer.alloc(0)],
    ['blank lines only', crlf('\n\n\n')],
    ['no header and no body', crlf('hello world\n')],
    [
      'more MIME parts than mailparser allows',
      crlf(`Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n${'--b\nContent-Type: text/plain\n\nx\n'.repeat(1005)}--b--\n`),
    ],
    ['a header block over 1 MB', crlf(`Subject: x\nX-Junk: ${'a'.repeat(1_100_000)}\n\nbody\n`)],
  ])('%s → MAIL_UNPARSEABLE', async (_name, raw) => {
    const err = await parseMail(raw).then(() => null, (e: unknown) => e);
    expect(isAppError(err, 'MAIL_UNPARSEABLE')).toBe(true);
  });

  it('keeps mailparser’s error as the cause', async () => {
    const raw = crlf(`Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n${'--b\n\nx\n'.repeat(1005)}--b--\n`);
    const err = await parseMail(raw).then(() => null, (e: unknown) => e);
    expect((err as Error).cause).toBeInstanceOf(Error);
  });
});

describe('parseMail + checkRequest: forwards and notices on real client formats', () => {
  it.each<[string, string, { address: string; name: string }]>([
    ['outlook-fr-forward-tr-header-block-conforming.eml', 'inline', { address: 'claire.moutin@mj-moutin.fr', name: 'Claire Moutin' }],
    ['outlook-en-forward-fw-html-only-conforming.eml', 'inline', { address: 'jean.martin@selarl-martin.fr', name: 'Jean Martin' }],
    ['gmail-en-forward-forwarded-message-conforming.eml', 'inline', { address: 'sophie.bernard@etude-bernard.fr', name: 'Sophie Bernard' }],
    ['gmail-fr-forward-message-transfere-siren-only.eml', 'inline', { address: 'pierre.durand@mandataires-associes.fr', name: 'Pierre Durand' }],
    ['thunderbird-forward-inline-message-transfere-conforming.eml', 'inline', { address: 'marc.lefevre@lefevre-mj.fr', name: 'Marc Lefèvre' }],
    ['apple-mail-forward-reexpedie-conforming.eml', 'inline', { address: 'claire.moutin@mj-moutin.fr', name: 'Claire Moutin' }],
    ['forward-as-attachment-rfc822-pdf-inside-conforming.eml', 'attachment', { address: 'jean.martin@selarl-martin.fr', name: 'Jean Martin' }],
    ['agent-forward-on-behalf-outlook-tr-conforming.eml', 'inline', { address: 'h.lefevre@etude-lefevre.fr', name: 'Hélène Lefèvre' }],
    ['agent-forward-as-attachment-on-behalf-conforming.eml', 'attachment', { address: 'pierre.durand@mandataires-associes.fr', name: 'Pierre Durand' }],
  ])('%s names the original sender', async (name, via, originalSender) => {
    expect(checkRequest(await load(name)).forward).toMatchObject({ via, originalSender });
  });

  it.each(['outlook-fr-reply-re-header-block-quoted-siret-cut.eml', 'outlook-plain-reply-message-d-origine.eml', 'gmail-reply-quoted-original-different-siret.eml'])(
    '%s is a reply: no forward, its quoted history unread', async (name) => {
      expect(checkRequest(await load(name)).forward).toBeNull();
    },
  );

  it.each<[string, unknown]>([
    ['siret-siren-9-digits.eml', { code: 'SIRET_INVALID', found: '732 829 320', hint: 'SIREN_NOT_SIRET', digits: 9 }],
    ['siret-13-digits.eml', { code: 'SIRET_INVALID', found: '7328293200007', hint: 'SIRET_WRONG_LENGTH', digits: 13 }],
    ['siret-invalid-check-digit.eml', expect.objectContaining({ code: 'SIRET_INVALID', hint: 'SIRET_CHECK_FAILED', digits: 14 })],
    ['siret-missing-numbers-elsewhere.eml', { code: 'SIRET_MISSING', found: '73282932000074', hint: 'SIRET_UNLABELLED' }],
    ['liquidator-email-unlabelled-free-text.eml', { code: 'LIQUIDATOR_EMAIL_MISSING', found: 'marc.lefevre@lefevre-mj.fr', hint: 'EMAIL_UNLABELLED' }],
    ['gmail-fr-forward-message-transfere-siren-only.eml', { code: 'SIRET_INVALID', found: '732 829 320', hint: 'SIREN_NOT_SIRET', digits: 9 }],
  ])('%s: the notice says what was found', async (name, problem) => {
    expect(checkRequest(await load(name)).problems).toEqual([problem]);
  });
});
