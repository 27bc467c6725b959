import type { SmtpSink } from '../sandbox/smtp-sink';

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
  /** Answers that thread onto no request we sent. */
  readonly strays: number;
  firstAt(): number | undefined;
  lastAt(): number | undefined;
}

/**
 * Matches the sink's mail to requests by In-Reply-To (the acknowledgment is threaded on the
 * request). Empties the sink as it goes so a 10 000-answer run does not keep every raw answer.
 */
export function trackAnswers(sink: SmtpSink, requestIds: ReadonlySet<string> | null): AnswerTracker {
  const at = new Map<string, number>();
  let received = 0;
  let duplicates = 0;
  let strays = 0;
  let first: number | undefined;
  let last: number | undefined;
  return {
    poll() {
      const batch = sink.messages.splice(0, sink.messages.length);
      for (const m of batch) {
        received += 1;
        const when = m.receivedAt.getTime();
        first = first === undefined ? when : Math.min(first, when);
        last = last === undefined ? when : Math.max(last, when);
        const parent = m.headers['in-reply-to']?.[0]?.trim();
        if (!parent || (requestIds && !requestIds.has(parent))) {
          strays += 1;
          continue;
        }
        if (at.has(parent)) duplicates += 1;
        else at.set(parent, when);
      }
      return at.size;
    },
    answeredAt: (id) => at.get(id),
    get received() { return received; },
    get answered() { return at.size; },
    get duplicates() { return duplicates; },
    get strays() { return strays; },
    firstAt: () => first,
    lastAt: () => last,
  };
}
