/**
 * The whole verdict on one mail, as `liquibot check --json` prints it:
 * loop guard → subject → request check.
 */
import { checkRequest } from './check-request.js';
import type { InboundMail } from './inbound-mail.js';
import { detectIgnoreReason, type OwnIdentity } from './loop-guard.js';
import type { IgnoreReason, ProblemCode } from './problems.js';
import { isRequestSubject } from './subject.js';

/** The JSON object `liquibot check --json` prints for one mail. */
export interface MailVerdict {
  /** False when the mail is ignored (never answered); ignoreReason says why. */
  handled: boolean;
  ignoreReason: IgnoreReason | null;
  /** null when not handled. */
  verdict: 'conforme' | 'non_conforme' | null;
  siret: string | null;
  liquidatorEmail: string | null;
  /** Problem codes in the stable order of checkRequest; [] when not handled. */
  problems: ProblemCode[];
}

function ignored(reason: IgnoreReason): MailVerdict {
  return { handled: false, ignoreReason: reason, verdict: null, siret: null, liquidatorEmail: null, problems: [] };
}

/**
 * Verdict on one mail: ignored (auto-reply, bounce, bulk, own-mail, then not-a-request when the
 * subject is not the procedure's), else conforme / non_conforme with the problem codes.
 */
export function verdictOf(mail: InboundMail, own: OwnIdentity): MailVerdict {
  const loop = detectIgnoreReason(mail, own);
  if (loop) return ignored(loop);
  if (!isRequestSubject(mail.subject)) return ignored('not-a-request');
  const check = checkRequest(mail);
  return {
    handled: true,
    ignoreReason: null,
    verdict: check.problems.length === 0 ? 'conforme' : 'non_conforme',
    siret: check.siret,
    liquidatorEmail: check.liquidatorEmail,
    problems: check.problems.map((p) => p.code),
  };
}
