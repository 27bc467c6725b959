import { describe, expect, it } from 'vitest';
import { checkRequest, newTextOf } from '../../parsers/check-request';
import type { InboundMail } from '../../parsers/inbound-mail';
import { makeAttachment, makeMail, PDF_BYTES } from './make-mail';

const FIELDS = 'SIRET concerné : 73282932000074\nMail du liquidateur à renseigner : claire@mj-moutin.fr\n';
const PDF = makeAttachment(PDF_BYTES);

describe('newTextOf', () => {
  it.each<[string, Pick<InboundMail, 'text' | 'html'>, string]>([
    ['plain text', { text: 'Nouveau\n> ancien', html: null }, 'Nouveau'],
    ['text preferred over html', { text: 'Texte', html: '<p>HTML</p>' }, 'Texte'],
    ['whitespace-only text falls back to html', { text: ' \n', html: '<p>HTML</p>' }, 'HTML'],
    ['html only, quote removed before conversion', { text: '', html: '<p>Nouveau</p><blockquote type="cite"><p>Ancien</p></blockquote>' }, 'Nouveau'],
    ['html only, Outlook header block removed after conversion', { text: '', html: '<p>Nouveau</p><p><b>De&nbsp;:</b> X<br><b>Envoyé&nbsp;:</b> jeudi</p><p>Ancien</p>' }, 'Nouveau'],
    ['nothing', { text: '', html: null }, ''],
  ])('%s', (_name, body, want) => {
    expect(newTextOf(body)).toBe(want);
  });
});

describe('checkRequest', () => {
  it.each<[string, Partial<InboundMail>, string | null, string | null, string[]]>([
    ['conforming text', { text: FIELDS, attachments: [PDF] }, '73282932000074', 'claire@mj-moutin.fr', []],
    ['conforming html only', { html: `<p>${FIELDS.replace('\n', '</p><p>')}</p>`, attachments: [PDF] }, '73282932000074', 'claire@mj-moutin.fr', []],
    ['nothing at all', {}, null, null, ['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING', 'ATTACHMENT_MISSING']],
    [
      'every kind of invalid, in stable order',
      { text: 'SIRET concerné : 1234\nMail du liquidateur : a@b', attachments: [makeAttachment(new Uint8Array(0))] },
      null,
      null,
      ['SIRET_INVALID', 'LIQUIDATOR_EMAIL_INVALID', 'ATTACHMENT_INVALID'],
    ],
    [
      'quoted original with another SIRET is not read',
      { text: `SIRET concerné : 73282932000074\n\nLe 26 nov. 2026 à 10:12, X <x@y.fr> a écrit :\n> SIRET concerné : 44306184100047\n`, attachments: [PDF] },
      '73282932000074',
      null,
      ['LIQUIDATOR_EMAIL_MISSING'],
    ],
    ['multiple SIRETs and no attachment', { text: 'SIRET concerné : 73282932000074 et 44306184100047\nMail du liquidateur : a@b.fr' }, null, 'a@b.fr', ['SIRET_MULTIPLE', 'ATTACHMENT_MISSING']],
  ])('%s', (_name, over, siret, email, codes) => {
    const result = checkRequest(makeMail(over));
    expect(result.siret).toBe(siret);
    expect(result.liquidatorEmail).toBe(email);
    expect(result.problems.map((p) => p.code)).toEqual(codes);
  });

  it('lists the accepted documents', () => {
    expect(checkRequest(makeMail({ text: FIELDS, attachments: [PDF] })).documents).toEqual([
      { filename: 'jugement.pdf', kind: 'pdf', size: PDF_BYTES.length, sha256: PDF.sha256 },
    ]);
  });
});
