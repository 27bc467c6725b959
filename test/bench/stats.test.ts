import { describe, expect, it } from 'vitest';
import { mean, percentile, round } from '../../bench/stats';

describe('percentile (nearest rank)', () => {
  const thirty = Array.from({ length: 30 }, (_, i) => 30 - i); // 30..1, unsorted on purpose
  it.each([
    [thirty, 50, 15],
    [thirty, 95, 29],
    [thirty, 100, 30],
    [thirty, 0, 1],
    [[7], 95, 7],
    [[3, 1, 2], 50, 2],
  ])('%j p%i = %i', (values, p, want) => {
    expect(percentile(values, p)).toBe(want);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('mean and round', () => {
  it.each([
    [[1, 2, 3], 2],
    [[10], 10],
  ])('mean %j = %d', (values, want) => {
    expect(mean(values)).toBe(want);
  });
  it.each([
    [1.23456, 2, 1.23],
    [1.235, 1, 1.2],
    [Number.NaN, 2, Number.NaN],
  ])('round(%d, %i)', (value, digits, want) => {
    expect(round(value, digits)).toEqual(want);
  });
});
