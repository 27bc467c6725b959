import { describe, expect, it } from 'vitest';
import { findEmailTokens, isPlausibleEmail } from '../../parsers/email-address';

describe('isPlausibleEmail', () => {
  it.each([
    ['claire@mj-moutin.fr', true],
    ['claire.moutin@mj-moutin.fr', true],
    ['claire+lj@mail.mj-moutin.co.uk', true],
    ["o'brien@cabinet.ie", true],
    ['a_b-c@x-y.example.com', true],
    ['jean@xn--tude-bernard-ebb.fr', true],
    ['jean@example.xn--p1ai', true],
    ['claire@mj-moutin', false],
    ['claire@mj-moutin.f', false],
    ['claire@mj-moutin.123', false],
    ['claire@-mj.fr', false],
    ['claire@mj-.fr', false],
    ['claire@mj..fr', false],
    ['@mj.fr', false],
    ['claire@', false],
    ['claire', false],
    ['claire@@mj.fr', false],
    ['cl@ire@mj.fr', false],
    ['.claire@mj.fr', false],
    ['claire.@mj.fr', false],
    ['cla..ire@mj.fr', false],
    ['claire moutin@mj.fr', false],
    ['claire@mj.fr\r\nBcc: x@y.fr', false],
    ['"claire"@mj.fr', false],
    ['claire,moutin@mj.fr', false],
    ['<claire@mj.fr>', false],
    ['claire@[192.0.2.1]', false],
    ['jérôme@mj.fr', false],
    ['claire@étude.fr', false],
    [`${'a'.repeat(65)}@mj.fr`, false],
    [`${'a'.repeat(64)}@mj.fr`, true],
    [`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(58)}.fr`, false],
    ['', false],
  ])('%j → %s', (address, want) => {
    expect(isPlausibleEmail(address)).toBe(want);
  });
});

describe('findEmailTokens', () => {
  it.each([
    ['claire@mj.fr', ['claire@mj.fr']],
    ['Claire@MJ.fr', ['claire@mj.fr']],
    ['mailto:claire@mj.fr', ['claire@mj.fr']],
    ['Me Claire <claire@mj.fr>', ['claire@mj.fr']],
    ['<mailto:claire@mj.fr>', ['claire@mj.fr']],
    ['"claire@mj.fr" <claire@mj.fr>', ['claire@mj.fr', 'claire@mj.fr']],
    ['[claire@mj.fr](mailto:claire@mj.fr)', ['claire@mj.fr', 'claire@mj.fr']],
    ['claire@mj.fr (claire@mj.fr)', ['claire@mj.fr', 'claire@mj.fr']],
    ['a@mj.fr, b@mj.fr; c@mj.fr', ['a@mj.fr', 'b@mj.fr', 'c@mj.fr']],
    ['<claire moutin@mj.fr>', ['claire moutin@mj.fr']],
    ['claire@mj.fr.', ['claire@mj.fr']],
    ['rien ici', []],
    ['', []],
  ])('%j → %j', (value, want) => {
    expect(findEmailTokens(value)).toEqual(want);
  });
});
