import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/console/secrets';
import { findUserByEmail, findUserByInvitation } from '../../src/db/console-queries';
import { consoleAudit, tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { buildRequestMail } from '../support/sample-mails';
import { addConsoleUser, launchConsoleBrowser, signIn, type ConsoleBrowser } from './support/console-browser';
import { createHarness, type Harness } from './support/liquibot-harness';

/**
 * The accounts page (admins) and « Marquer traité » (agents), in a real browser (Debian's Chromium
 * driven by playwright-core) against the real daemon, Dovecot, PostgreSQL and the SMTP sink.
 */

const SCREENSHOTS = join(__dirname, '../../docs/console');
const ADMIN = 'chef.equipe@support.example.fr';
const AGENT = 'paul.durand@support.example.fr';
const NEWCOMER = 'nouvelle.recrue@support.example.fr';
const PASSWORD = 'cheval correct agrafe batterie';
const PASSWORD2 = 'un autre mot de passe sûr';

describe('accounts and « Marquer traité » in the console', () => {
  let h: Harness;
  let browser: ConsoleBrowser;
  let consoleUrl: string;
  const addUser = (email: string, role: 'agent' | 'admin') => addConsoleUser(h.config, email, role, PASSWORD);

  beforeAll(async () => {
    // A port known before the start: the invitation links name the console's configured address.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    h = await createHarness({ env: { HTTP_PORT: String(port) } });
    await h.start();
    consoleUrl = `http://127.0.0.1:${port}${h.config.CONSOLE_PATH}`;
    await addUser(ADMIN, 'admin');
    await addUser(AGENT, 'agent');
    browser = await launchConsoleBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const newPage = () => browser.newPage();

  const loggedIn = async (email: string, password = PASSWORD): Promise<Page> => signIn(await newPage(), consoleUrl, email, password);

  const row = (page: Page, email: string) => page.locator(`#comptes tr[data-email="${email}"]`);
  const audit = async (action: string) => (await h.database.db.select().from(consoleAudit).where(eq(consoleAudit.action, action as never)))
    .map((a) => [a.actor, a.target, a.detail]);
  /** Whether a page of this browser still has a session: the queue, or the login page. */
  const signedIn = async (page: Page) => {
    await page.goto(`${consoleUrl}/`);
    return new URL(page.url()).pathname === `${h.config.CONSOLE_PATH}/`;
  };

  it('an admin sees the accounts and adds one: the invitation link is shown once, and it works', async () => {
    const admin = await loggedIn(ADMIN);
    await admin.goto(`${consoleUrl}/admin/users`);
    expect(await row(admin, ADMIN).innerText()).toMatch(/administrateur\s+actif/);
    expect(await row(admin, AGENT).innerText()).toMatch(/agent\s+actif\s+jamais|agent\s+actif\s+—/);
    await admin.fill('#new-email', NEWCOMER);
    await admin.selectOption('#new-role', 'agent');
    await Promise.all([admin.waitForLoadState('load'), admin.click('button:has-text("Ajouter et créer le lien d’invitation")')]);
    const notice = await admin.locator('#invitation').innerText();
    const link = notice.match(/http:\S+\/invitation\?token=([A-Za-z0-9_-]{43})/)!;
    expect(link[0]).toBe(`${consoleUrl}/invitation?token=${link[1]}`);
    const token = link[1]!;
    expect((await findUserByInvitation(h.database.db, sha256Hex(token)))).toMatchObject({ email: NEWCOMER, role: 'agent', passwordHash: null });
    expect(await audit('user_invited')).toContainEqual([`console:${ADMIN}`, NEWCOMER, { role: 'agent' }]);
    await admin.screenshot({ path: join(SCREENSHOTS, 'accounts.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1300 } });
    // Shown once: the page opened again does not hold it.
    await admin.goto(`${consoleUrl}/admin/users`);
    expect(await admin.locator('#invitation').count()).toBe(0);
    expect(await admin.content()).not.toContain(token);
    expect(await row(admin, NEWCOMER).innerText()).toContain('invité');
    // The same address twice: refused, nothing changes.
    await admin.fill('#new-email', NEWCOMER);
    const [again] = await Promise.all([admin.waitForResponse((r) => r.url().endsWith('/admin/users') && r.request().method() === 'POST'), admin.click('button:has-text("Ajouter")')]);
    expect(again.status()).toBe(409);
    expect(await admin.locator('.fr-alert--error').innerText()).toContain('a déjà un compte');

    const newcomer = await newPage();
    await newcomer.goto(link[0]);
    await newcomer.fill('#password', PASSWORD2);
    await newcomer.fill('#confirm', PASSWORD2);
    await Promise.all([newcomer.waitForURL(/note=password-set/), newcomer.click('button:has-text("Enregistrer")')]);
    await loggedIn(NEWCOMER, PASSWORD2);
  });

  it('an admin changes a role, which applies at the account’s next page', async () => {
    const agent = await loggedIn(AGENT);
    expect((await agent.goto(`${consoleUrl}/admin/status`))!.status()).toBe(403);
    const admin = await loggedIn(ADMIN);
    await admin.goto(`${consoleUrl}/admin/users`);
    await row(admin, AGENT).locator('select[name=role]').selectOption('admin');
    await Promise.all([admin.waitForURL(/done=role/), row(admin, AGENT).locator('button:has-text("Changer le rôle")').click()]);
    expect(await admin.locator('.fr-alert--success').innerText()).toContain('Le rôle est modifié');
    expect((await findUserByEmail(h.database.db, AGENT))!.role).toBe('admin');
    expect((await agent.goto(`${consoleUrl}/admin/status`))!.status()).toBe(200);
    await row(admin, AGENT).locator('select[name=role]').selectOption('agent');
    await Promise.all([admin.waitForURL(/done=role/), row(admin, AGENT).locator('button:has-text("Changer le rôle")').click()]);
    expect((await agent.goto(`${consoleUrl}/admin/status`))!.status()).toBe(403);
    expect(await audit('user_role_changed')).toEqual([
      [`console:${ADMIN}`, AGENT, { from: 'agent', to: 'admin' }], [`console:${ADMIN}`, AGENT, { from: 'admin', to: 'agent' }],
    ]);
  });

  it('disabling an account ends its sessions and its logins; enabling it again lets it in; revoking ends its sessions', async () => {
    const agent = await loggedIn(AGENT);
    const admin = await loggedIn(ADMIN);
    await admin.goto(`${consoleUrl}/admin/users`);
    await Promise.all([admin.waitForURL(/done=disabled/), row(admin, AGENT).locator('button:has-text("Désactiver")').click()]);
    expect(await row(admin, AGENT).innerText()).toContain('désactivé le');
    expect(await signedIn(agent)).toBe(false);
    await agent.fill('#email', AGENT);
    await agent.fill('#password', PASSWORD);
    const [refused] = await Promise.all([agent.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'), agent.click('button:has-text("Se connecter")')]);
    expect(refused.status()).toBe(401);

    await Promise.all([admin.waitForURL(/done=enabled/), row(admin, AGENT).locator('button:has-text("Réactiver")').click()]);
    const back = await loggedIn(AGENT);
    await admin.goto(`${consoleUrl}/admin/users`);
    expect(await row(admin, AGENT).locator('td').nth(4).innerText()).toBe('1');
    await Promise.all([admin.waitForURL(/done=revoked/), row(admin, AGENT).locator('button:has-text("Fermer les sessions")').click()]);
    expect(await signedIn(back)).toBe(false);
    // The admin's own session is untouched.
    expect(await signedIn(admin)).toBe(true);
    expect((await audit('user_disabled')).map((a) => [a[0], a[1]])).toEqual([[`console:${ADMIN}`, AGENT]]);
    expect((await audit('user_enabled')).map((a) => [a[0], a[1]])).toEqual([[`console:${ADMIN}`, AGENT]]);
    expect(await audit('sessions_revoked')).toEqual([[`console:${ADMIN}`, AGENT, { sessions: 1 }]]);
  });

  it('the last admin can neither demote nor disable themself', async () => {
    const admin = await loggedIn(ADMIN);
    await admin.goto(`${consoleUrl}/admin/users`);
    await row(admin, ADMIN).locator('select[name=role]').selectOption('agent');
    await Promise.all([admin.waitForURL(/done=last-admin/), row(admin, ADMIN).locator('button:has-text("Changer le rôle")').click()]);
    expect(await admin.locator('.fr-alert--error').innerText()).toContain('dernier administrateur actif');
    await Promise.all([admin.waitForURL(/done=last-admin/), row(admin, ADMIN).locator('button:has-text("Désactiver")').click()]);
    expect(await findUserByEmail(h.database.db, ADMIN)).toMatchObject({ role: 'admin', disabledAt: null });
    expect(await signedIn(admin)).toBe(true);
  });

  it('an agent gets 403 on the accounts page and every account action, even with its own valid token', async () => {
    const agent = await loggedIn(AGENT);
    const token = await agent.locator('form[action$="/logout"] input[name=_csrf]').first().getAttribute('value');
    expect((await agent.goto(`${consoleUrl}/admin/users`))!.status()).toBe(403);
    const admin = (await findUserByEmail(h.database.db, ADMIN))!;
    const posts: [string, Record<string, string>][] = [
      ['/admin/users', { email: 'intrus@support.example.fr', role: 'admin' }],
      [`/admin/users/${admin.id}/role`, { role: 'agent' }],
      [`/admin/users/${admin.id}/disable`, {}],
      [`/admin/users/${admin.id}/revoke`, {}],
      [`/admin/users/${admin.id}/invite`, {}],
    ];
    for (const [path, form] of posts) {
      expect((await agent.request.post(`${consoleUrl}${path}`, { form: { _csrf: token!, ...form }, maxRedirects: 0 })).status(), path).toBe(403);
    }
    expect(await findUserByEmail(h.database.db, 'intrus@support.example.fr')).toBeNull();
    expect(await findUserByEmail(h.database.db, ADMIN)).toMatchObject({ role: 'admin', disabledAt: null });
    const forbidden = await h.database.db.select().from(consoleAudit).where(and(eq(consoleAudit.action, 'forbidden'), eq(consoleAudit.actor, `console:${AGENT}`)));
    expect(forbidden.filter((r) => (r.detail as { reason?: string }).reason === 'role').length).toBeGreaterThanOrEqual(posts.length + 1);
  });

  it('CSRF: every account action without the session’s token, or with another session’s, is refused', async () => {
    const admin = await loggedIn(ADMIN);
    const other = await loggedIn(NEWCOMER, PASSWORD2);
    const otherToken = await other.locator('form[action$="/logout"] input[name=_csrf]').first().getAttribute('value');
    const agent = (await findUserByEmail(h.database.db, AGENT))!;
    const posts: [string, Record<string, string>][] = [
      ['/admin/users', { email: 'sans.jeton@support.example.fr', role: 'admin' }],
      [`/admin/users/${agent.id}/role`, { role: 'admin' }],
      [`/admin/users/${agent.id}/disable`, {}],
      [`/admin/users/${agent.id}/enable`, {}],
      [`/admin/users/${agent.id}/revoke`, {}],
      [`/admin/users/${agent.id}/invite`, {}],
    ];
    for (const [path, form] of posts) {
      expect((await admin.request.post(`${consoleUrl}${path}`, { form, maxRedirects: 0 })).status(), path).toBe(403);
      expect((await admin.request.post(`${consoleUrl}${path}`, { form: { ...form, _csrf: otherToken! }, maxRedirects: 0 })).status(), path).toBe(403);
    }
    expect(await findUserByEmail(h.database.db, 'sans.jeton@support.example.fr')).toBeNull();
    expect(await findUserByEmail(h.database.db, AGENT)).toMatchObject({ role: 'agent', disabledAt: null, invitationTokenHash: null });
    // With its token, it goes.
    const token = await admin.locator('form[action$="/logout"] input[name=_csrf]').first().getAttribute('value');
    expect((await admin.request.post(`${consoleUrl}/admin/users/${agent.id}/revoke`, { form: { _csrf: token! }, maxRedirects: 0 })).status()).toBe(303);
  });

  it('« Marquer traité »: an agent ends the wait for a person, as `liquibot tickets handled` does, in their name', async () => {
    const requester = 'etude.perrin@mandataires.example.fr';
    const root = `<req-${randomUUID()}@custhelp.example.net>`;
    await h.deliver(buildRequestMail({ from: requester, messageId: root, siret: '44306184100047', liquidatorEmail: 'perrin@mandataires.example.fr' }));
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, root));
    const ack = await h.sink.waitFor((m) => m.envelope.to[0] === requester);
    await h.deliver(buildRequestMail({
      from: requester, subject: `RE: ${ack.subject ?? ''}`, siret: null, liquidatorEmail: null, attachment: 'none', inReplyTo: ack.messageId,
      preamble: 'Bonjour, sous quel délai le lien sera-t-il envoyé ?',
    }));
    const [waiting] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(waiting!.needsPersonSince).toBeInstanceOf(Date);

    const agent = await loggedIn(AGENT);
    await agent.goto(`${consoleUrl}/waiting`);
    expect(await agent.locator(`a:text-is("${ticket!.ref}")`).count()).toBe(1);
    await Promise.all([agent.waitForURL(/\/tickets\//), agent.click(`a:text-is("${ticket!.ref}")`)]);
    expect(await agent.locator('main').textContent()).toContain('attend une personne depuis le');
    const token = await agent.locator('form[action$="/handled"] input[name=_csrf]').getAttribute('value');
    // Without the token: refused, nothing changes.
    expect((await agent.request.post(`${consoleUrl}/tickets/${ticket!.ref}/handled`, { form: {}, maxRedirects: 0 })).status()).toBe(403);
    expect((await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id)))[0]!.needsPersonSince).not.toBeNull();

    await Promise.all([agent.waitForURL(/done=handled/), agent.click('#marquer-traite')]);
    expect(await agent.locator('.fr-alert--success').innerText()).toContain('Demande marquée traitée');
    expect(await agent.locator('#marquer-traite').count()).toBe(0);
    const [after] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(after).toMatchObject({ needsPersonSince: null, status: 'awaiting_approval' });
    const handled = (await eventsOfTicket(h.database.db, ticket!.id)).filter((e) => e.kind === 'person_handled');
    expect(handled.map((e) => [e.actor, e.detail.via])).toEqual([[`console:${AGENT}`, 'console']]);
    expect(await agent.locator('main').innerText()).toContain(`console:${AGENT}`);
    expect(await audit('ticket_marked_handled')).toEqual([[`console:${AGENT}`, ticket!.ref, { outcome: 'handled' }]]);
    await agent.goto(`${consoleUrl}/waiting`);
    expect(await agent.locator(`a:text-is("${ticket!.ref}")`).count()).toBe(0);
    // A second click (a stale page): nothing changes, and the page says so.
    const again = await agent.request.post(`${consoleUrl}/tickets/${ticket!.ref}/handled`, { form: { _csrf: token! }, maxRedirects: 0 });
    expect(again.headers()['location']).toMatch(/done=not-waiting-person$/);
    expect((await eventsOfTicket(h.database.db, ticket!.id)).filter((e) => e.kind === 'person_handled')).toHaveLength(1);
  });
});
