/**
 * Delay before retry number `attempt` (1-based): capped exponential backoff with full jitter.
 * `random` is injected so the function stays pure and testable.
 */
export function backoffDelayMs(attempt: number, opts: { baseMs: number; maxMs: number; random?: () => number }): number {
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: never zero, never in lock-step with another instance.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
