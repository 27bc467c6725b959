import { describe, expect, it } from 'vitest';
import { checkRequest, newTextOf, readRequest, type ReadableMail } from '../../parsers/check-request';
import type { AttachedMessage, InboundMail } from '../../parsers/inbound-mail';
import { makeAttachment, makeMail, PDF_BYTES } from './make-mail';

const FIELDS = 'SIRET concerné : 73282932000074\nMail du liquidateur à renseigner : claire@mj-moutin.fr\n';
const PDF = makeAttachment(PDF_BYTES);

function attached(over: Partial<AttachedMessage> = {}): AttachedMessage {
  return {
    depth: 1, subject: 'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE', from: { address: 'claire@mj-moutin.fr', name: 'Claire Moutin' },
    date: null, messageId: '<orig@mj-moutin.fr>', text: FIELDS, html: null, attachments: [], ...over,
  };
}

describe('newTextOf', () => {
  it.each<[string, ReadableMail, string]>([
    ['plain text', { text: 'Nouveau\n> ancien', html: null }, 'Nouveau'],
    ['text preferred over html', { text: 'Texte', html: '<p>HTML</p>' }, 'Texte'],
    ['whitespace-only text falls back to html', { text: ' \n', html: '<p>HTML</p>' }, 'HTML'],
    ['html only, quote removed before conversion', { text: '', html: '<p>Nouveau</p><blockquote type="cite"><p>Ancien</p></blockquote>' }, 'Nouveau'],
    ['html only, Outlook header block removed after conversion', { text: '', html: '<p>Nouveau</p><p><b>De&nbsp;:</b> X<br><b>Envoyé&nbsp;:</b> jeudi</p><p>Ancien</p>' }, 'Nouveau'],
    ['nothing', { text: '', html: null }, ''],
    [
      'a forward: the forwarded message is read, after the forwarder’s words',
      { text: `Pour traitement\n---------- Forwarded message ---------\nFrom: Claire <claire@mj-moutin.fr>\nSubject: X\n\n${FIELDS}`, html: null },
      `Pour traitement\n\n${FIELDS.trim()}`,
    ],
    [
      'an Outlook forward (TR:), html only',
      {
        subject: 'TR: LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE', text: '',
        html: '<p>Pour traitement</p><div id="divRplyFwdMsg"><hr><b>De&nbsp;:</b> Claire &lt;<a href="mailto:claire@mj-moutin.fr">claire@mj-moutin.fr</a>&gt;<br><b>Envoyé&nbsp;:</b> jeudi<br><b>Objet&nbsp;:</b> X</div><p>SIRET concerné : 1</p>',
      },
      'Pour traitement\n\nSIRET concerné : 1',
    ],
    [
      'the same Outlook block in a reply (RE:) is cut',
      {
        subject: 'RE: LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE', text: '',
        html: '<p>Merci</p><div id="divRplyFwdMsg"><hr><b>De&nbsp;:</b> Claire<br><b>Envoyé&nbsp;:</b> jeudi</div><p>SIRET concerné : 1</p>',
      },
      'Merci',
    ],
    [
      'an Apple Mail forward, html only (blockquote type=cite kept)',
      {
        subject: 'Fwd: X', text: '',
        html: '<div>Voir</div><div><br><blockquote type="cite"><div>Début du message réexpédié :</div><br><div><b>De: </b>Claire &lt;claire@mj-moutin.fr&gt;</div><div><b>Objet: </b>X</div><div><b>Date: </b>26 novembre</div><br><div>SIRET concerné : 1</div></blockquote></div>',
      },
      'Voir\n\nSIRET concerné : 1',
    ],
    [
      'an attached message’s text is added',
      { text: 'Voir la pièce jointe', html: null, attachedMessages: [attached({ text: `${FIELDS}\n\nLe 25 nov., X a écrit :\n> ancien` })] },
      `Voir la pièce jointe\n\n${FIELDS.trim()}`,
    ],
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

  it.each<[string, Partial<InboundMail>, string | null, string | null, string[]]>([
    [
      'a forward is read as the request (Gmail)',
      { subject: 'Fwd: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE', text: `Pour traitement\n\n---------- Forwarded message ---------\nFrom: Claire <claire@mj-moutin.fr>\nDate: jeudi\nSubject: LIQUIDATEUR\n\n${FIELDS}`, attachments: [PDF] },
      '73282932000074', 'claire@mj-moutin.fr', [],
    ],
    [
      'a request forwarded as an attachment, with the document inside it',
      { text: 'Voir la pièce jointe', attachments: [makeAttachment(new TextEncoder().encode('From: x'), { filename: 'demande.eml', declaredType: 'message/rfc822' })], attachedMessages: [attached({ attachments: [PDF] })] },
      '73282932000074', 'claire@mj-moutin.fr', [],
    ],
    [
      'an attached message without a document: the .eml is not one',
      { text: FIELDS, attachments: [makeAttachment(new TextEncoder().encode('From: x'), { filename: 'demande.eml', declaredType: 'message/rfc822' })], attachedMessages: [attached({ text: 'Bonjour' })] },
      '73282932000074', 'claire@mj-moutin.fr', ['ATTACHMENT_INVALID'],
    ],
  ])('%s', (_name, over, siret, email, codes) => {
    const result = checkRequest(makeMail(over));
    expect(result.siret).toBe(siret);
    expect(result.liquidatorEmail).toBe(email);
    expect(result.problems.map((p) => p.code)).toEqual(codes);
  });

  it('says who sent a forwarded request first', () => {
    const inline = makeMail({ subject: 'TR: X', text: `Voir\n\nDe : Claire Moutin <claire@mj-moutin.fr>\nEnvoyé : jeudi\nObjet : LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE\n\n${FIELDS}` });
    expect(checkRequest(inline).forward).toEqual({
      via: 'inline', originalSender: { address: 'claire@mj-moutin.fr', name: 'Claire Moutin' }, originalSubject: 'LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE',
    });
    const asAttachment = makeMail({ text: 'Voir', attachedMessages: [attached({ subject: 'Jugement', from: { address: 'greffe@tc.fr', name: '' }, text: 'Le jugement' }), attached()] });
    expect(checkRequest(asAttachment).forward).toEqual({
      via: 'attachment', originalSender: { address: 'claire@mj-moutin.fr', name: 'Claire Moutin' }, originalSubject: 'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    });
    expect(checkRequest(makeMail({ text: FIELDS })).forward).toBeNull();
    // an attached mail that is not a request (a court's mail) is no forward of one
    expect(readRequest(makeMail({ text: FIELDS, attachedMessages: [attached({ subject: 'Jugement', text: 'Le jugement' })] })).forward).toBeNull();
  });

  it('reports what was found with each problem', () => {
    const result = checkRequest(makeMail({ text: 'Bonjour,\nle SIRET de la société est 732 829 320 00074, le liquidateur est claire@mj-moutin.fr', attachments: [PDF] }));
    expect(result.problems).toEqual([
      { code: 'SIRET_MISSING', found: '732 829 320 00074', hint: 'SIRET_UNLABELLED' },
      { code: 'LIQUIDATOR_EMAIL_MISSING', found: 'claire@mj-moutin.fr', hint: 'EMAIL_UNLABELLED' },
    ]);
  });

  it('counts a document attached both to the mail and to its attached message once', () => {
    expect(checkRequest(makeMail({ text: FIELDS, attachments: [PDF], attachedMessages: [attached({ attachments: [PDF] })] })).documents).toHaveLength(1);
  });

  it('lists the accepted documents', () => {
    expect(checkRequest(makeMail({ text: FIELDS, attachments: [PDF] })).documents).toEqual([
      { filename: 'jugement.pdf', kind: 'pdf', size: PDF_BYTES.length, sha256: PDF.sha256 },
    ]);
  });
});
