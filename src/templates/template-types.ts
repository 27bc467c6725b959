/**
 * The names of the mails and the types of their variables: what templates, examples and callers share.
 * Kept apart from catalog.ts so that the examples can use these types without an import cycle.
 */
import type { z } from 'zod';
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
  refusalConfirmationSchema,
  reminderDigestSchema,
  resetLinkSchema,
  resolvedSchema,
  tooLargeSchema,
  handoffSchema,
  handoffNoticeSchema,
} from './schemas';

/** Every mail liquibot sends; one folder `templates/<name>/` each. */
export const TEMPLATE_NAMES = [
  'acknowledgment',
  'non-conformity',
  'approval-request',
  'reset-link',
  'resolved',
  'refusal',
  'approval-confirmation',
  'refusal-confirmation',
  'agent-reply-error',
  'already-decided',
  'link-still-valid',
  'reminder-digest',
  'admin-template-error',
  'delivery-failure',
  'too-large',
  'handoff',
  'handoff-notice',
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
  'refusal-confirmation': refusalConfirmationSchema,
  'agent-reply-error': agentReplyErrorSchema,
  'already-decided': alreadyDecidedSchema,
  'link-still-valid': linkStillValidSchema,
  'reminder-digest': reminderDigestSchema,
  'admin-template-error': adminTemplateErrorSchema,
  'delivery-failure': deliveryFailureSchema,
  'too-large': tooLargeSchema,
  handoff: handoffSchema,
  'handoff-notice': handoffNoticeSchema,
} as const satisfies Record<TemplateName, z.ZodObject>;

export type TemplateSchema<N extends TemplateName> = (typeof TEMPLATE_SCHEMAS)[N];
/** What a caller passes to `render(name, vars)` (nullable fields may be omitted). */
export type TemplateVars<N extends TemplateName> = z.input<TemplateSchema<N>>;
/** What the template sees after validation (defaults filled in). */
export type TemplateData<N extends TemplateName> = z.output<TemplateSchema<N>>;


/** One situation a mail is sent in; every template must render in every state. */
export interface TemplateState<N extends TemplateName> {
  /** French label, shown in check messages. */
  label: string;
  vars: TemplateVars<N>;
}

