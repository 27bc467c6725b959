import type { z } from 'zod';
import type { TemplatePart } from './engine';
import { EXAMPLES, STATES } from './examples';
import {
  TEMPLATE_NAMES, TEMPLATE_SCHEMAS, type TemplateName, type TemplateSchema, type TemplateState, type TemplateVars,
} from './template-types';

export {
  TEMPLATE_NAMES, TEMPLATE_SCHEMAS, type TemplateData, type TemplateName, type TemplateSchema, type TemplateState, type TemplateVars,
} from './template-types';

/** Who receives the mail. */
export type Audience = 'requester' | 'liquidator' | 'agents' | 'admins';

export interface TemplateSpec<N extends TemplateName> {
  name: N;
  /** French, for admins. */
  description: string;
  audience: Audience;
  schema: TemplateSchema<N>;
  /** Sample data for previews and docs. */
  example: TemplateVars<N>;
  /** Top-level variables each part must reference (a template without them is refused). */
  required: Partial<Record<TemplatePart, readonly string[]>>;
  /** Every state the mail is sent in (the example is always checked too). */
  states: readonly TemplateState<N>[];
}

const SPEC_TEXT: { [N in TemplateName]: Pick<TemplateSpec<N>, 'description' | 'audience' | 'required'> } = {
  acknowledgment: {
    description: 'Accusé de réception d’une demande conforme, en attente de traitement par les agents.',
    audience: 'requester',
    required: { subject: ['ticketRef'], text: ['ticketRef'] },
  },
  'non-conformity': {
    description: 'Demande non conforme : chaque problème expliqué, avec ce qu’il faut faire.',
    audience: 'requester',
    required: { subject: ['ticketRef'], text: ['ticketRef', 'problems'] },
  },
  'approval-request': {
    description: 'Demande de validation envoyée aux agents, avec les liens Valider / Refuser.',
    audience: 'agents',
    required: {
      subject: ['ticketRef'],
      text: ['ticketRef', 'siret', 'liquidatorEmail', 'approveMailto', 'refuseMailto', 'approvalToken'],
      html: ['ticketRef', 'siret', 'liquidatorEmail', 'approveMailto', 'refuseMailto', 'approvalToken'],
    },
  },
  'reset-link': {
    description: 'Lien de création du mot de passe, envoyé à l’adresse du liquidateur. Jamais de mot de passe.',
    audience: 'liquidator',
    required: { text: ['link', 'validityHours'], html: ['link', 'validityHours'] },
  },
  resolved: {
    description: 'Demande traitée : le lien a été envoyé à l’adresse du liquidateur (ne contient jamais le lien).',
    audience: 'requester',
    required: { subject: ['ticketRef'], text: ['ticketRef', 'liquidatorEmail'] },
  },
  refusal: {
    description: 'Demande refusée par les agents, avec leur motif.',
    audience: 'requester',
    required: { subject: ['ticketRef'], text: ['ticketRef', 'reason'] },
  },
  'approval-confirmation': {
    description: 'Confirmation aux agents : qui a validé, et quand.',
    audience: 'agents',
    required: { subject: ['ticketRef'], text: ['approvedBy', 'approvedAt'] },
  },
  'refusal-confirmation': {
    description: 'Confirmation aux agents : qui a refusé, quand, et le motif transmis au demandeur.',
    audience: 'agents',
    required: { subject: ['ticketRef'], text: ['refusedBy', 'refusedAt', 'reason'] },
  },
  'agent-reply-error': {
    description: 'Réponse d’un agent non prise en compte : ce qui a été lu, pourquoi, et la réponse exacte à envoyer (avec les liens Valider / Refuser quand ils peuvent être refaits).',
    audience: 'agents',
    required: { subject: ['ticketRef'], text: ['ticketRef', 'error', 'read'] },
  },
  'already-decided': {
    description: 'Réponse d’un agent arrivée après la décision d’un autre agent.',
    audience: 'agents',
    required: { subject: ['ticketRef'], text: ['decidedBy', 'decidedAt'] },
  },
  'link-still-valid': {
    description: 'Nouvelle demande alors que le lien déjà envoyé est encore valable.',
    audience: 'requester',
    required: { subject: ['ticketRef'], text: ['validUntil'] },
  },
  'reminder-digest': {
    description: 'Rappel aux agents (et, au-delà du seuil d’escalade, à l’adresse d’escalade) : toute la file des demandes en attente de décision avec leur âge, les messages qui attendent une personne, les liens bloqués.',
    audience: 'agents',
    required: { text: ['approvals', 'needsPerson', 'lockedLinks'] },
  },
  'admin-template-error': {
    description: 'Une modification de modèle a été refusée ; la dernière version valide reste utilisée.',
    audience: 'admins',
    required: { text: ['templateName', 'errors'] },
  },
  'delivery-failure': {
    description: 'Un message n’a pas pu être distribué (erreur définitive 5xx, ou 4xx après OUTBOX_MAX_ATTEMPTS tentatives).',
    audience: 'agents',
    required: { text: ['recipient', 'response'] },
  },
  'too-large': {
    description: 'Message trop volumineux pour être traité : il est conservé, le demandeur est invité à renvoyer une demande plus légère.',
    audience: 'requester',
    required: { text: ['maxBytes'] },
  },
  handoff: {
    description: 'Un message que liquibot ne traite pas lui-même (question, réponse hors fil, lien déjà utilisé…), transmis aux agents avec le contexte de la demande.',
    audience: 'agents',
    required: { subject: ['ticketRef'], text: ['ticketRef', 'message', 'reason'] },
  },
  'handoff-notice': {
    description: 'À l’expéditeur d’un message transmis aux agents : une personne va lui répondre.',
    audience: 'requester',
    required: { subject: ['ticketRef'], text: ['ticketRef'] },
  },
};

function spec<N extends TemplateName>(name: N): TemplateSpec<N> {
  return {
    name,
    ...SPEC_TEXT[name],
    schema: TEMPLATE_SCHEMAS[name],
    example: EXAMPLES[name],
    states: STATES[name],
  };
}

/** Everything known about each mail: schema, sample data, required variables, states. */
export const CATALOG: { readonly [N in TemplateName]: TemplateSpec<N> } = {
  acknowledgment: spec('acknowledgment'),
  'non-conformity': spec('non-conformity'),
  'approval-request': spec('approval-request'),
  'reset-link': spec('reset-link'),
  resolved: spec('resolved'),
  refusal: spec('refusal'),
  'approval-confirmation': spec('approval-confirmation'),
  'refusal-confirmation': spec('refusal-confirmation'),
  'agent-reply-error': spec('agent-reply-error'),
  'already-decided': spec('already-decided'),
  'link-still-valid': spec('link-still-valid'),
  'reminder-digest': spec('reminder-digest'),
  'admin-template-error': spec('admin-template-error'),
  'delivery-failure': spec('delivery-failure'),
  'too-large': spec('too-large'),
  handoff: spec('handoff'),
  'handoff-notice': spec('handoff-notice'),
};

/** True when `name` is one of our mails. */
export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/** Every state to check for a mail: the example first, then the declared states. */
export function statesOf<N extends TemplateName>(name: N): TemplateState<N>[] {
  const s = CATALOG[name] as TemplateSpec<N>;
  return [{ label: 'exemple', vars: s.example }, ...s.states];
}
