import type { SmtpSink } from '../test/support/sandbox/smtp-sink';

export interface AnswerTracker {
  /** Take what the sink received since the last call; returns how many answers are known. */
  poll(): number;
  /** Arrival time (ms since epoch) of the first answer to this Message-ID, if any. */
  answeredAt(messageId: string): number | undefined;
  /** Answers received in total, duplicates included. */
  readonly received: number;
  /** Distinct requests answered. */
  readonly answered: number;
  /** Answers beyond the first for a request (must stay 0: nothing doubled). */
  readonly duplicates: number;
  /** Mail that threads onto no request we sent (the approval requests to the agents, among others). */
  readonly strays: number;
  /** Mail to the agents' address (approval requests). */
  readonly toAgents: number;
  /** First and last answer to one of our requests (ms since epoch). */
  firstAt(): number | undefined;
  lastAt(): number | undefined;
  /** Last mail of any kind the sink received. */
  lastAnyAt(): number | undefined;
}

/**
 * Matches the sink's mail to requests by In-Reply-To (the acknowledgment is threaded on the
 * request). Empties the sink as it goes so a 10 000-answer run does not keep every raw answer.
 */
export function trackAnswers(sink: SmtpSink, requestIds: ReadonlySet<string> | null, agentsAddress = 'agents@support.example.fr'): AnswerTracker {
  const at = new Map<string, number>();
  let received = 0;
  let duplicates = 0;
  let strays = 0;
  let toAgents = 0;
  let first: number | undefined;
  let last: number | undefined;
  let lastAny: number | undefined;
  return {
    poll() {
      const batch = sink.messages.splice(0, sink.messages.length);
      for (const m of batch) {
        received += 1;
        const when = m.receivedAt.getTime();
        lastAny = lastAny === undefined ? when : Math.max(lastAny, when);
        if (m.envelope.to.includes(agentsAddress)) toAgents += 1;
        const parent = m.headers['in-reply-to']?.[0]?.trim();
        if (!parent || (requestIds && !requestIds.has(parent))) {
          strays += 1;
          continue;
        }
        if (at.has(parent)) {
          duplicates += 1;
          continue;
        }
        at.set(parent, when);
        first = first === undefined ? when : Math.min(first, when);
        last = last === undefined ? when : Math.max(last, when);
      }
      return at.size;
    },
    answeredAt: (id) => at.get(id),
    get received() { return received; },
    get answered() { return at.size; },
    get duplicates() { return duplicates; },
    get strays() { return strays; },
    get toAgents() { return toAgents; },
    firstAt: () => first,
    lastAt: () => last,
    lastAnyAt: () => lastAny,
  };
}
