/** Summaries of repeated runs for the issue-15 scenarios: spread of a figure, pairwise ratios. Pure. */

export interface Spread {
  min: number;
  median: number;
  max: number;
  n: number;
}

/** Min, median (mean of the two middle values for an even count) and max; NaN fields for no values. */
export function spread(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { min: v[0]!, median, max: v.at(-1)!, n: v.length };
}

/** a[i] / b[i] for each pair i (runs of one pair share the machine's state); pairs with a missing side are skipped. */
export function pairRatios(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] !== 0) out.push(a[i]! / b[i]!);
  }
  return out;
}

/** Which side goes first in pair `i`: alternating, so a drift of the machine's load does not favour one side. */
export function pairOrder<T>(i: number, first: T, second: T): [T, T] {
  return i % 2 === 0 ? [first, second] : [second, first];
}

/** "min–max (median m)" with `digits` decimals, for the tables. */
export function formatSpread(s: Spread, digits = 1): string {
  if (s.n === 0) return '–';
  const f = (x: number) => x.toFixed(digits);
  return s.n === 1 ? f(s.median) : `${f(s.min)}–${f(s.max)} (median ${f(s.median)})`;
}
