/** The numbers of the statistics page: pure functions over what the queries return. */

/** The q-quantile (0..1) of the values, by linear interpolation between closest ranks; null for none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(pos);
  const upper = Math.ceil(pos);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (pos - lower);
}

export interface DecisionTimes {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

export function decisionTimes(durationsMs: readonly number[]): DecisionTimes {
  return { count: durationsMs.length, medianMs: quantile(durationsMs, 0.5), p90Ms: quantile(durationsMs, 0.9) };
}

/** Time to decision overall and per decider, from (decider, ms) pairs; deciders sorted by how many they decided. */
export function decisionTimesByDecider(records: readonly { decidedBy: string; ms: number }[]): {
  overall: DecisionTimes;
  byDecider: (DecisionTimes & { decidedBy: string })[];
} {
  const groups = new Map<string, number[]>();
  for (const r of records) groups.set(r.decidedBy, [...(groups.get(r.decidedBy) ?? []), r.ms]);
  return {
    overall: decisionTimes(records.map((r) => r.ms)),
    byDecider: [...groups.entries()]
      .map(([decidedBy, ms]) => ({ decidedBy, ...decisionTimes(ms) }))
      .sort((a, b) => b.count - a.count || a.decidedBy.localeCompare(b.decidedBy)),
  };
}

/** Every bucket start of the period (weeks from Monday, months from the 1st), so empty ones show as zero. */
export function buckets(unit: 'week' | 'month', from: string, to: string): string[] {
  const out: string[] = [];
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  const d = new Date(start);
  if (unit === 'month') d.setUTCDate(1);
  else d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  while (d.getTime() < end.getTime() && out.length < 520) {
    out.push(d.toISOString().slice(0, 10));
    if (unit === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
    else d.setUTCDate(d.getUTCDate() + 7);
  }
  return out;
}

/** A day of the calendar (YYYY-MM-DD) that exists, or null. */
export function calendarDay(value: string | undefined): string | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value ? value : null;
}

/** The instant a local day of `timeZone` starts (YYYY-MM-DD → Date). */
export function startOfDay(day: string, timeZone: string): Date {
  const utc = new Date(`${day}T00:00:00Z`);
  // The zone's offset at that moment, read back from Intl; twice, in case the first guess crossed a change.
  let guess = utc;
  for (let i = 0; i < 2; i += 1) {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(guess).map((p) => [p.type, p.value]));
    const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
    guess = new Date(utc.getTime() - (local - guess.getTime()));
  }
  return guess;
}

/** The day after (YYYY-MM-DD). */
export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
