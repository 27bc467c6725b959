import { describe, expect, it } from 'vitest';
import { findQuoteBoundary } from '../../parsers/body-text';
import { findForward, forwardedTexts, requesterOf, type ForwardInfo } from '../../parsers/forwarded';

const REQUEST = 'Bonjour,\nSIRET concerné : 73282932000074\nMail du liquidateur à renseigner : claire.moutin@mj-moutin.fr\n\nCordialement,\nMe Claire Moutin';
const SUBJECT = 'LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE';
const CLAIRE = { address: 'claire.moutin@mj-moutin.fr', name: 'Claire Moutin' };

/** Each client's forward, as its plain-text part writes it. */
const FORWARDS: ReadonlyArray<[string, string, string]> = [
  [
    'Outlook FR',
    `TR: ${SUBJECT}`,
    `Pour traitement, merci.\n\nPaul\n\n________________________________\nDe : Claire Moutin <claire.moutin@mj-moutin.fr>\nEnvoyé : jeudi 26 novembre 2026 10:12\nÀ : Paul Girard <paul.girard@cabinet-girard.fr>\nObjet : ${SUBJECT}\n\n${REQUEST}\n`,
  ],
  [
    'Outlook FR, older [mailto:] form, Cc',
    `TR: ${SUBJECT}`,
    `Pour traitement, merci.\n\n-----Message d'origine-----\nDe : Claire Moutin [mailto:claire.moutin@mj-moutin.fr]\nEnvoyé : jeudi 26 novembre 2026 10:12\nÀ : Paul Girard\nCc : secretariat@mj-moutin.fr\nObjet : ${SUBJECT}\n\n${REQUEST}\n`,
  ],
  [
    'Outlook EN',
    `FW: ${SUBJECT}`,
    `Please handle.\n\n________________________________\nFrom: Claire Moutin <claire.moutin@mj-moutin.fr>\nSent: Thursday, November 26, 2026 10:12 AM\nTo: Paul Girard <paul.girard@cabinet-girard.fr>\nSubject: ${SUBJECT}\n\n${REQUEST}\n`,
  ],
  [
    'Gmail EN',
    `Fwd: ${SUBJECT}`,
    `Pour traitement, merci.\n\n---------- Forwarded message ---------\nFrom: Claire Moutin <claire.moutin@mj-moutin.fr>\nDate: Thu, Nov 26, 2026 at 10:12 AM\nSubject: ${SUBJECT}\nTo: <paul.girard@cabinet-girard.fr>\n\n\n${REQUEST}\n`,
  ],
  [
    'Gmail FR',
    `Fwd: ${SUBJECT}`,
    `Pour traitement, merci.\n\n---------- Message transféré ---------\nDe : Claire Moutin <claire.moutin@mj-moutin.fr>\nDate : jeu. 26 nov. 2026 à 10:12\nObjet : ${SUBJECT}\nÀ : <paul.girard@cabinet-girard.fr>\n\n\n${REQUEST}\n`,
  ],
  [
    'Thunderbird FR',
    `Fwd: ${SUBJECT}`,
    `Pour traitement, merci.\n\n\n-------- Message transféré --------\nSujet : \t${SUBJECT}\nDate : \tThu, 26 Nov 2026 10:12:33 +0100\nDe : \tClaire Moutin <claire.moutin@mj-moutin.fr>\nPour : \tpaul.girard@cabinet-girard.fr\n\n\n\n${REQUEST}\n`,
  ],
  [
    'Thunderbird EN',
    `Fwd: ${SUBJECT}`,
    `Please handle.\n\n-------- Forwarded Message --------\nSubject: \t${SUBJECT}\nDate: \tThu, 26 Nov 2026 10:12:33 +0100\nFrom: \tClaire Moutin <claire.moutin@mj-moutin.fr>\nTo: \tpaul.girard@cabinet-girard.fr\n\n${REQUEST}\n`,
  ],
  [
    'Apple Mail FR',
    `Fwd: ${SUBJECT}`,
    `Pour traitement, merci.\n\nDébut du message réexpédié :\n\nDe: Claire Moutin <claire.moutin@mj-moutin.fr>\nObjet: ${SUBJECT}\nDate: 26 novembre 2026 à 10:12:33 UTC+1\nÀ: paul.girard@cabinet-girard.fr\n\n${REQUEST}\n`,
  ],
  [
    'Apple Mail EN, quoted with >',
    `Fwd: ${SUBJECT}`,
    `Pour traitement, merci.\n\nBegin forwarded message:\n\n> From: Claire Moutin <claire.moutin@mj-moutin.fr>\n> Subject: ${SUBJECT}\n> Date: 26 November 2026 at 10:12:33 CET\n> To: paul.girard@cabinet-girard.fr\n> \n${REQUEST.replace(/^/gm, '> ')}\n`,
  ],
  [
    'Outlook, forward subject changed by the forwarder',
    'TR: demande de Me Moutin',
    `Pour traitement, merci.\n\nDe : Claire Moutin <claire.moutin@mj-moutin.fr>\nEnvoyé : jeudi 26 novembre 2026 10:12\nÀ : Paul Girard\nObjet : ${SUBJECT}\n\n${REQUEST}\n`,
  ],
];

describe('findForward: every client format', () => {
  it.each(FORWARDS)('%s', (_client, subject, text) => {
    const forward = findForward(text, subject);
    expect(forward).not.toBeNull();
    expect(forward!.header.from).toEqual(CLAIRE);
    expect(forward!.header.subject).toBe(SUBJECT);
    expect(forward!.body).toContain('SIRET concerné : 73282932000074');
    expect(forward!.body).not.toMatch(/^(?:De|From|Objet|Subject|Sujet) ?:/m);
    const texts = forwardedTexts(forward!);
    expect(texts[0]).toMatch(/^(?:Pour traitement|Please handle)/);
    expect(texts.at(-1)).toContain('Mail du liquidateur à renseigner : claire.moutin@mj-moutin.fr');
  });
});

describe('findForward: replies are not forwards', () => {
  it.each<[string, string | null, string]>([
    ['Outlook reply: the same header block, RE: subject', `RE: ${SUBJECT}`, `Voici le SIRET.\n\n________________________________\nDe : Claire Moutin <claire.moutin@mj-moutin.fr>\nEnvoyé : jeudi\nObjet : ${SUBJECT}\n\n${REQUEST}`],
    ['Outlook reply to a forward', `RE: TR: ${SUBJECT}`, `Merci\n\nDe : Paul <paul@x.fr>\nEnvoyé : jeudi\nObjet : TR: ${SUBJECT}\n\n${REQUEST}`],
    ['Outlook header block without a subject', null, `Voici\n\nDe : Claire <claire@x.fr>\nEnvoyé : jeudi\n\n${REQUEST}`],
    ['original message separator, RE:', `RE: ${SUBJECT}`, `Voici\n-----Original Message-----\nFrom: Claire <claire@x.fr>\nSent: Thursday\n\n${REQUEST}`],
    ['French attribution, even with a TR: subject', `TR: ${SUBJECT}`, `Voici\n\nLe 26 nov. 2026 à 10:12, Claire <claire@x.fr> a écrit :\n> ${REQUEST}`],
    ['English attribution', `Re: ${SUBJECT}`, `Here\n\nOn Thu, Nov 26, 2026 at 10:12 AM Claire <claire@x.fr> wrote:\n> SIRET concerné : 1`],
    ['a quoted forward inside a reply', `Re: Fwd: ${SUBJECT}`, 'Merci\n> ---------- Forwarded message ---------\n> From: Claire <claire@x.fr>'],
    ['no boundary at all', `TR: ${SUBJECT}`, REQUEST],
  ])('%s', (_name, subject, text) => {
    expect(findForward(text, subject)).toBeNull();
  });
});

describe('findForward: details', () => {
  it('reads the forwarded message without its own quoted history', () => {
    const text = `Voir ci-dessous\n---------- Forwarded message ---------\nFrom: Claire <claire@x.fr>\nSubject: RE: X\n\nSIRET concerné : 73282932000074\n\nLe 25 nov. 2026 à 09:00, Greffe <g@tc.fr> a écrit :\n> SIRET concerné : 44306184100047`;
    expect(forwardedTexts(findForward(text)!)).toEqual(['Voir ci-dessous', 'SIRET concerné : 73282932000074']);
  });

  it('reads a forward of a forward, with the inner subject', () => {
    const inner = `---------- Forwarded message ---------\nFrom: Claire <claire@x.fr>\nSubject: ${SUBJECT}\n\nSIRET concerné : 73282932000074`;
    const text = `Pour toi\n\n________________________________\nDe : Assistante <assistante@x.fr>\nEnvoyé : jeudi\nObjet : TR: ${SUBJECT}\n\nVoici la demande\n\n${inner}`;
    const forward = findForward(text, `TR: TR: ${SUBJECT}`)!;
    expect(forward.header.from).toEqual({ address: 'assistante@x.fr', name: 'Assistante' });
    expect(forward.nested?.header.from).toEqual({ address: 'claire@x.fr', name: 'Claire' });
    expect(forwardedTexts(forward)).toEqual(['Pour toi', 'Voici la demande', 'SIRET concerné : 73282932000074']);
  });

  it.each<[string, { address: string; name: string } | null]>([
    ['From: claire@x.fr', { address: 'claire@x.fr', name: '' }],
    ['From: "Moutin, Claire" <Claire@X.fr>', { address: 'claire@x.fr', name: 'Moutin, Claire' }],
    ['From: *Claire Moutin* <claire@x.fr>', { address: 'claire@x.fr', name: 'Claire Moutin' }],
    ['From: Claire Moutin [mailto:claire@x.fr]', { address: 'claire@x.fr', name: 'Claire Moutin' }],
    ['From: Claire Moutin', null],
    ['From: Claire <claire@x>', null],
  ])('original sender of %j', (line, from) => {
    expect(findForward(`---------- Forwarded message ---------\n${line}\nDate: x\n\ntexte`)!.header.from).toEqual(from);
  });

  it('keeps the forwarder text without its quoted lines, and a forward with no header block', () => {
    const forward = findForward('Voir\n> ancien\n---------- Forwarded message ---------\n\ntexte transféré')!;
    expect(forward.forwarderText).toBe('Voir');
    expect(forward.header).toEqual({ from: null, subject: null, date: null });
    expect(forward.body).toBe('texte transféré');
  });

  it('stops reading nested forwards at the bound', () => {
    const level = (n: number): string => (n === 0 ? 'fin' : `niveau ${n}\n---------- Forwarded message ---------\nFrom: a${n}@x.fr\nDate: x\n\n${level(n - 1)}`);
    const texts = forwardedTexts(findForward(level(6))!);
    expect(texts).toHaveLength(4);
    expect(texts.at(-1)).toBe('niveau 3');
  });
});

describe('findQuoteBoundary', () => {
  it.each<[string, string, { kind: string; start: number; after: number } | null]>([
    ['gmail forward', 'a\n---------- Forwarded message ---------\nFrom: x', { kind: 'forward-separator', start: 1, after: 2 }],
    ['apple forward', 'a\n\nDébut du message réexpédié :\n\nDe: x', { kind: 'forward-separator', start: 2, after: 3 }],
    ['thunderbird', '-------- Message transféré --------\nSujet : x', { kind: 'forward-separator', start: 0, after: 1 }],
    ['outlook rule and block', 'a\n\n________________________________\nDe : x\nEnvoyé : y', { kind: 'header-block', start: 2, after: 3 }],
    ['original message', 'a\n-----Original Message-----\nFrom: x', { kind: 'original-separator', start: 1, after: 2 }],
    ['wrapped attribution', 'a\nLe jeu. 26 nov. 2026, Jean <j@x.fr> a\nécrit :\n> b', { kind: 'attribution', start: 1, after: 3 }],
    ['none', 'a\nb', null],
  ])('%s', (_name, text, want) => {
    expect(findQuoteBoundary(text.split('\n'))).toEqual(want);
  });
});

describe('requesterOf', () => {
  const forward = (originalSender: ForwardInfo['originalSender']): ForwardInfo => ({ via: 'inline', originalSender, originalSubject: SUBJECT });
  const collaborator = { address: 'paul.girard@cabinet-girard.fr', name: 'Paul Girard' };
  const agent = { address: 'sophie.martin@support.example.fr', name: 'Sophie Martin' };
  it.each<[string, { address: string; name: string } | null, ForwardInfo | null, boolean, { requester: unknown; forwardedBy: unknown }]>([
    ['a request', CLAIRE, null, false, { requester: CLAIRE, forwardedBy: null }],
    ['a collaborator’s forward is the collaborator’s', collaborator, forward(CLAIRE), false, { requester: collaborator, forwardedBy: null }],
    ['an agent’s forward is the original sender’s', agent, forward(CLAIRE), true, { requester: CLAIRE, forwardedBy: agent }],
    ['an agent’s forward as an attachment', agent, { via: 'attachment', originalSender: CLAIRE, originalSubject: SUBJECT }, true, { requester: CLAIRE, forwardedBy: agent }],
    ['an agent’s forward naming no address stays the agent’s', agent, forward(null), true, { requester: agent, forwardedBy: null }],
    ['an agent’s own request', agent, null, true, { requester: agent, forwardedBy: null }],
    ['an agent forwarding their own mail', agent, forward(agent), true, { requester: agent, forwardedBy: null }],
    ['no sender', null, forward(CLAIRE), false, { requester: null, forwardedBy: null }],
  ])('%s', (_name, from, fwd, isAgent, want) => {
    expect(requesterOf({ from }, fwd, isAgent)).toEqual(want);
  });
});
