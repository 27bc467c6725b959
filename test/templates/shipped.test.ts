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

describe('subjects', () => {
  const ticketMails = TEMPLATE_NAMES.filter((n) => 'ticketRef' in CATALOG[n].schema.shape && n !== 'reset-link');
  it.each(ticketMails)('%s carries the reference in brackets', (name) => {
    expect(store.render(name, CATALOG[name].example as never).subject).toContain(REF);
  });

  it.each([
    ['non-conformity', `${REF} Demande non conforme – LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE`],
    ['acknowledgment', `${REF} Demande reçue – LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE`],
    ['reset-link', 'Vos coordonnées dans net-entreprises'],
    ['already-decided', `${REF} Demande déjà traitée`],
    ['reminder-digest', '2 demandes en attente de validation depuis plus de 24 h'],
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
    const mail = store.render('reset-link', example('reset-link', { administratorName, validityHours: 12 }));
    for (const body of [mail.text, mail.html!]) {
      expect(body.includes("A l'attention de MOUTIN CLAIRE")).toBe(greets);
      if (!greets) expect(body).not.toContain("A l'attention de");
      expect(body).toContain('Madame, Monsieur,');
      expect(body).toContain('Ce lien a une durée de validité de 12 heures');
      expect(body).toContain("Si vous n'êtes pas à l'origine de la demande");
      expect(body).toContain('Veuillez ne pas répondre à ce message.');
    }
    expect(mail.text).toContain(`en cliquant sur ce lien : ${CATALOG['reset-link'].example.link}`);
    expect(mail.html).toContain(`href="${CATALOG['reset-link'].example.link.replace(/&/g, '&amp;')}"`);
    expect(mail.text.startsWith(greets ? "A l'attention de MOUTIN CLAIRE\n\nMadame, Monsieur," : 'Madame, Monsieur,')).toBe(true);
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
      'Reçue le : 26/11/2026 à 14:48', '[OK] SIRET valide', "L’adresse du liquidateur est différente", '  VALIDER\nou\n  REFUSER <motif>',
      `Valider : ${CATALOG['approval-request'].example.approveMailto}`, `Refuser : ${CATALOG['approval-request'].example.refuseMailto}`]],
    ['resolved', ['a été traitée', "à l'adresse du liquidateur indiquée dans la demande : mandataire@etude-moutin.fr", 'valable 8 heures']],
    ['refusal', ['Motif :\nLe jugement joint concerne une autre entreprise.']],
    ['approval-confirmation', ['validée par Paul Durand <paul.durand@support.example.fr> le 26/11/2026 à 16:02']],
    ['already-decided', ['déjà été traitée par Sophie Martin le 26/11/2026 à 16:02 (validée)']],
    ['link-still-valid', ["toujours valable jusqu'au 27/11/2026 à 00:02", 'mandataire@etude-moutin.fr']],
    ['reminder-digest', ['LJ-261126-0042', 'LJ-261126-0051', 'en attente depuis 42 h', 'plus de 24 heures']],
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
    NOT_UNDERSTOOD: /première ligne n'a pas été comprise/,
    BOTH: /à la fois VALIDER et REFUSER/,
    NEITHER: /ni VALIDER ni REFUSER/,
    REFUSAL_WITHOUT_REASON: /un refus doit être motivé/,
    NOT_BOUND: /n'est pas une réponse au message de demande de validation/,
  };
  it.each(Object.entries(replyErrors) as Array<[(typeof AGENT_REPLY_ERRORS)[number], RegExp]>)(
    'agent-reply-error %s explains itself and reminds the grammar',
    (error, wording) => {
      const { text } = store.render('agent-reply-error', example('agent-reply-error', { error }));
      expect(text).toMatch(wording);
      expect(text).toContain('  VALIDER\nou\n  REFUSER <motif>');
    },
  );

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
