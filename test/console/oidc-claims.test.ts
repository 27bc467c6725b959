import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { claimValues, identityFromClaims, roleFromClaims, type RoleMapping } from '../../src/console/oidc-claims';
import { flowSecrets } from '../../src/console/oidc';

const mapping: RoleMapping = { claim: 'roles', admin: ['liquibot-admin'], agent: ['liquibot-agent', 'support'] };

describe('OpenID Connect claims', () => {
  it.each([
    [{ roles: ['liquibot-admin'] }, 'admin'],
    [{ roles: ['support', 'liquibot-admin'] }, 'admin'],
    [{ roles: ['support'] }, 'agent'],
    [{ roles: 'liquibot-agent' }, 'agent'],
    [{ roles: ['comptabilite'] }, null],
    [{ roles: [] }, null],
    [{}, null],
    [{ roles: { 'liquibot-admin': true } }, null],
    [{ roles: [1, null, 'x'] }, null],
    // Case matters: a provider's values are compared as they are.
    [{ roles: ['LIQUIBOT-ADMIN'] }, null],
  ])('roles %j → %s', (claims, role) => {
    expect(roleFromClaims(claims, mapping)).toBe(role);
  });

  it('reads a dotted path, but an exact (namespaced) claim name wins', () => {
    expect(claimValues({ realm_access: { roles: ['a', 'b'] } }, 'realm_access.roles')).toEqual(['a', 'b']);
    expect(claimValues({ 'https://example.fr/roles': ['x'], https: { 'example': 'no' } }, 'https://example.fr/roles')).toEqual(['x']);
    expect(claimValues({ realm_access: ['a'] }, 'realm_access.roles')).toEqual([]);
  });

  it.each([
    [{ email: 'Paul.Durand@Support.example.fr', email_verified: true, roles: ['support'] }, { ok: true, email: 'paul.durand@support.example.fr', role: 'agent' }],
    [{ email: 'paul@support.example.fr', email_verified: 'true', roles: ['liquibot-admin'] }, { ok: true, email: 'paul@support.example.fr', role: 'admin' }],
    [{ email: 'paul@support.example.fr', email_verified: false, roles: ['support'] }, { ok: false, reason: 'EMAIL_UNVERIFIED', email: 'paul@support.example.fr' }],
    [{ email: 'paul@support.example.fr', roles: ['support'] }, { ok: false, reason: 'EMAIL_UNVERIFIED', email: 'paul@support.example.fr' }],
    [{ email_verified: true, roles: ['support'] }, { ok: false, reason: 'NO_EMAIL', email: null }],
    [{ email: 'not an address', email_verified: true, roles: ['support'] }, { ok: false, reason: 'NO_EMAIL', email: null }],
    [{ email: 'paul@support.example.fr', email_verified: true, roles: ['other'] }, { ok: false, reason: 'NO_ROLE', email: 'paul@support.example.fr' }],
  ])('identity of %j', (claims, identity) => {
    expect(identityFromClaims(claims, mapping)).toEqual(identity);
  });

  it('derives state, nonce and PKCE verifier from the cookie’s seed: distinct, stable, verifier of a valid length', () => {
    const a = flowSecrets('a'.repeat(43));
    expect(new Set([a.state, a.nonce, a.verifier]).size).toBe(3);
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(flowSecrets('a'.repeat(43))).toEqual(a);
    expect(flowSecrets('b'.repeat(43)).state).not.toBe(a.state);
  });
});

describe('OpenID Connect configuration', () => {
  const sso = {
    CONSOLE_OIDC_ISSUER: 'https://auth.example.fr/realms/support', CONSOLE_OIDC_CLIENT_ID: 'liquibot', CONSOLE_OIDC_AGENT_VALUES: 'support',
  };

  it('accepts a complete configuration, with defaults', () => {
    const config = loadConfig(sso);
    expect(config).toMatchObject({ CONSOLE_OIDC_ROLE_CLAIM: 'roles', CONSOLE_OIDC_SCOPES: 'openid email profile', CONSOLE_LOCAL_ACCOUNTS: true });
    expect(loadConfig({ ...sso, CONSOLE_LOCAL_ACCOUNTS: 'false' }).CONSOLE_LOCAL_ACCOUNTS).toBe(false);
    expect(loadConfig({ ...sso, CONSOLE_OIDC_ISSUER: 'http://127.0.0.1:9999/oidc' }).CONSOLE_OIDC_ISSUER).toBe('http://127.0.0.1:9999/oidc');
  });

  it.each([
    [{ CONSOLE_LOCAL_ACCOUNTS: 'false' }, /CONSOLE_LOCAL_ACCOUNTS false needs CONSOLE_OIDC_ISSUER/],
    [{ CONSOLE_OIDC_CLIENT_ID: 'liquibot' }, /CONSOLE_OIDC_CLIENT_ID needs CONSOLE_OIDC_ISSUER/],
    [{ ...sso, CONSOLE_OIDC_CLIENT_ID: '' }, /CONSOLE_OIDC_CLIENT_ID is required with CONSOLE_OIDC_ISSUER/],
    [{ ...sso, CONSOLE_OIDC_AGENT_VALUES: ' , ' }, /CONSOLE_OIDC_ADMIN_VALUES or CONSOLE_OIDC_AGENT_VALUES must name a value/],
    [{ ...sso, CONSOLE_OIDC_ISSUER: 'http://auth.example.fr/' }, /CONSOLE_OIDC_ISSUER must be https/],
    [{ ...sso, CONSOLE_OIDC_SCOPES: 'email profile' }, /CONSOLE_OIDC_SCOPES must include openid/],
    [{ ...sso, CONSOLE_OIDC_ROLE_CLAIM: 'roles claim' }, /CONSOLE_OIDC_ROLE_CLAIM must be a claim name/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
