import { describe, expect, it } from 'vitest';
import { formatSpread, pairOrder, pairRatios, spread } from '../../bench/ratio-summary';

describe('spread', () => {
  it.each([
    [[3, 1, 2], { min: 1, median: 2, max: 3, n: 3 }],
    [[4, 1, 3, 2], { min: 1, median: 2.5, max: 4, n: 4 }],
    [[7], { min: 7, median: 7, max: 7, n: 1 }],
    [[2, Number.NaN, 1], { min: 1, median: 1.5, max: 2, n: 2 }],
  ])('%j', (values, want) => {
    expect(spread(values)).toEqual(want);
  });
  it('is NaN with n 0 for no values', () => {
    expect(spread([])).toEqual({ min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 });
  });
});

describe('pairRatios', () => {
  it('divides pair by pair and skips pairs with a missing or zero side', () => {
    expect(pairRatios([50, 40, Number.NaN, 30], [100, 80, 90, 0])).toEqual([0.5, 0.5]);
  });
  it('stops at the shorter list', () => {
    expect(pairRatios([1, 2, 3], [2])).toEqual([0.5]);
  });
});

describe('pairOrder', () => {
  it('alternates which side goes first', () => {
    expect([0, 1, 2].map((i) => pairOrder(i, 'liquibot', 'floor')[0])).toEqual(['liquibot', 'floor', 'liquibot']);
  });
});

describe('formatSpread', () => {
  it.each([
    [spread([0.41, 0.45, 0.43]), 2, '0.41–0.45 (median 0.43)'],
    [spread([52.34]), 1, '52.3'],
    [spread([]), 1, '–'],
  ])('%j', (s, digits, want) => {
    expect(formatSpread(s, digits)).toBe(want);
  });
});
