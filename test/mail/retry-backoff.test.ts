import { describe, expect, it } from 'vitest';
import { backoffDelayMs, reconnectDelayMs, troubleText } from '../../src/mail/retry-backoff';

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

describe('reconnectDelayMs', () => {
  it.each<['auth_failed' | 'unreachable', number, number, number]>([
    // A network failure: from 1 s, doubling, capped at maxMs (here 60 s).
    ['unreachable', 1, 1, 1000], ['unreachable', 3, 1, 4000], ['unreachable', 20, 1, 60_000],
    // A refused login: from 30 s, doubling, capped at 10 minutes.
    ['auth_failed', 1, 0, 15_000], ['auth_failed', 1, 1, 30_000], ['auth_failed', 2, 1, 60_000], ['auth_failed', 5, 1, 480_000],
    ['auth_failed', 6, 1, 600_000], ['auth_failed', 50, 1, 600_000],
  ])('%s, attempt %i, random %d → %i ms', (kind, attempt, r, want) => {
    expect(reconnectDelayMs(kind, attempt, { maxMs: 60_000, random: () => r })).toBe(want);
  });

  it('waits longer after a refused login than after a network failure, at every attempt, whatever the cap', () => {
    for (const maxMs of [2_000, 60_000, 3_600_000]) {
      for (let attempt = 1; attempt <= 30; attempt += 1) {
        for (const r of [0, 0.5, 1]) {
          const network = reconnectDelayMs('unreachable', attempt, { maxMs, random: () => r });
          const auth = reconnectDelayMs('auth_failed', attempt, { maxMs, random: () => r });
          expect(auth).toBeGreaterThanOrEqual(network);
          expect(auth).toBeGreaterThanOrEqual(15_000);
          expect(auth).toBeLessThanOrEqual(Math.max(600_000, maxMs));
        }
      }
    }
  });
});

describe('troubleText', () => {
  it('keeps one line of at most 300 characters, addresses masked', () => {
    expect(troubleText('550 <jean@etude.fr>: nope\nsecond line')).toBe('550 <[address]>: nope');
    expect(troubleText('x'.repeat(400))).toHaveLength(300);
  });
});
