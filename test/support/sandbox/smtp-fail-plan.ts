/** One scripted refusal of the SMTP sink. */
export interface FailRule {
  /** Reply code: 4xx is transient (the sender should retry), 5xx permanent. */
  code: number;
  /** Refuse this many times, then accept. Omit to refuse forever. */
  times?: number;
  /**
   * Refuse only this recipient, at RCPT TO (case-insensitive). Omit to refuse whole messages,
   * after DATA, which is what a sender sees as a failed send.
   */
  recipient?: string;
  /** Reply text; a default naming the rule is used otherwise. */
  message?: string;
}

export type FailPlan = FailRule | readonly FailRule[];

export interface FailPlanState {
  /** The rule refusing this RCPT TO, counting it as used; undefined to accept. */
  refuseRecipient(address: string): FailRule | undefined;
  /** The rule refusing this message after DATA, counting it as used; undefined to accept. */
  refuseMessage(): FailRule | undefined;
}

/** Error shaped the way smtp-server turns into an SMTP reply (`responseCode`). */
export class SmtpReplyError extends Error {
  readonly responseCode: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'SmtpReplyError';
    this.responseCode = code;
  }
}

/** Answer `code` (default 451) `times` times, then accept: for testing retries. */
export function failTimes(times: number, code = 451, recipient?: string): FailRule {
  return { code, times, recipient };
}

/** Always answer `code` (default 550), for every message or for one recipient. */
export function failAlways(code = 550, recipient?: string): FailRule {
  return { code, recipient };
}

/**
 * Turn a plan into mutable state: each rule keeps its own remaining count; the first rule
 * that still applies wins.
 */
export function createFailPlanState(plan: FailPlan | undefined): FailPlanState {
  const rules = (plan === undefined ? [] : Array.isArray(plan) ? plan : [plan as FailRule]).map((rule) => ({
    rule,
    remaining: rule.times ?? Number.POSITIVE_INFINITY,
  }));
  const take = (matches: (rule: FailRule) => boolean): FailRule | undefined => {
    const entry = rules.find((candidate) => candidate.remaining > 0 && matches(candidate.rule));
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.rule;
  };
  return {
    refuseRecipient: (address) =>
      take((rule) => rule.recipient !== undefined && rule.recipient.toLowerCase() === address.toLowerCase()),
    refuseMessage: () => take((rule) => rule.recipient === undefined),
  };
}

/** The error smtp-server should answer with for `rule`. */
export function replyErrorFor(rule: FailRule, what: string): SmtpReplyError {
  const kind = rule.code >= 500 ? 'permanent' : 'transient';
  return new SmtpReplyError(rule.code, rule.message ?? `sandbox sink: ${kind} failure for ${what}`);
}
