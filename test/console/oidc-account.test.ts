import { describe, expect, it } from 'vitest';
import { decideOidcAccount, type OidcAccountDecision, type OidcAccountRow } from '../../src/console/oidc-account';

const ISS = 'https://auth.example.fr/realms/support';
const who = { issuer: ISS, subject: 'sub-paul', email: 'paul@support.example.fr' };
const at = new Date('2026-12-01T00:00:00Z');

/** An account: made by single sign-on unless told otherwise. */
const row = (id: number, over: Partial<OidcAccountRow> = {}): OidcAccountRow => ({
  id, email: who.email, passwordHash: null, oidcIssuer: null, oidcSubject: null, disabledAt: null, ...over,
});
const boundTo = (subject: string, issuer = ISS) => ({ oidcIssuer: issuer, oidcSubject: subject });

describe('which account an OpenID Connect sign-in opens', () => {
  it.each<[string, OidcAccountRow[], OidcAccountDecision]>([
    ['no account: one is made, bound', [], { kind: 'create' }],
    ['an account of another address only: made anyway', [row(1, { email: 'autre@support.example.fr' })], { kind: 'create' }],
    ['bound to this subject, same address', [row(1, boundTo('sub-paul'))], { kind: 'sign-in', userId: 1, bind: false, newEmail: null }],
    ['bound to this subject, with a password as well', [row(1, { ...boundTo('sub-paul'), passwordHash: 'h' })], { kind: 'sign-in', userId: 1, bind: false, newEmail: null }],
    ['bound, the address changed at the provider: the account follows',
      [row(1, { ...boundTo('sub-paul'), email: 'p.durand@support.example.fr' })], { kind: 'sign-in', userId: 1, bind: false, newEmail: who.email }],
    ['bound, the new address is another account’s: refused',
      [row(1, { ...boundTo('sub-paul'), email: 'p.durand@support.example.fr' }), row(2)], { kind: 'refuse', reason: 'EMAIL_TAKEN', userId: 1 }],
    ['bound and disabled: refused, nothing changed',
      [row(1, { ...boundTo('sub-paul'), email: 'p.durand@support.example.fr', disabledAt: at })], { kind: 'refuse', reason: 'DISABLED', userId: 1 }],
    ['the address’s account, no password, no binding (made by SSO or an unused invitation): bound now', [row(3)],
      { kind: 'sign-in', userId: 3, bind: true, newEmail: null }],
    ['the address’s account has a password (a local account): not taken over', [row(3, { passwordHash: 'h' })],
      { kind: 'refuse', reason: 'LOCAL_ACCOUNT', userId: 3 }],
    ['a disabled local account: still "local", nothing said of its state', [row(3, { passwordHash: 'h', disabledAt: at })],
      { kind: 'refuse', reason: 'LOCAL_ACCOUNT', userId: 3 }],
    ['the address’s account is bound to another subject: refused', [row(3, boundTo('sub-ancien'))],
      { kind: 'refuse', reason: 'SUBJECT_MISMATCH', userId: 3 }],
    ['the same subject under another issuer is another subject', [row(3, boundTo('sub-paul', 'https://autre.example.fr'))],
      { kind: 'refuse', reason: 'SUBJECT_MISMATCH', userId: 3 }],
    ['bound elsewhere and with a password: the mismatch is what is said', [row(3, { ...boundTo('sub-ancien'), passwordHash: 'h' })],
      { kind: 'refuse', reason: 'SUBJECT_MISMATCH', userId: 3 }],
    ['a half binding (issuer only, written by hand) counts as bound', [row(3, { oidcIssuer: ISS })],
      { kind: 'refuse', reason: 'SUBJECT_MISMATCH', userId: 3 }],
    ['the address’s account unbound but disabled: refused, not bound', [row(3, { disabledAt: at })],
      { kind: 'refuse', reason: 'DISABLED', userId: 3 }],
    ['the bound account wins over the address’s account', [row(1, { ...boundTo('sub-paul'), email: 'paul@support.example.fr' }), row(2, { email: 'x@support.example.fr' })],
      { kind: 'sign-in', userId: 1, bind: false, newEmail: null }],
  ])('%s', (_name, rows, decision) => {
    expect(decideOidcAccount(rows, who)).toEqual(decision);
  });
});
