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

/**
 * What exactly was seen, when a code alone would give the requester a wrong or vague answer.
 * A hint refines its code and never changes it: the workflow merges and counts problems by code
 * (src/workflow/ticket-check.ts), and a problem stored without a hint still reads right.
 *
 * - SIRET_UNLABELLED (on SIRET_MISSING): a valid SIRET is written in the text, not on a labelled line; `found` quotes it.
 * - SIREN_NOT_SIRET (on SIRET_INVALID): the value is a 9-digit SIREN, not the 14-digit SIRET.
 * - SIRET_WRONG_LENGTH (on SIRET_INVALID): a number of `digits` digits, neither 9 nor 14.
 * - SIRET_CHECK_FAILED (on SIRET_INVALID): 14 digits whose check (Luhn, La Poste) fails.
 * - SIRET_NOT_DIGITS (on SIRET_INVALID): letters mixed into the number (an O for a 0…).
 * - SIRET_NO_NUMBER (on SIRET_INVALID): the label is followed by words, no number.
 * - EMAIL_UNLABELLED (on LIQUIDATOR_EMAIL_MISSING): addresses written in the text with no label; `found` quotes them.
 */
export const PROBLEM_HINTS = [
  'SIRET_UNLABELLED',
  'SIREN_NOT_SIRET',
  'SIRET_WRONG_LENGTH',
  'SIRET_CHECK_FAILED',
  'SIRET_NOT_DIGITS',
  'SIRET_NO_NUMBER',
  'EMAIL_UNLABELLED',
] as const;

export type ProblemHint = (typeof PROBLEM_HINTS)[number];

export interface Problem {
  code: ProblemCode;
  /** What was found, for the notice and the history (e.g. the invalid SIRET as written). Never a secret. */
  found?: string;
  /** What exactly was seen (see PROBLEM_HINTS); absent when the code says it all. */
  hint?: ProblemHint;
  /** How many digits the number written as the SIRET has (SIREN_NOT_SIRET, SIRET_WRONG_LENGTH, SIRET_CHECK_FAILED). */
  digits?: number;
}

/** Why a mail is never answered. */
export const IGNORE_REASONS = ['auto-reply', 'bounce', 'bulk', 'own-mail', 'not-a-request'] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];
