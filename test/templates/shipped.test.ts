import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES, type ProblemCode } from '../../parsers/problems';
import { isAppError } from '../../src/errors';
import { CATALOG, statesOf, TEMPLATE_NAMES, type TemplateName, type TemplateVars } from '../../src/templates/catalog';
import { describeFields } from '../../src/templates/schema-fields';
import { AGENT_REPLY_ERRORS } from '../../src/templates/schemas';
import { TemplateStore } from '../../src/templates/store';

const store = new TemplateStore();
const REF = '[LJ-261126-0042]';
const example = <N extends TemplateName>(name: N, override: Partial<TemplateVars<N>> = {}): TemplateVars<N> => ({
  ...CATALOG[name].example,
  ...override,
});

const everyState = TEMPLATE_NAMES.flatMap((name) => statesOf(name).map((s) => [name, s.label, s.vars] as const));

describe('every shipped template renders in every state', () => {
  it.each(everyState)('%s — %s', (name, _label, vars) => {
    const mail = store.render(name, vars as never);
    expect(mail.templateName).toBe(name);
    expect(mail.templateVersion).toMatch(/^[0-9a-f]{12}$/);
    expect(mail.subject).not.toBe('');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text.trim()).not.toBe('');
    expect(mail.text.endsWith('\n')).toBe(true);
    if (mail.html !== null) expect(mail.html).toMatch(/^<!DOCTYPE html>/);
    expect(`${mail.subject}\n${mail.text}\n${mail.html ?? ''}`).not.toMatch(/undefined|\[object Object\]|NaN/);
  });
});

// Issue 12: people read French, never liquibot's codes (« état : awaiting_approval », REFUSAL_WITHOUT_REASON).
describe('no internal code in what people read', () => {
  const CODE = /\b[a-z]+_[a-z_]+\b|\b[A-Z]{2,}_[A-Z_]{2,}\b/;
  const mine = ['approval-request', 'agent-reply-error', 'already-decided', 'approval-confirmation', 'refusal', 'reminder-digest', 'refusal-confirmation'] as const;
  it.each(mine.flatMap((name) => statesOf(name).map((s) => [name, s.label, s.vars] as const)))('%s — %s', (name, _label, vars) => {
    const mail = store.render(name, vars as never);
    // Mailto links and tokens are not prose; the rest is.
    const prose = `${mail.subject}\n${mail.text}`.replace(/mailto:\S+|ljv-[0-9a-f]{32}|https:\/\/\S+/g, '');
    expect(prose).not.toMatch(CODE);
  });
});

describe('subjects', () => {
  const ticketMails = TEMPLATE_NAMES.filter((n) => 'ticketRef' in CATALOG[n].schema.shape && n !== 'reset-link');
  it.each(ticketMails)('%s carries the reference in brackets', (name) => {
    expect(store.render(name, CATALOG[name].example as never).subject).toContain(REF);
  });

  it.each([
    ['non-conformity', `${REF} Demande non conforme – LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE`],
    ['acknowledgment', `${REF} Demande reçue – LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE`],
    ['reset-link', '[LJ-261126-0042] Vos coordonnées dans net-entreprises'],
    ['already-decided', `${REF} Demande déjà traitée`],
    ['reminder-digest', '[Rappel] 3 demandes en attente de validation, 1 message à traiter, 1 lien bloqué'],
    ['refusal-confirmation', `${REF} Demande refusée par Paul Durand`],
  ] as const)('%s subject is %j', (name, subject) => {
    expect(store.render(name, CATALOG[name].example as never).subject).toBe(subject);
  });

  it('delivery-failure without a ticket has no brackets', () => {
    const mail = store.render('delivery-failure', example('delivery-failure', { ticketRef: null }));
    expect(mail.subject).toBe('Message non distribué à mandataire@etude-moutin.fr');
  });
});

describe('non-conformity explains each problem with what to do', () => {
  const wording: Record<ProblemCode, RegExp> = {
    SIRET_MISSING: /SIRET absent.*« SIRET concerné : » suivie des 14 chiffres/,
    SIRET_INVALID: /SIRET invalide.*n'est pas un SIRET valide/,
    SIRET_MULTIPLE: /une demande ne peut concerner qu'une seule entreprise.*demande distincte/,
    LIQUIDATOR_EMAIL_MISSING: /Adresse du liquidateur absente.*« Mail du liquidateur à renseigner : »/,
    LIQUIDATOR_EMAIL_INVALID: /Adresse du liquidateur invalide.*vérifiez l'adresse/,
    ATTACHMENT_MISSING: /joignez à votre réponse les minutes du greffe/,
    ATTACHMENT_INVALID: /format PDF, JPEG, PNG ou TIFF/,
  };

  it.each(PROBLEM_CODES)('%s alone', (code) => {
    const { text } = store.render('non-conformity', example('non-conformity', { problems: [{ code }] }));
    expect(text).toMatch(wording[code]);
    expect(text).toContain('Voici le point à corriger');
    for (const other of PROBLEM_CODES.filter((c) => c !== code)) expect(text).not.toMatch(wording[other]);
    expect(text).toContain(`répondez simplement à ce message`);
    expect(text).toContain(`en conservant la référence ${REF} dans l'objet`);
  });

  it('all problems at once', () => {
    const problems = PROBLEM_CODES.map((code) => ({ code }));
    const { text } = store.render('non-conformity', example('non-conformity', { problems }));
    for (const code of PROBLEM_CODES) expect(text).toMatch(wording[code]);
    expect(text).toContain('Voici les points à corriger');
  });

  it('shows what was found when known', () => {
    const { text } = store.render('non-conformity', example('non-conformity', { problems: [{ code: 'SIRET_INVALID', found: '12345678912345' }] }));
    expect(text).toContain('SIRET invalide (« 12345678912345 »)');
  });
});

describe('reset-link follows the procedure mail and never carries a password', () => {
  it.each([
    ['known administrator', 'MOUTIN CLAIRE', true],
    ['unknown administrator', null, false],
  ] as const)('%s', (_label, administratorName, greets) => {
    const mail = store.render('reset-link', example('reset-link', { administratorName, validityHours: 12, expiresAt: new Date('2026-11-27T03:02:00Z') }));
    for (const body of [mail.text, mail.html!]) {
      expect(body.includes("À l'attention de MOUTIN CLAIRE")).toBe(greets);
      if (!greets) expect(body).not.toContain("l'attention de");
      expect(body).toContain('Madame, Monsieur,');
      // Issue 12: the hours count from the sending, said precisely; the liquidator answers this very mail for a new link.
      expect(body).toContain('Ce lien est valable 12 heures à compter de l\'envoi du présent message, soit jusqu\'au 27/11/2026 à 04:02 (heure de Paris)');
      expect(body).toContain('répondez simplement à ce message');
      expect(body).not.toContain('ne pas répondre');
      expect(body).not.toContain('message de traitement');
      expect(body).toContain('« Qui sommes-nous » puis cliquez sur « nous contacter »');
      expect(body).toContain("Si vous n'êtes pas à l'origine de la demande");
    }
    expect(mail.text).toContain(`en cliquant sur ce lien : ${CATALOG['reset-link'].example.link}`);
    expect(mail.html).toContain(`href="${CATALOG['reset-link'].example.link.replace(/&/g, '&amp;')}"`);
    expect(mail.text.startsWith(greets ? "À l'attention de MOUTIN CLAIRE\n\nMadame, Monsieur," : 'Madame, Monsieur,')).toBe(true);
  });

  it('no schema has anything like a password', () => {
    for (const name of TEMPLATE_NAMES) {
      for (const f of describeFields(CATALOG[name].schema, undefined)) expect(f.path).not.toMatch(/pass|pwd|mot.?de.?passe/i);
    }
  });
});

describe('content of the other mails', () => {
  it.each([
    ['acknowledgment', [REF.slice(1, -1), 'en attente de traitement par nos agents', '732 829 320 00074']],
    ['approval-request', ['SIRET : 732 829 320 00074', 'SIREN : 732 829 320', 'mandataire@etude-moutin.fr', 'Claire Moutin <claire.moutin@etude-moutin.fr>',
      'Reçue le : 26/11/2026 à 14:48', '[OK] SIRET valide', "L’adresse du liquidateur est différente",
      'seul sur une ligne :\n  VALIDER\n', '  REFUSER : Le jugement joint concerne une autre entreprise.', '« Validé », « Je valide » ou « OK » ne valident pas',
      'Administrateur du compte (annuaire des comptes) : MOUTIN Claire', 'fiche publique : https://annuaire-entreprises.data.gouv.fr/entreprise/732829320',
      `Valider : ${CATALOG['approval-request'].example.approveMailto}`,
      `Refuser (remplacez le texte entre crochets par le motif) : ${CATALOG['approval-request'].example.refuseMailto}`]],
    ['resolved', ['a été traitée', "à l'adresse du liquidateur indiquée dans la demande : mandataire@etude-moutin.fr", 'valable 8 heures']],
    ['refusal', ['Motif :\nLe jugement joint concerne une autre entreprise.']],
    ['approval-confirmation', ['validée par Paul Durand <paul.durand@support.example.fr> le 26/11/2026 à 16:02']],
    ['already-decided', ['déjà été traitée par Sophie Martin <sophie.martin@support.example.fr> le 26/11/2026 à 16:02 (validée)']],
    ['refusal-confirmation', [
      'refusée par Paul Durand <paul.durand@support.example.fr> le 26/11/2026 à 16:02',
      'Motif transmis au demandeur (claire.moutin@etude-moutin.fr) :\nLe jugement joint concerne une autre entreprise.',
      "Aucun lien n'est envoyé à l'adresse du liquidateur (mandataire@etude-moutin.fr)",
    ]],
    ['link-still-valid', ["toujours valable jusqu'au 27/11/2026 à 00:02", 'mandataire@etude-moutin.fr']],
    ['reminder-digest', [
      '- LJ-261126-0042 – ESCALADE – en attente depuis 3 j 18 h', '- LJ-261126-0051 – EN RETARD – en attente depuis 39 h', '- LJ-261129-0007 – en attente depuis 22 h',
      'En file derrière LJ-261126-0051 (même entreprise)', 'ESCALADE au-delà de 72 h, signalée à responsable.support@support.example.fr',
      `  Valider : ${CATALOG['reminder-digest'].example.approvals[0]!.approveMailto}`,
      '- LJ-261120-0003 – résolue, lien envoyé – depuis le 29/11/2026 à 16:30 (16 h)',
      '- LJ-261118-0012 – lien envoyé à mandataire@etude-garnier.fr, bloqué le 29/11/2026 à 18:45 après 5 tentatives',
      'renvoyé toutes les 24 heures',
    ]],
    ['admin-template-error', ['« reset-link »', 'templates/reset-link/text.liquid:7:12 unknown variable "lien"', '(3f2a9c0d1e7b) reste en service']],
    ['delivery-failure', ['(code 550)', 'User unknown', 'mandataire@etude-moutin.fr']],
  ] as const)('%s', (name, expected) => {
    const { text } = store.render(name, CATALOG[name].example as never);
    for (const e of expected) expect(text).toContain(e);
  });

  it('resolved never contains the link', () => {
    const mail = store.render('resolved', CATALOG.resolved.example);
    expect(mail.text).not.toMatch(/https?:\/\//);
    expect('link' in CATALOG.resolved.schema.shape).toBe(false);
  });

  const replyErrors: Record<(typeof AGENT_REPLY_ERRORS)[number], RegExp> = {
    EMPTY: /aucun texte de votre part/,
    NEITHER: /aucune ligne ne commence par VALIDER ou REFUSER/,
    INEXACT_WORD: /seuls les mots exacts VALIDER et REFUSER sont pris en compte ; « Validé », « Je valide » ou « Refusé » ne le sont pas/,
    NEGATED: /contient une négation à côté de « valider » ou de « refuser »/,
    NOT_UNDERSTOOD: /VALIDER doit être seul sur sa ligne/,
    BOTH: /à la fois une validation et un refus/,
    REFUSAL_WITHOUT_REASON: /un refus doit être motivé/,
    REASON_PLACEHOLDER: /le motif est resté celui du modèle \(« <motif> », « \[motif\] », « motif », « xxx »…\)/,
    REASON_TOO_SHORT: /le motif est trop court.*au moins 2 mots et 8 lettres ou chiffres/,
    NOT_BOUND: /n'est pas une réponse au message « Validation requise » de ce dossier/,
  };
  it.each(Object.entries(replyErrors) as Array<[(typeof AGENT_REPLY_ERRORS)[number], RegExp]>)(
    'agent-reply-error %s explains itself, quotes what was read and shows the exact reply to send',
    (error, wording) => {
      const { text } = store.render('agent-reply-error', example('agent-reply-error', { error, read: ['Bonjour,', 'REFUSER <motif>'] }));
      expect(text).toMatch(wording);
      expect(text).toContain('Ce que nous avons lu dans votre réponse (hors texte cité et signature) :\n  | Bonjour,\n  | REFUSER <motif>\n');
      expect(text).toContain('seul sur une ligne :\n  VALIDER\nou, pour refuser, sur une ligne, REFUSER suivi du motif (au moins 2 mots, transmis au demandeur) :\n  REFUSER : Le jugement joint concerne une autre entreprise.');
      expect(text).toContain(`Valider : ${CATALOG['agent-reply-error'].example.approveMailto}`);
      // Only a reply bound to the approval request may be answered "reply to this message".
      expect(text.includes('ou à ce message-ci')).toBe(error !== 'NOT_BOUND');
    },
  );

  it('agent-reply-error without links sends the agent to the approval request', () => {
    const { text } = store.render('agent-reply-error', example('agent-reply-error', { approveMailto: null, refuseMailto: null, read: [] }));
    expect(text).toContain('répondez au message « [LJ-261126-0042] Validation requise » (bouton « Répondre »)');
    expect(text).not.toContain('mailto:');
    expect(text).not.toContain('Ce que nous avons lu');
  });

  it('reminder-digest: the escalation copy carries no decision link', () => {
    const vars = CATALOG['reminder-digest'].states.find((s) => s.vars.forEscalation)!.vars;
    const mail = store.render('reminder-digest', vars);
    expect(mail.subject).toMatch(/^\[Escalade\] /);
    expect(mail.text).not.toContain('mailto:');
    expect(mail.text).toContain('Des demandes attendent depuis plus de 72 heures');
  });

  it.each([
    ['APPROVED', 'validée'],
    ['REFUSED', 'refusée'],
  ] as const)('already-decided %s', (decision, word) => {
    expect(store.render('already-decided', example('already-decided', { decision })).text).toContain(`(${word})`);
  });
});

describe('render validates its variables first (programmer error)', () => {
  it.each([
    ['missing ticketRef', 'acknowledgment', { ...CATALOG.acknowledgment.example, ticketRef: undefined }],
    ['bad SIRET', 'acknowledgment', { ...CATALOG.acknowledgment.example, siret: '1234' }],
    ['javascript: link', 'reset-link', { ...CATALOG['reset-link'].example, link: 'javascript:alert(1)' }],
    ['unknown problem code', 'non-conformity', { ...CATALOG['non-conformity'].example, problems: [{ code: 'NOPE' }] }],
    ['no problem at all', 'non-conformity', { ...CATALOG['non-conformity'].example, problems: [] }],
    ['a string for a date', 'refusal', { ...CATALOG.refusal.example, refusedAt: '2026-11-26' }],
    ['a ticket reference with a line break', 'refusal', { ...CATALOG.refusal.example, ticketRef: 'LJ-261126-0042\r\nBcc: a@b.c' }],
  ] as const)('%s', (_label, name, vars) => {
    let error: unknown = null;
    try {
      store.render(name, vars as never);
    } catch (err) {
      error = err;
    }
    expect(isAppError(error, 'TEMPLATE_INVALID')).toBe(true);
  });

  it('an unknown template name', () => {
    expect(() => store.render('nope' as TemplateName, {} as never)).toThrow(/no template named nope/);
  });
});
