import { resendsByKill } from '../../test/helpers/resends';
import type { Received } from './fault-sink';

export interface FaultRecord {
  round: number;
  fault: string;
  /** null: not recovered within the run's bounds. */
  recoveryMs: number | null;
  what: string;
}

export interface FaultFigures {
  requests: number;
  lost: number;
  distinctDuplicates: number;
  sameIdResends: number;
  unexplainedResends: number;
  resendDelaysMs: number[];
  deliveries: number;
  distinctMails: number;
  errorLines: number;
  faults: FaultRecord[];
}

/**
 * What the sink received, judged: every requester one distinct Message-ID (lost: none; doubled: more than
 * one), the agents one approval request per conforming request, and each extra copy of a Message-ID
 * explained by a kill (test/helpers/resends.ts), with how long after the kill it came.
 */
export function summarize(input: {
  requests: number; conforming: number; received: Received[]; kills: number[]; faults: FaultRecord[]; errorLines: string[]; sent: number;
}): { figures: FaultFigures; text: string } {
  const ids = new Map<string, Set<string>>();
  for (const r of input.received) for (const to of r.to) ids.set(to, (ids.get(to) ?? new Set()).add(r.messageId));
  let lost = 0;
  let doubled = 0;
  for (let i = 0; i < input.sent; i += 1) {
    const n = ids.get(`r${i}@etude.example.fr`)?.size ?? 0;
    if (n === 0) lost += 1;
    if (n > 1) doubled += 1;
  }
  const approvals = ids.get('agents@support.example.fr')?.size ?? 0;
  if (approvals > input.conforming) doubled += approvals - input.conforming;
  if (approvals < input.conforming) lost += input.conforming - approvals;
  const distinct = new Set(input.received.map((r) => r.messageId)).size;
  const messages = input.received.map((r) => ({ messageId: r.messageId, receivedAt: new Date(r.at), envelope: { from: null, to: r.to } }));
  const resends = resendsByKill(messages as never, input.kills);
  const delays = resends.resends.map((r) => {
    const kill = [...input.kills].reverse().find((k) => k <= r.lastAt);
    return kill === undefined ? -1 : r.lastAt - kill;
  }).sort((a, b) => a - b);
  const figures: FaultFigures = {
    requests: input.sent, lost, distinctDuplicates: doubled, sameIdResends: input.received.length - distinct,
    unexplainedResends: resends.unexplained.length, resendDelaysMs: delays, deliveries: input.received.length, distinctMails: distinct,
    errorLines: input.errorLines.length, faults: input.faults,
  };
  const lines = [
    `fault run: ${input.sent} requests (${input.conforming} conforming), ${input.kills.length} SIGKILLs, ${input.faults.length} faults`,
    `  lost ${lost} · distinct duplicates ${doubled} · same-Message-ID resends ${figures.sameIdResends} (unexplained by a kill: ${figures.unexplainedResends})`,
    `  deliveries ${input.received.length}, distinct mails ${distinct}; resend delays after their kill (ms): ${delays.join(', ') || 'none'}`,
    `  error-level log lines: ${input.errorLines.length}${errorKinds(input.errorLines)}`,
    ...input.faults.map((f) => `  #${f.round} ${f.fault.padEnd(32)} ${f.recoveryMs === null ? 'NOT RECOVERED' : `${f.recoveryMs} ms`}  (${f.what})`),
  ];
  return { figures, text: lines.join('\n') };
}

/** " (msg ×n, …)": which errors the instances logged. */
function errorKinds(lines: string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) {
    let msg = line.slice(0, 80);
    try {
      const parsed = JSON.parse(line) as { msg?: string; code?: string };
      msg = `${parsed.msg ?? '?'}${parsed.code ? ` [${parsed.code}]` : ''}`;
    } catch {
      // not JSON: keep the start of the line
    }
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return counts.size === 0 ? '' : ` (${[...counts].map(([m, n]) => `${m} ×${n}`).join(', ')})`;
}
