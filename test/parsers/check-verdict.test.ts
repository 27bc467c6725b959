import { describe, expect, it } from 'vitest';
import { verdictOf, type MailVerdict } from '../../parsers/check-verdict';
import type { InboundMail } from '../../parsers/inbound-mail';
import { makeAttachment, makeMail, PDF_BYTES } from './make-mail';

const OWN = { addresses: ['liquibot@support.example.fr'], messageIdDomain: 'liquibot.support.example.fr' };
const FIELDS = 'SIRET concerné : 73282932000074\nMail du liquidateur à renseigner : claire@mj-moutin.fr\n';
const IGNORED = { handled: false, verdict: null, siret: null, liquidatorEmail: null, problems: [], requester: null };
const CLAIRE = 'claire.moutin@mj-moutin.fr';

describe('verdictOf', () => {
  it.each<[string, Partial<InboundMail>, MailVerdict]>([
    [
      'conforming',
      { text: FIELDS, attachments: [makeAttachment(PDF_BYTES)] },
      { handled: true, ignoreReason: null, verdict: 'conforme', siret: '73282932000074', liquidatorEmail: 'claire@mj-moutin.fr', problems: [], requester: CLAIRE },
    ],
    [
      'non conforming',
      { text: FIELDS },
      { handled: true, ignoreReason: null, verdict: 'non_conforme', siret: '73282932000074', liquidatorEmail: 'claire@mj-moutin.fr', problems: ['ATTACHMENT_MISSING'], requester: CLAIRE },
    ],
    ['unrelated subject, one label only', { subject: 'Question sur une liquidation', text: 'SIRET concerné : 73282932000074' }, { ...IGNORED, ignoreReason: 'not-a-request' }],
    [
      'unrelated subject, both labelled fields: a request',
      { subject: 'Question sur une liquidation', text: FIELDS },
      { handled: true, ignoreReason: null, verdict: 'non_conforme', siret: '73282932000074', liquidatorEmail: 'claire@mj-moutin.fr', problems: ['ATTACHMENT_MISSING'], requester: CLAIRE },
    ],
    [
      'empty subject, both labelled fields: a request',
      { subject: '', text: FIELDS, attachments: [makeAttachment(PDF_BYTES)] },
      { handled: true, ignoreReason: null, verdict: 'conforme', siret: '73282932000074', liquidatorEmail: 'claire@mj-moutin.fr', problems: [], requester: CLAIRE },
    ],
    ['empty subject, nothing else', { subject: '', text: 'Bonjour' }, { ...IGNORED, ignoreReason: 'not-a-request' }],
    [
      'near-miss subject',
      { subject: 'LIQUIDATEUR JUDICAIRE – PROCEDURE SPECIFIQUE', text: 'Bonjour' },
      { handled: true, ignoreReason: null, verdict: 'non_conforme', siret: null, liquidatorEmail: null, problems: ['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING', 'ATTACHMENT_MISSING'], requester: CLAIRE },
    ],
    ['loop guard before subject', { headers: { 'auto-submitted': ['auto-replied'] }, text: FIELDS }, { ...IGNORED, ignoreReason: 'auto-reply' }],
    ['own mail', { from: { address: 'liquibot@support.example.fr', name: '' } }, { ...IGNORED, ignoreReason: 'own-mail' }],
    ['bulk', { headers: { 'list-id': ['<x.example.fr>'] } }, { ...IGNORED, ignoreReason: 'bulk' }],
    ['bounce', { returnPath: '' }, { ...IGNORED, ignoreReason: 'bounce' }],
  ])('%s', (_name, over, want) => {
    expect(verdictOf(makeMail(over), OWN)).toEqual(want);
  });
});

describe('verdictOf: who is answered', () => {
  const AGENT = { address: 'sophie.martin@support.example.fr', name: 'Sophie Martin' };
  const isAgent = (s: { address: string }) => s.address === AGENT.address;
  const forwarded = `Reçu sur la boîte générale.\n\n---------- Forwarded message ---------\nFrom: Claire Moutin <${CLAIRE}>\nDate: jeudi\nSubject: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE\n\n${FIELDS}`;

  it('answers the collaborator who forwards a request', () => {
    const mail = makeMail({ subject: 'Fwd: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE', from: { address: 'paul@cabinet.fr', name: 'Paul' }, text: forwarded });
    expect(verdictOf(mail, OWN, { isAgent }).requester).toBe('paul@cabinet.fr');
  });

  it('answers the original sender of a request an agent forwards', () => {
    const mail = makeMail({ subject: 'Fwd: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE', from: AGENT, text: forwarded });
    expect(verdictOf(mail, OWN, { isAgent }).requester).toBe(CLAIRE);
    // without the allow-list, nobody is an agent
    expect(verdictOf(mail, OWN).requester).toBe(AGENT.address);
  });
});
