import { describe, expect, it } from 'vitest';
import { formatSiret, isValidSiret, normalizeSiret, sirenOf, invalidSiretReason } from '../../parsers/siret';

describe('normalizeSiret', () => {
  it.each([
    ['73282932000074', '73282932000074'],
    ['732 829 320 00074', '73282932000074'],
    ['732.829.320.00074', '73282932000074'],
    ['732\u00a0829\u00a0320\u00a000074', '73282932000074'],
    ['732\u202f829\u202f320\u202f00074', '73282932000074'],
    ['732\t829\t320\t00074', '73282932000074'],
    ['732-829-320-00074', '73282932000074'],
    ['732–829–320–00074', '73282932000074'],
    [' 732 829 320 00074 ', '73282932000074'],
    ['732 829 320 0007A', '7328293200007A'],
    ['', ''],
  ])('%j → %j', (raw, want) => {
    expect(normalizeSiret(raw)).toBe(want);
  });
});

describe('isValidSiret', () => {
  it.each([
    ['73282932000074', true, 'Luhn-valid'],
    ['44306184100047', true, 'Luhn-valid'],
    ['55208131766522', true, 'Luhn-valid'],
    ['35600000000048', true, 'La Poste, passes Luhn only'],
    ['35600000049837', true, 'La Poste, passes the digit sum only'],
    ['12345678912345', false, 'digit sum multiple of 5 but not La Poste'],
    ['35600000049838', false, 'La Poste, fails both'],
    ['73282932000075', false, 'wrong check digit'],
    ['7328293200007', false, '13 digits'],
    ['732829320000740', false, '15 digits'],
    ['732 829 320 00074', false, 'not normalized'],
    ['7328293200007A', false, 'letter'],
    ['00000000000000', false, 'placeholder: passes Luhn but SIREN 000000000'],
    ['', false, 'empty'],
    ['７３２８２９３２００００７４', false, 'full-width digits'],
  ])('%s → %s (%s)', (siret, want) => {
    expect(isValidSiret(siret)).toBe(want);
  });
});

describe('sirenOf / formatSiret', () => {
  it.each([
    ['73282932000074', '732829320', '732 829 320 00074'],
    ['35600000049837', '356000000', '356 000 000 49837'],
  ])('%s', (siret, siren, formatted) => {
    expect(sirenOf(siret)).toBe(siren);
    expect(formatSiret(siret)).toBe(formatted);
  });

  it('leaves a value that is not 14 digits as written', () => {
    expect(formatSiret('1234')).toBe('1234');
  });
});

describe('invalidSiretReason', () => {
  it.each<[string, { hint: string; digits: number }]>([
    ['732829320', { hint: 'SIREN_NOT_SIRET', digits: 9 }],
    ['7328293200007', { hint: 'SIRET_WRONG_LENGTH', digits: 13 }],
    ['732829320000741', { hint: 'SIRET_WRONG_LENGTH', digits: 15 }],
    ['12345678912345', { hint: 'SIRET_CHECK_FAILED', digits: 14 }],
  ])('%s → %j', (digits, want) => {
    expect(invalidSiretReason(digits)).toEqual(want);
  });
});
