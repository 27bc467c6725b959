import type { TemplateVars } from './catalog';
import type { TemplateRejection } from './store';

/** At most this many errors go into the admins' mail; the CLI check lists them all. */
export const MAX_ERRORS_IN_MAIL = 30;

/**
 * The variables of the `admin-template-error` mail for a refused edit, as reported by
 * TemplateStore's onRejected: render them with `store.render('admin-template-error', …)`.
 */
export function rejectionMailVars(rejection: TemplateRejection, now: Date): TemplateVars<'admin-template-error'> {
  const errors = rejection.errors.slice(0, MAX_ERRORS_IN_MAIL).map(({ file, line, column, message }) => ({ file, line, column, message }));
  const left = rejection.errors.length - errors.length;
  if (left > 0) errors.push({ file: '…', line: 0, column: 0, message: `${left} more: run "liquibot templates check"` });
  return { templateName: rejection.name, errors, rejectedAt: now, activeVersion: rejection.activeVersion };
}
