import { describe, expect, it } from 'vitest';
import { foundText } from '../../parsers/found-text';

describe('foundText', () => {
  it.each([
    ['  court  ', 10, 'court'],
    ['a\u00a0\u00a0b\n\tc', 10, 'a b c'],
    ['0123456789', 10, '0123456789'],
    ['0123456789A', 10, '012345678…'],
    ['abcd efgh ijkl', 10, 'abcd efgh…'],
    ['', 10, ''],
  ])('%j max %i → %j', (written, max, want) => {
    const got = foundText(written, max);
    expect(got).toBe(want);
    expect(got.length).toBeLessThanOrEqual(max);
  });
});
