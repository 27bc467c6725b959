import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  constantTimeEqualText, deriveResetToken, hashResetToken, normalizePersonName, RESET_TOKEN_PLACEHOLDER,
} from '../../src/reset/reset-token';

const SECRET = 'a-test-secret-of-at-least-32-characters!';

describe('deriveResetToken', () => {
  it('is base64url(HMAC-SHA256(secret, "liquibot-reset-link:" + id)), 43 characters', () => {
    const want = createHmac('sha256', SECRET).update('liquibot-reset-link:42').digest('base64url');
    const token = deriveResetToken(SECRET, 42);
    expect(token).toBe(want);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it.each([
    ['another id', () => deriveResetToken(SECRET, 43)],
    ['another secret', () => deriveResetToken(`${SECRET}x`, 42)],
  ])('changes with %s', (_name, other) => {
    expect(other()).not.toBe(deriveResetToken(SECRET, 42));
  });

  it('is stable (a mail re-sent after a crash carries the same link)', () => {
    expect(deriveResetToken(SECRET, 7)).toBe(deriveResetToken(SECRET, 7));
  });

  it.each([[0], [-1], [1.5], [Number.NaN]])('refuses link id %s', (id) => {
    expect(() => deriveResetToken(SECRET, id)).toThrow('bad link id');
  });

  it('refuses an empty secret', () => {
    expect(() => deriveResetToken('', 1)).toThrow('empty secret');
  });
});

describe('hashResetToken', () => {
  it('is the SHA-256 hex of the token', () => {
    expect(hashResetToken('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(hashResetToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('never gives back the token', () => {
    const token = deriveResetToken(SECRET, 1);
    expect(hashResetToken(token)).not.toContain(token);
  });
});

describe('RESET_TOKEN_PLACEHOLDER', () => {
  it('cannot be mistaken for a token', () => {
    expect(RESET_TOKEN_PLACEHOLDER).toBe('LIQUIBOT_RESET_TOKEN_PLACEHOLDER');
    expect(RESET_TOKEN_PLACEHOLDER).not.toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('normalizePersonName', () => {
  it.each([
    ['Dupont', 'DUPONT'],
    ['  dupont  ', 'DUPONT'],
    ['Hélène', 'HELENE'],
    ['HÉLÈNE', 'HELENE'],
    ['He\u0301le\u0300ne', 'HELENE'],
    ['Jean-Pierre', 'JEAN PIERRE'],
    ['Jean – Pierre', 'JEAN PIERRE'],
    ["d'Estaing", 'D ESTAING'],
    ['d’Estaing', 'D ESTAING'],
    ['Le  Goff\t\n', 'LE GOFF'],
    ['Cœur', 'COEUR'],
    ['Lætitia', 'LAETITIA'],
    ['Ñúñez', 'NUNEZ'],
    ['Strauß', 'STRAUSS'],
    ['--', ''],
    ['', ''],
  ])('%j → %j', (input, want) => {
    expect(normalizePersonName(input)).toBe(want);
  });
});

describe('constantTimeEqualText', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['', 'a', false],
    ['é', 'e\u0301', false],
  ])('%j vs %j → %s', (a, b, want) => {
    expect(constantTimeEqualText(a, b)).toBe(want);
  });
});
