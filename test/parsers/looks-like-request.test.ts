import { describe, expect, it } from 'vitest';
import type { InboundMail } from '../../parsers/inbound-mail';
import { looksLikeRequest } from '../../parsers/looks-like-request';
import { makeMail } from './make-mail';

const FIELDS = 'SIRET concerné : 73282932000074\nMail du liquidateur à renseigner : claire@mj-moutin.fr\n';

describe('looksLikeRequest', () => {
  it.each<[string, Partial<InboundMail>, boolean]>([
    ['the procedure’s subject', { subject: 'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE', text: '' }, true],
    ['a near miss', { subject: 'Procédure spécifique – liquidateur judiciaire', text: '' }, true],
    ['empty subject, both labelled fields', { subject: '', text: FIELDS }, true],
    ['any subject, both labels left empty', { subject: 'Demande', text: 'SIRET concerné :\nMail du liquidateur à renseigner :' }, true],
    ['"SIRET :" counts as the SIRET label', { subject: '', text: 'SIRET : 73282932000074\nMail du liquidateur : claire@mj-moutin.fr' }, true],
    ['html only', { subject: '', text: '', html: `<p>${FIELDS.replace('\n', '</p><p>')}</p>` }, true],
    ['a forward whose forwarded subject is the procedure’s', {
      subject: 'TR: demande de Me Moutin',
      text: 'Voir\n\nDe : Claire <claire@mj-moutin.fr>\nEnvoyé : jeudi\nObjet : LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE\n\nBonjour',
    }, true],
    ['a request attached as a message', {
      subject: 'Demande reçue par erreur', text: 'Voir pièce jointe',
      attachedMessages: [{ depth: 1, subject: 'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE', from: null, date: null, messageId: null, text: 'Bonjour', html: null, attachments: [] }],
    }, true],
    ['one label only', { subject: 'Question sur une liquidation', text: 'SIRET concerné : 73282932000074' }, false],
    ['labels only in the quoted history', { subject: 'Re: question', text: `Merci\n\nLe 26 nov. 2026 à 10:12, X <x@y.fr> a écrit :\n> ${FIELDS.replace('\n', '\n> ')}` }, false],
    ['an unrelated question', { subject: 'Question sur ma DSN', text: 'Bonjour, ma DSN est rejetée.' }, false],
    ['a newsletter about the procedure', { subject: 'La lettre des mandataires – novembre 2026', text: 'La procédure spécifique des liquidateurs judiciaires…' }, false],
    ['empty', { subject: '', text: '' }, false],
  ])('%s', (_name, over, want) => {
    expect(looksLikeRequest(makeMail(over))).toBe(want);
  });
});
