/** Stable codes for what makes a liquidator request non-conforming. */
export const PROBLEM_CODES = [
  'SIRET_MISSING',
  'SIRET_INVALID',
  'SIRET_MULTIPLE',
  'LIQUIDATOR_EMAIL_MISSING',
  'LIQUIDATOR_EMAIL_INVALID',
  'ATTACHMENT_MISSING',
  'ATTACHMENT_INVALID',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  code: ProblemCode;
  /** What was found, for the notice and the history (e.g. the invalid SIRET as written). Never a secret. */
  found?: string;
}

/** Why a mail is never answered. */
export const IGNORE_REASONS = ['auto-reply', 'bounce', 'bulk', 'own-mail', 'not-a-request'] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];
