import { percentile } from './stats';

/** One span or event from the daemon's timeline (span-tracer.mjs), wall-clock ms. */
export interface TimelineEntry {
  name: string;
  start: number;
  end: number;
}

/** One latency sample as the bench saw it, wall-clock ms. */
export interface LatencySample {
  appendStart: number;
  appendEnd: number;
  answeredAt: number;
}

export const STAGES = [
  'APPEND command',
  'APPEND done → IDLE push (EXISTS) in daemon',
  'EXISTS → fetch starts (lock, SEARCH)',
  'fetch (FETCH BODY[], fetchOne or a range)',
  'fetch done → answer send starts (store, parse, transaction, outbox claim)',
  'answer SMTP send (nodemailer)',
  'send done → sink has it',
] as const;

/**
 * Where the time of each latency sample went, by lining up the daemon's timeline with the bench's
 * clock (same machine, same wall clock). Returns the median of each stage, ms; stages that could
 * not be matched for a sample are left out of that stage's median.
 */
export function latencyBreakdown(samples: readonly LatencySample[], timeline: readonly TimelineEntry[]): Record<string, number> {
  const stages: Record<string, number[]> = Object.fromEntries(STAGES.map((s) => [s, []]));
  const firstAfter = (name: string, t: number, until: number) =>
    timeline.find((e) => e.name === name && e.start >= t && e.start <= until);
  for (const s of samples) {
    const until = s.answeredAt + 5;
    stages['APPEND command']!.push(s.appendEnd - s.appendStart);
    const exists = firstAfter('imap.existsEvent', s.appendStart, until);
    const fetch = firstAfter('imap.fetchOne', s.appendStart, until) ?? firstAfter('imap.fetch(source)', s.appendStart, until);
    const send = fetch ? firstAfter('smtp.sendMail(answer)', fetch.end, until) : undefined;
    if (exists) stages['APPEND done → IDLE push (EXISTS) in daemon']!.push(exists.start - s.appendEnd);
    if (exists && fetch) stages['EXISTS → fetch starts (lock, SEARCH)']!.push(fetch.start - exists.start);
    if (fetch) stages['fetch (FETCH BODY[], fetchOne or a range)']!.push(fetch.end - fetch.start);
    if (fetch && send) stages['fetch done → answer send starts (store, parse, transaction, outbox claim)']!.push(send.start - fetch.end);
    if (send) {
      stages['answer SMTP send (nodemailer)']!.push(send.end - send.start);
      stages['send done → sink has it']!.push(s.answeredAt - send.end);
    }
  }
  return Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round(percentile(v, 50) * 10) / 10]));
}
