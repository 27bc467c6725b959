import { outcomeKey, type FuzzResult } from './fuzz-runner';

export interface FuzzSummary {
  inputs: number;
  /** verdict:conforme, verdict:non_conforme, verdict:ignored:…, quarantined, crash, hang, worker-died → count. */
  outcomes: Record<string, number>;
  maxMs: number;
  /** Per mutation: inputs, how they ended, slowest answer. */
  byMutation: Record<string, { inputs: number; quarantined: number; maxMs: number }>;
  slowest: { fixture: string; mutation: string; round: number; ms: number; sizeBytes: number } | null;
  /** Inputs that ended otherwise than as a verdict or a MAIL_UNPARSEABLE quarantine, or past the time bound. */
  problems: FuzzResult[];
}

/** Count the results; a problem is a crash, a hang, a dead worker, or an answer slower than boundMs. */
export function summarise(results: FuzzResult[], boundMs: number): FuzzSummary {
  const outcomes: Record<string, number> = {};
  let slowest: FuzzSummary['slowest'] = null;
  const problems: FuzzResult[] = [];
  const byMutation: FuzzSummary['byMutation'] = {};
  for (const r of results) {
    const m = (byMutation[r.mutation] ??= { inputs: 0, quarantined: 0, maxMs: 0 });
    m.inputs += 1;
    if (r.outcome.kind === 'quarantined') m.quarantined += 1;
    m.maxMs = Math.max(m.maxMs, r.outcome.ms);
    const key = outcomeKey(r.outcome);
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (!slowest || r.outcome.ms > slowest.ms) {
      slowest = { fixture: r.fixture, mutation: r.mutation, round: r.round, ms: r.outcome.ms, sizeBytes: r.sizeBytes };
    }
    const acceptable = r.outcome.kind === 'verdict' || (r.outcome.kind === 'quarantined' && r.outcome.code === 'MAIL_UNPARSEABLE');
    if (!acceptable || r.outcome.ms > boundMs) problems.push(r);
  }
  return { inputs: results.length, outcomes, maxMs: slowest?.ms ?? 0, byMutation, slowest, problems };
}
