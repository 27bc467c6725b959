import { MIN_REASON_CHARACTERS, MIN_REASON_WORDS, REASON_HINT } from '../../parsers/agent-reply';
import { PROBLEM_CODES } from '../../parsers/problems';
import type { TemplateName, TemplateState, TemplateVars } from './template-types';
import { AGENT_REPLY_ERRORS } from './schemas';

// Sample data: previews, docs, and the states every template must render in.
// Realistic but fictitious; 73282932000074 is a Luhn-valid SIRET.

const REF = 'LJ-261126-0042';
const RECEIVED = new Date('2026-11-26T13:48:00Z');
const LATER = new Date('2026-11-26T15:02:00Z');
const REQUESTER = { email: 'claire.moutin@etude-moutin.fr', name: 'Claire Moutin' };
const AGENT = { email: 'paul.durand@support.example.fr', name: 'Paul Durand' };
const OTHER_AGENT = { email: 'sophie.martin@support.example.fr', name: 'Sophie Martin' };
const SIRET = '73282932000074';
const LIQUIDATOR = 'mandataire@etude-moutin.fr';
const MAILTO_BASE = 'mailto:support@example.fr?subject=%5BLJ-261126-0042%5D%20';
const TOKEN = 'ljv-3f9c2a7e51b04d68a1e0c7b95d2f4e81';
const APPROVE = `${MAILTO_BASE}Validation&body=VALIDER%0A%0A${TOKEN}`;
const REFUSE = `${MAILTO_BASE}Refus&body=${encodeURIComponent(`REFUSER : ${REASON_HINT}\n\n`)}${TOKEN}`;

/** One sample per mail. */
export const EXAMPLES: { readonly [N in TemplateName]: TemplateVars<N> } = {
  acknowledgment: { ticketRef: REF, requester: REQUESTER, receivedAt: RECEIVED, siret: SIRET, liquidatorEmail: LIQUIDATOR },
  'non-conformity': {
    ticketRef: REF,
    requester: REQUESTER,
    receivedAt: RECEIVED,
    problems: [{ code: 'SIRET_INVALID', found: '12345678912345' }, { code: 'ATTACHMENT_MISSING' }],
  },
  'approval-request': {
    ticketRef: REF,
    requester: REQUESTER,
    receivedAt: RECEIVED,
    siret: SIRET,
    liquidatorEmail: LIQUIDATOR,
    checks: [
      { label: 'SIRET valide (clé de contrôle)', ok: true },
      { label: 'Adresse du liquidateur', ok: true, detail: LIQUIDATOR },
      { label: 'Minutes du greffe en pièce jointe', ok: true, detail: 'jugement.pdf (PDF, 182 Ko)' },
    ],
    warnings: ['L’adresse du liquidateur est différente de celle du demandeur.'],
    companyName: null,
    administratorName: 'MOUTIN Claire',
    approveMailto: APPROVE,
    refuseMailto: REFUSE,
    approvalToken: TOKEN,
    documentReadings: [
      'jugement.pdf (texte, 2/2 page(s)) : Tribunal de commerce de Nanterre (p. 1) ; jugement du 12 novembre 2026 (p. 1) ; société EXEMPLE INDUSTRIE (p. 1) ; liquidateur ou mandataire : SELARL MJ CONSEIL (p. 2) ; SIREN 732 829 320 trouvé (p. 1).',
    ],
  },
  'reset-link': {
    ticketRef: REF,
    requester: REQUESTER,
    siret: SIRET,
    administratorName: 'MOUTIN CLAIRE',
    link: 'https://portail.net-entreprises.fr/auth/MAG/mail?hash=exemple-8oI7ifyBysGFXB7r&d=MjAyNi0xMS0yNg==',
    validityHours: 8,
    expiresAt: new Date(LATER.getTime() + 8 * 3_600_000),
  },
  resolved: {
    ticketRef: REF,
    requester: REQUESTER,
    siret: SIRET,
    liquidatorEmail: LIQUIDATOR,
    sentAt: LATER,
    validityHours: 8,
  },
  refusal: {
    ticketRef: REF,
    requester: REQUESTER,
    siret: SIRET,
    reason: 'Le jugement joint concerne une autre entreprise.',
    refusedAt: LATER,
  },
  'approval-confirmation': {
    ticketRef: REF,
    requester: REQUESTER,
    siret: SIRET,
    liquidatorEmail: LIQUIDATOR,
    approvedBy: AGENT,
    approvedAt: LATER,
  },
  'refusal-confirmation': {
    ticketRef: REF,
    requester: REQUESTER,
    siret: SIRET,
    liquidatorEmail: LIQUIDATOR,
    reason: 'Le jugement joint concerne une autre entreprise.',
    refusedBy: AGENT,
    refusedAt: LATER,
  },
  'agent-reply-error': {
    ticketRef: REF,
    requester: REQUESTER,
    agent: AGENT,
    error: 'REASON_PLACEHOLDER',
    read: ['REFUSER <motif>'],
    minReasonWords: MIN_REASON_WORDS,
    minReasonCharacters: MIN_REASON_CHARACTERS,
    approveMailto: APPROVE,
    refuseMailto: REFUSE,
  },
  'already-decided': {
    ticketRef: REF,
    requester: REQUESTER,
    agent: AGENT,
    decision: 'APPROVED',
    decidedBy: OTHER_AGENT,
    decidedAt: LATER,
  },
  'link-still-valid': {
    ticketRef: REF,
    requester: REQUESTER,
    siret: SIRET,
    sentTo: LIQUIDATOR,
    sentAt: LATER,
    validUntil: new Date('2026-11-26T23:02:00Z'),
  },
  'reminder-digest': {
    thresholdHours: 24,
    repeatHours: 24,
    escalationHours: 72,
    escalationAddress: 'responsable.support@support.example.fr',
    forEscalation: false,
    generatedAt: new Date('2026-11-30T08:00:00Z'),
    approvals: [
      {
        ticketRef: REF, siret: SIRET, requesterEmail: REQUESTER.email, receivedAt: RECEIVED, waitingSince: RECEIVED, waitingHours: 90,
        overdue: true, escalated: true, approveMailto: APPROVE, refuseMailto: REFUSE,
      },
      {
        ticketRef: 'LJ-261126-0051', siret: '35600000000048', requesterEmail: 'greffe@mj-exemple.fr',
        receivedAt: new Date('2026-11-26T16:10:00Z'), waitingSince: new Date('2026-11-28T16:10:00Z'), waitingHours: 39,
        overdue: true, escalated: false, approveMailto: APPROVE, refuseMailto: REFUSE,
      },
      {
        ticketRef: 'LJ-261129-0007', siret: '35600000000048', requesterEmail: 'scp@autre-etude.example.fr',
        receivedAt: new Date('2026-11-29T10:00:00Z'), waitingSince: new Date('2026-11-29T10:00:00Z'), waitingHours: 22,
        overdue: false, escalated: false, behind: 'LJ-261126-0051',
      },
    ],
    needsPerson: [
      { ticketRef: 'LJ-261120-0003', status: 'résolue, lien envoyé', since: new Date('2026-11-29T15:30:00Z'), waitingHours: 16, overdue: false, escalated: false },
    ],
    lockedLinks: [
      { ticketRef: 'LJ-261118-0012', liquidatorEmail: 'mandataire@etude-garnier.fr', lockedAt: new Date('2026-11-29T17:45:00Z'), failedAttempts: 5 },
    ],
  },
  'admin-template-error': {
    templateName: 'reset-link',
    errors: [
      { file: 'templates/reset-link/text.liquid', line: 7, column: 12, message: 'unknown variable "lien"' },
      { file: 'templates/reset-link/text.liquid', line: 1, column: 1, message: 'required variable "link" is not used' },
    ],
    rejectedAt: LATER,
    activeVersion: '3f2a9c0d1e7b',
  },
  'delivery-failure': {
    ticketRef: REF,
    recipient: LIQUIDATOR,
    mailName: 'reset-link',
    responseCode: 550,
    response: '550 5.1.1 <mandataire@etude-moutin.fr>: Recipient address rejected: User unknown',
    failedAt: LATER,
  },
  'too-large': {
    requester: REQUESTER,
    subject: 'LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE',
    receivedAt: RECEIVED,
    sizeBytes: 83_886_080,
    maxBytes: 52_428_800,
  },
  handoff: {
    ticketRef: REF,
    requester: REQUESTER,
    status: 'en attente de validation',
    siret: SIRET,
    liquidatorEmail: LIQUIDATOR,
    reason: 'QUESTION_WHILE_AWAITING',
    message: {
      from: REQUESTER,
      subject: 'RE: [LJ-261126-0042] Demande reçue',
      receivedAt: LATER,
      text: 'Bonjour,\nPouvez-vous me dire sous quel délai le lien sera envoyé ?\nMerci',
      bound: true,
    },
  },
  'handoff-notice': { ticketRef: REF, requester: REQUESTER, subject: 'RE: [LJ-261126-0042] Demande reçue', receivedAt: LATER },
};

function variant<N extends TemplateName>(name: N, label: string, override: Partial<TemplateVars<N>>): TemplateState<N> {
  return { label, vars: { ...EXAMPLES[name], ...override } };
}

/** Every situation each mail is sent in, beyond the example. */
export const STATES: { readonly [N in TemplateName]: readonly TemplateState<N>[] } = {
  acknowledgment: [variant('acknowledgment', 'demandeur sans nom', { requester: { email: REQUESTER.email, name: null } })],
  'non-conformity': [
    ...PROBLEM_CODES.map((code) => variant('non-conformity', `problème ${code} seul`, { problems: [{ code }] })),
    ...PROBLEM_CODES.map((code) =>
      variant('non-conformity', `problème ${code} avec valeur trouvée`, { problems: [{ code, found: 'valeur' }] }),
    ),
    variant('non-conformity', 'tous les problèmes', { problems: PROBLEM_CODES.map((code) => ({ code })) }),
    // What was found, said precisely (parsers/problems.ts PROBLEM_HINTS)
    variant('non-conformity', 'SIRET écrit hors de la ligne « SIRET concerné »', {
      problems: [{ code: 'SIRET_MISSING', found: '732 829 320 00074', hint: 'SIRET_UNLABELLED' }],
    }),
    variant('non-conformity', 'SIREN au lieu du SIRET', { problems: [{ code: 'SIRET_INVALID', found: '732 829 320', hint: 'SIREN_NOT_SIRET', digits: 9 }] }),
    variant('non-conformity', 'SIRET à 13 chiffres', { problems: [{ code: 'SIRET_INVALID', found: '7328293200007', hint: 'SIRET_WRONG_LENGTH', digits: 13 }] }),
    variant('non-conformity', 'SIRET à un chiffre', { problems: [{ code: 'SIRET_INVALID', found: '5', hint: 'SIRET_WRONG_LENGTH', digits: 1 }] }),
    variant('non-conformity', 'SIRET à 14 chiffres, clé fausse', {
      problems: [{ code: 'SIRET_INVALID', found: '123 456 789 12345', hint: 'SIRET_CHECK_FAILED', digits: 14 }],
    }),
    variant('non-conformity', 'SIRET avec des lettres', { problems: [{ code: 'SIRET_INVALID', found: '7328293200O074', hint: 'SIRET_NOT_DIGITS' }] }),
    variant('non-conformity', 'pas de numéro après le libellé', { problems: [{ code: 'SIRET_INVALID', found: 'voir pièce jointe', hint: 'SIRET_NO_NUMBER' }] }),
    variant('non-conformity', 'adresse écrite sans libellé', {
      problems: [{ code: 'LIQUIDATOR_EMAIL_MISSING', found: 'marc.lefevre@lefevre-mj.fr', hint: 'EMAIL_UNLABELLED' }],
    }),
    variant('non-conformity', 'précisions sans valeur trouvée', {
      problems: [
        { code: 'SIRET_INVALID', hint: 'SIRET_WRONG_LENGTH' },
        { code: 'LIQUIDATOR_EMAIL_MISSING', hint: 'EMAIL_UNLABELLED' },
      ],
    }),
  ],
  'approval-request': [
    variant('approval-request', 'sans avertissement', { warnings: [] }),
    variant('approval-request', 'document non lu', { documentReadings: [] }),
    variant('approval-request', 'contrôle en échec', {
      checks: [{ label: 'Minutes du greffe en pièce jointe', ok: false, detail: 'type non reconnu' }],
    }),
    variant('approval-request', 'demandeur sans nom', { requester: { email: REQUESTER.email, name: null } }),
  ],
  'reset-link': [variant('reset-link', 'administrateur inconnu', { administratorName: null })],
  resolved: [variant('resolved', 'demandeur sans nom', { requester: { email: REQUESTER.email } })],
  refusal: [variant('refusal', 'sans SIRET', { siret: null })],
  'approval-confirmation': [
    variant('approval-confirmation', 'agent sans nom', { approvedBy: { email: AGENT.email, name: null } }),
  ],
  'refusal-confirmation': [
    variant('refusal-confirmation', 'agent sans nom, sans SIRET ni liquidateur', { refusedBy: { email: AGENT.email, name: null }, siret: null, liquidatorEmail: null }),
    variant('refusal-confirmation', 'refus au terminal', { refusedBy: { email: 'agents@support.example.fr', name: 'Paul Durand (terminal)' } }),
  ],
  'agent-reply-error': [
    ...AGENT_REPLY_ERRORS.map((error) => variant('agent-reply-error', `erreur ${error}`, { error })),
    variant('agent-reply-error', 'sans ligne lue ni liens', { read: [], approveMailto: null, refuseMailto: null }),
    variant('agent-reply-error', 'plusieurs lignes lues', { error: 'BOTH', read: ['VALIDER', 'En fait non, refus : SIRET erroné'] }),
  ],
  'already-decided': [
    variant('already-decided', 'déjà refusée', { decision: 'REFUSED' }),
    variant('already-decided', 'agent sans nom', { decidedBy: { email: OTHER_AGENT.email, name: null } }),
  ],
  'link-still-valid': [],
  'reminder-digest': [
    variant('reminder-digest', 'une seule demande, sans SIRET, sans escalade', {
      escalationHours: null, escalationAddress: null,
      approvals: [{
        ticketRef: REF, requesterEmail: REQUESTER.email, receivedAt: RECEIVED, waitingSince: RECEIVED, waitingHours: 25, overdue: true, escalated: false,
      }],
      needsPerson: [], lockedLinks: [],
    }),
    variant('reminder-digest', 'exemplaire d’escalade', {
      forEscalation: true,
      approvals: [{
        ticketRef: REF, siret: SIRET, requesterEmail: REQUESTER.email, receivedAt: RECEIVED, waitingSince: RECEIVED, waitingHours: 90, overdue: true, escalated: true,
      }],
    }),
    variant('reminder-digest', 'aucune demande en attente, seulement un lien bloqué', { approvals: [], needsPerson: [] }),
    variant('reminder-digest', 'seulement un message à traiter', { approvals: [], lockedLinks: [] }),
  ],
  'admin-template-error': [variant('admin-template-error', 'aucune version active', { activeVersion: null })],
  'delivery-failure': [
    variant('delivery-failure', 'sans dossier ni code', { ticketRef: null, responseCode: null, mailName: 'reminder-digest' }),
    variant('delivery-failure', 'essais épuisés sur des erreurs temporaires', { responseCode: 451, permanent: false, attempts: 8 }),
  ],
  'too-large': [variant('too-large', 'expéditeur sans nom, objet vide', { requester: { email: REQUESTER.email, name: null }, subject: '' })],
  handoff: [
    variant('handoff', 'message hors fil (non lié), sans SIRET ni liquidateur', {
      siret: null, liquidatorEmail: null, reason: 'UNBOUND',
      message: { from: { email: 'inconnu@example.fr', name: null }, subject: '', receivedAt: LATER, text: '', bound: false },
    }),
    variant('handoff', 'lien déjà utilisé', { reason: 'LINK_ALREADY_USED', status: 'résolue, lien envoyé' }),
  ],
  'handoff-notice': [variant('handoff-notice', 'expéditeur sans nom, objet vide', { requester: { email: REQUESTER.email, name: null }, subject: '' })],
};
