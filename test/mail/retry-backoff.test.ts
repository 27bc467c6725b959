import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/mail/retry-backoff';

describe('backoffDelayMs', () => {
  it.each([
    [1, 0, 500], [1, 1, 1000], [2, 0, 1000], [3, 1, 4000], [10, 0, 30_000], [10, 1, 60_000], [50, 1, 60_000],
  ])('attempt %i with random %d → %i ms', (attempt, r, want) => {
    expect(backoffDelayMs(attempt, { baseMs: 1000, maxMs: 60_000, random: () => r })).toBe(want);
  });

  it('stays within [ceiling/2, ceiling] with real randomness', () => {
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelayMs(4, { baseMs: 1000, maxMs: 60_000 });
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });
});
