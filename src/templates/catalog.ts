import type { z } from 'zod';
import type { TemplatePart } from './engine';
import {
  acknowledgmentSchema,
  adminTemplateErrorSchema,
  agentReplyErrorSchema,
  alreadyDecidedSchema,
  approvalConfirmationSchema,
  approvalRequestSchema,
  deliveryFailureSchema,
  linkStillValidSchema,
  nonConformitySchema,
  refusalSchema,
  reminderDigestSchema,
  resetLinkSchema,
  resolvedSchema,
  tooLargeSchema,
} from './schemas';
import { EXAMPLES, STATES } from './examples';

/** Every mail liquibot sends; one folder `templates/<name>/` each. */
export const TEMPLATE_NAMES = [
  'acknowledgment',
  'non-conformity',
  'approval-request',
  'reset-link',
  'resolved',
  'refusal',
  'approval-confirmation',
  'agent-reply-error',
  'already-decided',
  'link-still-valid',
  'reminder-digest',
  'admin-template-error',
  'delivery-failure',
  'too-large',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** The zod schema of each mail's variables. */
export const TEMPLATE_SCHEMAS = {
  acknowledgment: acknowledgmentSchema,
  'non-conformity': nonConformitySchema,
  'approval-request': approvalRequestSchema,
  'reset-link': resetLinkSchema,
  resolved: resolvedSchema,
  refusal: refusalSchema,
  'approval-confirmation': approvalConfirmationSchema,
  'agent-reply-error': agentReplyErrorSchema,
  'already-decided': alreadyDecidedSchema,
  'link-still-valid': linkStillValidSchema,
  'reminder-digest': reminderDigestSchema,
  'admin-template-error': adminTemplateErrorSchema,
  'delivery-failure': deliveryFailureSchema,
  'too-large': tooLargeSchema,
} as const satisfies Record<TemplateName, z.ZodObject>;

export type TemplateSchema<N extends TemplateName> = (typeof TEMPLATE_SCHEMAS)[N];
/** What a caller passes to `render(name, vars)` (nullable fields may be omitted). */
export type TemplateVars<N extends TemplateName> = z.input<TemplateSchema<N>>;
/** What the template sees after validation (defaults filled in). */
export type TemplateData<N extends TemplateName> = z.output<TemplateSchema<N>>;

/** Who receives the mail. */
export type Audience = 'requester' | 'liquidator' | 'agents' | 'admins';

/** One situation a mail is sent in; every template must render in every state. */
export interface TemplateState<N extends TemplateName> {
  /** French label, shown in check messages. */
  label: string;
  vars: TemplateVars<N>;
}

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
  'agent-reply-error': {
    description: 'Réponse d’un agent non comprise, avec le rappel de la syntaxe VALIDER / REFUSER.',
    audience: 'agents',
    required: { subject: ['ticketRef'], text: ['ticketRef', 'error'] },
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
    description: 'Rappel aux agents : demandes en attente de décision depuis trop longtemps.',
    audience: 'agents',
    required: { text: ['requests'] },
  },
  'admin-template-error': {
    description: 'Une modification de modèle a été refusée ; la dernière version valide reste utilisée.',
    audience: 'admins',
    required: { text: ['templateName', 'errors'] },
  },
  'delivery-failure': {
    description: 'Un message n’a pas pu être distribué (erreur définitive 5xx).',
    audience: 'agents',
    required: { text: ['recipient', 'response'] },
  },
  'too-large': {
    description: 'Message trop volumineux pour être traité : il est conservé, le demandeur est invité à renvoyer une demande plus légère.',
    audience: 'requester',
    required: { text: ['maxBytes'] },
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
  'agent-reply-error': spec('agent-reply-error'),
  'already-decided': spec('already-decided'),
  'link-still-valid': spec('link-still-valid'),
  'reminder-digest': spec('reminder-digest'),
  'admin-template-error': spec('admin-template-error'),
  'delivery-failure': spec('delivery-failure'),
  'too-large': spec('too-large'),
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
