import { describe, expect, it } from 'vitest';
import { verdictOf, type MailVerdict } from '../../parsers/check-verdict';
import type { InboundMail } from '../../parsers/inbound-mail';
import { makeAttachment, makeMail, PDF_BYTES } from './make-mail';

const OWN = { addresses: ['liquibot@support.example.fr'], messageIdDomain: 'liquibot.support.example.fr' };
const FIELDS = 'SIRET concerné : 73282932000074\nMail du liquidateur à renseigner : claire@mj-moutin.fr\n';
const IGNORED = { handled: false, verdict: null, siret: null, liquidatorEmail: null, problems: [] };

describe('verdictOf', () => {
  it.each<[string, Partial<InboundMail>, MailVerdict]>([
    [
      'conforming',
      { text: FIELDS, attachments: [makeAttachment(PDF_BYTES)] },
      { handled: true, ignoreReason: null, verdict: 'conforme', siret: '73282932000074', liquidatorEmail: 'claire@mj-moutin.fr', problems: [] },
    ],
    [
      'non conforming',
      { text: FIELDS },
      { handled: true, ignoreReason: null, verdict: 'non_conforme', siret: '73282932000074', liquidatorEmail: 'claire@mj-moutin.fr', problems: ['ATTACHMENT_MISSING'] },
    ],
    ['unrelated subject', { subject: 'Question sur une liquidation', text: FIELDS }, { ...IGNORED, ignoreReason: 'not-a-request' }],
    ['loop guard before subject', { headers: { 'auto-submitted': ['auto-replied'] }, text: FIELDS }, { ...IGNORED, ignoreReason: 'auto-reply' }],
    ['own mail', { from: { address: 'liquibot@support.example.fr', name: '' } }, { ...IGNORED, ignoreReason: 'own-mail' }],
    ['bulk', { headers: { 'list-id': ['<x.example.fr>'] } }, { ...IGNORED, ignoreReason: 'bulk' }],
    ['bounce', { returnPath: '' }, { ...IGNORED, ignoreReason: 'bounce' }],
  ])('%s', (_name, over, want) => {
    expect(verdictOf(makeMail(over), OWN)).toEqual(want);
  });
});
