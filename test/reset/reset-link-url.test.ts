import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createBuiltinLinkProvider } from '../../src/reset/link-provider';
import { deriveResetToken, RESET_TOKEN_PLACEHOLDER, resetLinkUrl } from '../../src/reset/reset-token';

// Issue 10, finding 7: RESET_LINK_BASE_URL=https://portail.example.fr/reset gave `…/reset<token>`.
const SECRET = 'a-test-secret-of-at-least-32-characters!';
const T = 'SWsrBHIlKyfYtbhXBYObdKUCNUZgVZu_iLstlPZjc-g';

describe('resetLinkUrl', () => {
  it.each([
    // the default: the empty parameter is the token's place
    ['https://portail.net-entreprises.fr/auth/liquidateur?token=', `https://portail.net-entreprises.fr/auth/liquidateur?token=${T}`],
    // the finding: no separator before
    ['https://portail.example.fr/reset', `https://portail.example.fr/reset?token=${T}`],
    ['https://portail.example.fr/reset/', `https://portail.example.fr/reset/?token=${T}`],
    ['https://portail.example.fr', `https://portail.example.fr/?token=${T}`],
    ['https://portail.example.fr/reset?', `https://portail.example.fr/reset?token=${T}`],
    // an existing query string is kept as written, the token after it
    ['https://portail.example.fr/reset?lang=fr', `https://portail.example.fr/reset?lang=fr&token=${T}`],
    ['https://portail.example.fr/reset/?lang=fr&src=mail', `https://portail.example.fr/reset/?lang=fr&src=mail&token=${T}`],
    ['https://portail.example.fr/reset?lang=fr&', `https://portail.example.fr/reset?lang=fr&token=${T}`],
    ['https://portail.example.fr/reset?next=%2Fcompte%3Fa%3Db&flag', `https://portail.example.fr/reset?next=%2Fcompte%3Fa%3Db&flag&token=${T}`],
    // another name for the empty parameter, anywhere in the query
    ['https://portail.example.fr/reset?jeton=', `https://portail.example.fr/reset?jeton=${T}`],
    ['https://portail.example.fr/reset?token=&lang=fr', `https://portail.example.fr/reset?token=${T}&lang=fr`],
    ['https://portail.example.fr/reset?lang=fr&token=', `https://portail.example.fr/reset?lang=fr&token=${T}`],
    // the fragment stays last
    ['https://portail.example.fr/reset#connexion', `https://portail.example.fr/reset?token=${T}#connexion`],
    ['https://portail.example.fr/auth?token=#x', `https://portail.example.fr/auth?token=${T}#x`],
    // a port, http, upper-case host: as the URL API writes them
    ['http://Portail.Example.FR:8443/reset', `http://portail.example.fr:8443/reset?token=${T}`],
  ])('%s', (base, want) => {
    const link = resetLinkUrl(base, T);
    expect(link).toBe(want);
    expect(new URL(link).searchParams.get(new URL(base).searchParams.has('jeton') ? 'jeton' : 'token')).toBe(T);
  });

  it.each([
    ['not a URL', 'portail.example.fr/reset', /not an absolute URL/],
    ['two empty parameters', 'https://portail.example.fr/reset?a=&b=', /more than one parameter empty/],
    ['a token already there', 'https://portail.example.fr/reset?token=abc', /already has a token parameter/],
  ])('refuses %s', (_name, base, message) => {
    expect(() => resetLinkUrl(base, T)).toThrow(message);
  });

  it.each([
    'https://portail.example.fr/reset', 'https://portail.example.fr/reset/?lang=fr#x', 'https://portail.net-entreprises.fr/auth/liquidateur?token=',
  ])('the placeholder written at queue time becomes, at send time, the link with the token (%s)', (base) => {
    const provider = createBuiltinLinkProvider({ secret: SECRET, baseUrl: base, validityHours: 8 });
    const stored = `Lien : ${resetLinkUrl(base, RESET_TOKEN_PLACEHOLDER)}\n<a href="${resetLinkUrl(base, RESET_TOKEN_PLACEHOLDER).replaceAll('&', '&amp;')}">`;
    const sent = provider.materialize(42, stored);
    const link = resetLinkUrl(base, deriveResetToken(SECRET, 42));
    expect(sent).toBe(`Lien : ${link}\n<a href="${link.replaceAll('&', '&amp;')}">`);
    expect(sent).not.toContain(RESET_TOKEN_PLACEHOLDER);
  });
});

describe('RESET_LINK_BASE_URL', () => {
  it('is checked at start-up, with the reason', () => {
    expect(() => loadConfig({ RESET_LINK_BASE_URL: 'https://portail.example.fr/reset?token=abc' }))
      .toThrow(/^configuration: RESET_LINK_BASE_URL already has a token parameter/);
    expect(() => loadConfig({ RESET_LINK_BASE_URL: 'ftp://portail.example.fr/reset' })).toThrow(/RESET_LINK_BASE_URL must be a URL with scheme/);
    expect(loadConfig({ RESET_LINK_BASE_URL: 'https://portail.example.fr/reset' }).RESET_LINK_BASE_URL).toBe('https://portail.example.fr/reset');
  });
});
