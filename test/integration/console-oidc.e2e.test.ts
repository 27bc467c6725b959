import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import Provider from 'oidc-provider';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole } from '../../src/console/start-console';
import { setAccountDisabled } from '../../src/console/user-accounts';
import { createLogger } from '../../src/log';
import { findUserByEmail } from '../../src/db/console-queries';
import { consoleAudit, consoleSessions } from '../../src/db/schema';
import { addConsoleUser, launchConsoleBrowser, type ConsoleBrowser } from './support/console-browser';
import { createHarness, type Harness } from './support/liquibot-harness';

/**
 * Single sign-on with OpenID Connect in a real browser: the daemon (its console) against a local
 * provider (oidc-provider, its development login and consent pages), Debian's Chromium driven by
 * playwright-core. The console runs with CONSOLE_LOCAL_ACCOUNTS=false: the password form is gone and
 * its route refuses.
 */

const CLIENT_ID = 'liquibot-console';
const CLIENT_SECRET = 'secret-du-client-de-test-0123456789abcdef';
const ADMIN = 'chef.equipe@support.example.fr';
const AGENT = 'paul.durand@support.example.fr';
const NO_ROLE = 'compta@support.example.fr';
const UNVERIFIED = 'pas.verifie@support.example.fr';
const LOCAL = 'local.agent@support.example.fr';
const PASSWORD = 'cheval correct agrafe batterie';
const MARIE = 'marie.martin@support.example.fr';
const MARIE_NEW = 'marie.dupont@support.example.fr';

/** The provider's people, by login name (the development login page takes any password). */
const people: Record<string, { email: string; email_verified: boolean; roles: string[] }> = {
  chef: { email: ADMIN, email_verified: true, roles: ['liquibot-admin', 'intranet'] },
  paul: { email: 'Paul.Durand@support.example.fr', email_verified: true, roles: ['liquibot-agent'] },
  compta: { email: NO_ROLE, email_verified: true, roles: ['comptabilite'] },
  douteux: { email: UNVERIFIED, email_verified: false, roles: ['liquibot-admin'] },
  // Another subject at the provider with the address of the local account, then of the bound admin account.
  homonyme: { email: LOCAL, email_verified: true, roles: ['liquibot-admin'] },
  usurpateur: { email: ADMIN, email_verified: true, roles: ['liquibot-admin'] },
  marie: { email: MARIE, email_verified: true, roles: ['liquibot-agent'] },
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('single sign-on with OpenID Connect', () => {
  let h: Harness;
  let idp: Server;
  let browser: ConsoleBrowser;
  let consoleUrl: string;

  beforeAll(async () => {
    idp = createServer();
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    const consolePort = await freePort();
    consoleUrl = `http://127.0.0.1:${consolePort}/console`;
    const provider = new Provider(issuer, {
      clients: [{
        client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${consoleUrl}/oidc/callback`],
        grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      }],
      scopes: ['openid', 'email', 'roles'],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], roles: ['roles'] },
      pkce: { required: () => true },
      cookies: { keys: ['cle-des-cookies-du-fournisseur-de-test'] },
      async findAccount(_ctx: unknown, sub: string) {
        const person = people[sub];
        return person ? { accountId: sub, claims: async () => ({ sub, ...person }) } : undefined;
      },
    });
    idp.on('request', provider.callback());
    h = await createHarness({
      env: {
        HTTP_PORT: String(consolePort), CONSOLE_LOCAL_ACCOUNTS: 'false',
        CONSOLE_OIDC_ISSUER: issuer, CONSOLE_OIDC_CLIENT_ID: CLIENT_ID, CONSOLE_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        CONSOLE_OIDC_SCOPES: 'openid email roles', CONSOLE_OIDC_ROLE_CLAIM: 'roles',
        CONSOLE_OIDC_ADMIN_VALUES: 'liquibot-admin', CONSOLE_OIDC_AGENT_VALUES: 'liquibot-agent,support',
        CONSOLE_OIDC_LABEL: 'l’annuaire du support',
      },
    });
    await h.start();
    // A local account with a password, made at the terminal: it cannot sign in with it while local accounts are off.
    await addConsoleUser(h.config, LOCAL, 'agent', PASSWORD);
    browser = await launchConsoleBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await new Promise<void>((resolve) => (idp ? idp.close(() => resolve()) : resolve()));
  });

  const newPage = () => browser.newPage();

  /** From the console's login page through the provider's login and consent pages, back to the console. */
  async function signIn(login: string, start = '/'): Promise<Page> {
    const page = await newPage();
    await page.goto(`${consoleUrl}${start}`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(await page.locator('#sso').innerText()).toContain('Se connecter avec l’annuaire du support');
    await Promise.all([page.waitForURL((u) => !u.href.startsWith(consoleUrl)), page.click('#sso')]);
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'peu importe');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    if (!page.url().startsWith(consoleUrl)) {
      await Promise.all([page.waitForURL((u) => u.href.startsWith(consoleUrl)), page.click('button:has-text("Continue")')]);
    }
    await page.waitForLoadState('load');
    return page;
  }

  const auditOf = async (email: string) => (await h.database.db.select().from(consoleAudit).where(eq(consoleAudit.target, email)))
    .map((a) => [a.action, a.detail]);

  it('hides the password form and refuses password logins and invitations while local accounts are off', async () => {
    const page = await newPage();
    await page.goto(`${consoleUrl}/login`);
    expect(await page.locator('#password').count()).toBe(0);
    expect(await page.locator('#sso').count()).toBe(1);
    await page.screenshot({ path: join(__dirname, '../../docs/console/login-sso.png'), clip: { x: 0, y: 0, width: 1280, height: 520 } });
    // A well-formed post (the login cookie's token, the right password of a local account): still refused.
    const pre = (await page.context().cookies()).find((c) => c.name === 'liquibot_console_login')!.value;
    const refused = await page.request.post(`${consoleUrl}/login`, { form: { _csrf: pre, email: LOCAL, password: PASSWORD }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('La connexion par mot de passe est désactivée');
    const sessions = await h.database.db.select().from(consoleSessions);
    expect(sessions).toEqual([]);
    expect((await page.request.get(`${consoleUrl}/invitation?token=${'x'.repeat(43)}`)).status()).toBe(404);
  });

  it('an admin of the provider signs in: an account without a password, the admin role, back where they were going', async () => {
    const page = await signIn('chef', '/admin/status');
    expect(new URL(page.url()).pathname).toBe('/console/admin/status');
    expect(await page.locator('h1').innerText()).toBe('État du service');
    expect(await page.locator('nav a:text-is("Comptes")').count()).toBe(1);
    expect(await page.locator('header').innerText()).toContain(`${ADMIN} (administrateur)`);
    const user = (await findUserByEmail(h.database.db, ADMIN))!;
    expect(user).toMatchObject({ role: 'admin', passwordHash: null, invitationTokenHash: null, disabledAt: null });
    expect(user.lastLoginAt).toBeInstanceOf(Date);
    expect(await auditOf(ADMIN)).toEqual([['user_added', { role: 'admin', method: 'oidc' }], ['login', { method: 'oidc' }]]);
    // The session cookie is the console's own, HttpOnly.
    const cookie = (await page.context().cookies()).find((c) => c.name === 'liquibot_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/console' });
  });

  it('an agent of the provider signs in as an agent (address in lower case) and gets 403 on admin pages', async () => {
    const page = await signIn('paul');
    expect(new URL(page.url()).pathname).toBe('/console/');
    expect(await page.locator('h1').innerText()).toBe('Demandes à valider');
    expect(await page.locator('header').innerText()).toContain(`${AGENT} (agent)`);
    expect(await page.locator('nav a:text-is("Quarantaine")').count()).toBe(0);
    expect((await page.goto(`${consoleUrl}/admin/users`))!.status()).toBe(403);
    expect((await findUserByEmail(h.database.db, AGENT))!.role).toBe('agent');
  });

  it('the role follows the provider’s claim at each sign-in', async () => {
    people.paul!.roles = ['liquibot-admin'];
    const page = await signIn('paul');
    expect(await page.locator('header').innerText()).toContain(`${AGENT} (administrateur)`);
    expect((await findUserByEmail(h.database.db, AGENT))!.role).toBe('admin');
    people.paul!.roles = ['support'];
    const again = await signIn('paul');
    expect(await again.locator('header').innerText()).toContain(`${AGENT} (agent)`);
    expect((await auditOf(AGENT)).filter(([action]) => action === 'user_role_changed')).toEqual([
      ['user_role_changed', { from: 'agent', to: 'admin', method: 'oidc' }], ['user_role_changed', { from: 'admin', to: 'agent', method: 'oidc' }],
    ]);
    // The earlier session, still open in the first browser, now has the agent's rights.
    expect((await page.goto(`${consoleUrl}/admin/status`))!.status()).toBe(403);
  });

  it('refuses someone with no mapped role, or whose address the provider did not verify, in French, with no account made', async () => {
    const page = await signIn('compta');
    expect(new URL(page.url()).pathname).toBe('/console/oidc/callback');
    expect(await page.locator('h1').innerText()).toBe('Connexion impossible');
    expect(await page.locator('.fr-alert--error').innerText()).toContain('ni le rôle d’agent ni celui d’administrateur');
    expect(await findUserByEmail(h.database.db, NO_ROLE)).toBeNull();
    expect(await auditOf(NO_ROLE)).toEqual([['login_failed', { method: 'oidc', reason: 'NO_ROLE' }]]);
    // No session: the console sends back to the login page.
    await page.goto(`${consoleUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/console/login');

    const unverified = await signIn('douteux');
    expect(await unverified.locator('.fr-alert--error').innerText()).toContain('adresse électronique est vérifiée');
    expect(await findUserByEmail(h.database.db, UNVERIFIED)).toBeNull();
  });

  it('refuses a disabled account, even with the right role at the provider', async () => {
    const admin = (await findUserByEmail(h.database.db, AGENT))!;
    expect(await setAccountDisabled(h.database.db, admin.id, true, { actor: 'terminal:test', now: new Date() })).toBe('done');
    const page = await signIn('paul');
    expect(await page.locator('.fr-alert--error').innerText()).toContain('Ce compte est désactivé');
    expect((await auditOf(AGENT)).at(-1)).toEqual(['login_failed', { method: 'oidc', reason: 'DISABLED' }]);
    await page.goto(`${consoleUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
  });

  it('with local accounts on as well, the login page offers both, and a password still signs in', async () => {
    // A second console on the same database, on a port of its own, with passwords allowed.
    const both = (await startConsole({
      config: { ...h.config, CONSOLE_LOCAL_ACCOUNTS: true, CONSOLE_PORT: 0 }, database: h.database, log: createLogger({ level: 'silent' }),
    }))!;
    try {
      const page = await newPage();
      await page.goto(`${both.url}/login`);
      expect(await page.locator('#sso').count()).toBe(1);
      expect(await page.locator('h2').innerText()).toBe('Ou avec un compte local');
      await page.fill('#email', LOCAL);
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${both.url}/`), page.click('button:has-text("Se connecter")')]);
      expect(await page.locator('header').innerText()).toContain(`${LOCAL} (agent)`);
      expect((await auditOf(LOCAL)).at(-1)).toEqual(['login', { method: 'password' }]);
    } finally {
      await both.close();
    }
  });

  it('does not let single sign-on take over a local account (with a password) at the same address', async () => {
    const page = await signIn('homonyme');
    expect(new URL(page.url()).pathname).toBe('/console/oidc/callback');
    expect(await page.locator('h1').innerText()).toBe('Connexion impossible');
    expect(await page.locator('.fr-alert--error').innerText()).toContain('Un compte local, avec mot de passe, existe déjà à cette adresse');
    expect(await findUserByEmail(h.database.db, LOCAL)).toMatchObject({ role: 'agent', oidcIssuer: null, oidcSubject: null, passwordHash: expect.any(String) });
    expect((await auditOf(LOCAL)).at(-1)).toEqual(['login_failed', { method: 'oidc', reason: 'LOCAL_ACCOUNT' }]);
    await page.goto(`${consoleUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
  });

  it('refuses another subject the provider vouches for at the address of an account bound to someone else', async () => {
    const page = await signIn('usurpateur');
    expect(await page.locator('.fr-alert--error').innerText()).toContain('lié à une autre identité');
    expect(await findUserByEmail(h.database.db, ADMIN)).toMatchObject({ oidcIssuer: h.config.CONSOLE_OIDC_ISSUER, oidcSubject: 'chef' });
    expect((await auditOf(ADMIN)).at(-1)).toEqual(['login_failed', { method: 'oidc', reason: 'SUBJECT_MISMATCH' }]);
  });

  it('the same subject signs in after its address changed at the provider: the same account, with the new address', async () => {
    const first = await signIn('marie');
    expect(await first.locator('header').innerText()).toContain(`${MARIE} (agent)`);
    const account = (await findUserByEmail(h.database.db, MARIE))!;
    expect(account).toMatchObject({ oidcSubject: 'marie', passwordHash: null });
    people.marie!.email = MARIE_NEW;
    const page = await signIn('marie');
    expect(await page.locator('header').innerText()).toContain(`${MARIE_NEW} (agent)`);
    expect(await findUserByEmail(h.database.db, MARIE)).toBeNull();
    expect(await findUserByEmail(h.database.db, MARIE_NEW)).toMatchObject({ id: account.id, oidcSubject: 'marie' });
    expect(await auditOf(MARIE_NEW)).toEqual([['user_email_changed', { from: MARIE, method: 'oidc' }], ['login', { method: 'oidc' }]]);
    // An agent cannot unbind (nor remove a password), even their own account.
    for (const action of ['unbind', 'remove-password']) {
      expect((await page.request.post(`${consoleUrl}/admin/users/${account.id}/${action}`, { form: {}, maxRedirects: 0 })).status()).toBe(403);
    }
    expect(await findUserByEmail(h.database.db, MARIE_NEW)).toMatchObject({ oidcSubject: 'marie' });
  });

  it('an admin unbinds an account and removes a local account’s password on the accounts page; the next sign-in binds them', async () => {
    const admin = await signIn('chef', '/admin/users');
    const row = (email: string) => admin.locator(`#comptes tr[data-email="${email}"]`);
    expect(await row(MARIE_NEW).textContent()).toContain('lié au fournisseur d’identité');
    expect(await row(LOCAL).textContent()).not.toContain('lié au fournisseur d’identité');
    // Not on one's own row: an admin does not lock themselves out by mistake.
    expect(await row(ADMIN).locator('button:has-text("Retirer le mot de passe")').count()).toBe(0);
    // Without the session's CSRF token: refused.
    const marie = (await findUserByEmail(h.database.db, MARIE_NEW))!;
    expect((await admin.request.post(`${consoleUrl}/admin/users/${marie.id}/unbind`, { form: {}, maxRedirects: 0 })).status()).toBe(403);
    expect(await findUserByEmail(h.database.db, MARIE_NEW)).toMatchObject({ oidcSubject: 'marie' });
    await Promise.all([admin.waitForURL(/done=unbound/), row(MARIE_NEW).locator('button:has-text("Détacher du fournisseur")').click()]);
    expect(await admin.locator('.fr-alert--success').innerText()).toContain('détaché de son identité');
    expect(await findUserByEmail(h.database.db, MARIE_NEW)).toMatchObject({ oidcIssuer: null, oidcSubject: null });
    expect((await auditOf(MARIE_NEW)).at(-1)).toEqual(['oidc_unbound', { issuer: h.config.CONSOLE_OIDC_ISSUER, subject: 'marie', sessionsEnded: 2 }]);

    await Promise.all([admin.waitForURL(/done=password-removed/), row(LOCAL).locator('button:has-text("Retirer le mot de passe")').click()]);
    expect(await findUserByEmail(h.database.db, LOCAL)).toMatchObject({ passwordHash: null, oidcSubject: null });
    // The provider's person at that address now gets the account (and its role from the claim).
    const page = await signIn('homonyme');
    expect(await page.locator('header').innerText()).toContain(`${LOCAL} (administrateur)`);
    expect(await findUserByEmail(h.database.db, LOCAL)).toMatchObject({ oidcSubject: 'homonyme', role: 'admin' });
    expect((await auditOf(LOCAL)).slice(-4).map(([action]) => action)).toEqual(['password_removed', 'oidc_bound', 'user_role_changed', 'login']);
  });

  it('refuses a callback without the browser’s sign-in cookie (another browser, or a forged response)', async () => {
    const page = await newPage();
    const response = await page.goto(`${consoleUrl}/oidc/callback?code=abc&state=def`);
    expect(response!.status()).toBe(400);
    expect(await page.locator('.fr-alert--error').innerText()).toContain('La connexion a expiré');
    // With the cookie of a sign-in that was started, but a state that is not its own.
    await page.goto(`${consoleUrl}/login`);
    await Promise.all([page.waitForURL((u) => !u.href.startsWith(consoleUrl)), page.click('#sso')]);
    const forged = await page.goto(`${consoleUrl}/oidc/callback?code=abc&state=${'s'.repeat(43)}&iss=${encodeURIComponent(h.config.CONSOLE_OIDC_ISSUER!)}`);
    expect(forged!.status()).toBe(400);
    expect(await page.locator('.fr-alert--error').innerText()).toContain('a échoué ou a été annulée');
    const logs = h.logs.text();
    expect(logs).not.toContain(CLIENT_SECRET);
    expect(logs).not.toContain(ADMIN);
  });
});
