/**
 * The whole verdict on one mail, as `liquibot check --json` prints it:
 * loop guard → is it a request (subject, or the form's fields) → request check.
 */
import { checkRequest } from './check-request.js';
import { requesterOf } from './forwarded.js';
import type { InboundMail, SenderAddress } from './inbound-mail.js';
import { looksLikeRequest } from './looks-like-request.js';
import { detectIgnoreReason, type OwnIdentity } from './loop-guard.js';
import type { IgnoreReason, ProblemCode } from './problems.js';

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
  /**
   * The address liquibot answers: the sender (a collaborator's forward included), or the original
   * sender of a request an agent forwarded on its behalf; null when not handled.
   */
  requester: string | null;
}

export interface VerdictOptions {
  /** Whether the sender is on the agents' allow-list (AGENT_SENDERS); nobody when absent. */
  isAgent?: (sender: SenderAddress) => boolean;
}

function ignored(reason: IgnoreReason): MailVerdict {
  return { handled: false, ignoreReason: reason, verdict: null, siret: null, liquidatorEmail: null, problems: [], requester: null };
}

/**
 * Verdict on one mail: ignored (auto-reply, bounce, bulk, own-mail, then not-a-request when it does
 * not look like a request, see looks-like-request.ts), else conforme / non_conforme with the problem codes.
 */
export function verdictOf(mail: InboundMail, own: OwnIdentity, options: VerdictOptions = {}): MailVerdict {
  const loop = detectIgnoreReason(mail, own);
  if (loop) return ignored(loop);
  if (!looksLikeRequest(mail)) return ignored('not-a-request');
  const check = checkRequest(mail);
  const senderIsAgent = mail.from !== null && (options.isAgent?.(mail.from) ?? false);
  return {
    handled: true,
    ignoreReason: null,
    verdict: check.problems.length === 0 ? 'conforme' : 'non_conforme',
    siret: check.siret,
    liquidatorEmail: check.liquidatorEmail,
    problems: check.problems.map((p) => p.code),
    requester: requesterOf(mail, check.forward, senderIsAgent).requester?.address ?? null,
  };
}
