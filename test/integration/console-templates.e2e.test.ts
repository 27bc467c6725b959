import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAccounts } from '../../src/accounts/import-accounts';
import { templatesCommand } from '../../src/cli/templates-command';
import { consoleAudit, templateVersions, tickets, type Ticket } from '../../src/db/schema';
import { createLogger } from '../../src/log';
import { parseMail } from '../../src/mail/parse-mail';
import { CATALOG } from '../../src/templates/catalog';
import { loadDatabaseTemplates, startTemplateVersionSync, type TemplateVersionSync } from '../../src/templates/db-versions';
import { TemplateStore } from '../../src/templates/store';
import { buildRequestMail } from '../support/sample-mails';
import { addConsoleUser, launchConsoleBrowser, signIn, type ConsoleBrowser } from './support/console-browser';
import { createHarness, type Harness } from './support/liquibot-harness';

/**
 * The template editor of the web console (issue 14) in a real browser (Debian's Chromium driven by
 * playwright-core), against the real daemon, Dovecot, PostgreSQL and the SMTP sink.
 */

const SCREENSHOTS = join(__dirname, '../../docs/console');
const AGENT = 'paul.durand@support.example.fr';
const ADMIN = 'chef.equipe@support.example.fr';
const PASSWORD = 'cheval correct agrafe batterie';

describe('the template editor in a browser', () => {
  let h: Harness;
  let browser: ConsoleBrowser;
  let consoleUrl: string;
  const sirets = ['73282932000074', '44306184100047', '35600000000048', '54205118000066'];
  let seq = 0;

  const addUser = (email: string, role: 'agent' | 'admin') => addConsoleUser(h.config, email, role, PASSWORD);

  /** Another instance's templates on the same database (polling fast), started before any save. */
  const other = new TemplateStore();
  let otherSync: TemplateVersionSync | null = null;

  beforeAll(async () => {
    h = await createHarness();
    otherSync = await startTemplateVersionSync({ database: h.database, store: other, log: createLogger({ level: 'silent' }), intervalMs: 100 });
    expect(other.sourcesInUse('reset-link').databaseVersion).toBeNull();
    await importAccounts(h.database.db, sirets.map((siret) => ({ siret, lastName: 'MOUTIN', firstName: 'Claire' })), new Date());
    const daemon = await h.start();
    consoleUrl = `http://127.0.0.1:${daemon.operations.http!.port}${h.config.CONSOLE_PATH}`;
    await addUser(AGENT, 'agent');
    await addUser(ADMIN, 'admin');
    browser = await launchConsoleBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    otherSync?.stop();
    await browser?.close();
    await h?.close();
  });

  async function loggedIn(email: string, opts: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, javaScriptEnabled: opts.javaScriptEnabled ?? true });
    return signIn(page, consoleUrl, email, PASSWORD);
  }

  /** A conforming request, waiting for the agents. */
  async function request(liquidator: string): Promise<Ticket> {
    const siret = sirets[seq++]!;
    const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
    await h.deliver(buildRequestMail({ from: 'etude@moutin.example.fr', fromName: 'Maître Claire Moutin', liquidatorEmail: liquidator, siret, messageId }));
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    expect(ticket?.status).toBe('awaiting_approval');
    return ticket!;
  }

  /** Approves in the console, and returns the text of the reset mail the liquidator receives. */
  async function approveAndReadResetMail(page: Page, ticket: Ticket, liquidator: string): Promise<string> {
    await page.goto(`${consoleUrl}/tickets/${ticket.ref}`);
    await Promise.all([page.waitForURL(/done=approved/), page.click('#valider')]);
    const reset = await h.sink.waitFor((m) => m.envelope.to.includes(liquidator), 15_000);
    const parsed = await parseMail(reset.raw);
    return `${parsed.text ?? ''}\n----\n${typeof parsed.html === 'string' ? parsed.html : ''}`;
  }

  /**
   * The whole page: the viewport made as tall as the page rather than `fullPage`, which leaves the
   * sandboxed preview frame (another process) blank.
   */
  async function screenshot(page: Page, file: string): Promise<void> {
    const height = await page.evaluate('document.documentElement.scrollHeight') as number;
    await page.setViewportSize({ width: 1440, height: Math.min(height, 4000) });
    await page.screenshot({ path: join(SCREENSHOTS, file) });
    await page.setViewportSize({ width: 1440, height: 1000 });
  }

  const versionRows = () => h.database.db.select().from(templateVersions).where(eq(templateVersions.name, 'reset-link')).orderBy(templateVersions.version);
  const audit = (action: 'template_saved' | 'template_rolled_back' | 'template_test_sent') =>
    h.database.db.select().from(consoleAudit).where(and(eq(consoleAudit.action, action), eq(consoleAudit.target, 'template:reset-link')));

  /** Puts the cursor at the end of a part, as a click there would. */
  const cursorAtEnd = (page: Page, selector: string) => page.locator(selector).evaluate((node) => {
    const el = node as unknown as { focus(): void; value: string; selectionStart: number; selectionEnd: number };
    el.focus();
    el.selectionStart = el.selectionEnd = el.value.length;
  });

  it('an admin edits the reset-link template, sees the preview follow and the drift pointed out, saves; the next reset mail uses it', async () => {
    const admin = await loggedIn(ADMIN);
    await admin.click('a.fr-nav__link:has-text("Modèles de mails")');
    const row = admin.locator('tr', { has: admin.locator('a:has-text("reset-link")') });
    expect((await row.locator('td').allTextContents()).slice(2, 5)).toEqual(['livré', 'livré', 'livré']);
    await Promise.all([admin.waitForURL(/\/admin\/templates\/reset-link$/), row.locator('a').first().click()]);
    expect(await admin.locator('#preview-text').innerText()).toContain('Madame, Monsieur,');
    // The HTML preview: its own sandboxed response, in a frame.
    const frame = admin.frameLocator('#preview-html');
    expect(await frame.locator('body').innerText()).toContain('Madame, Monsieur,');

    // Typing changes the preview (the script posts the form in the background).
    const text = await admin.inputValue('#part-text');
    await admin.fill('#part-text', text.replace('Madame, Monsieur,', 'Bonjour Maître,'));
    await admin.locator('#preview-text', { hasText: 'Bonjour Maître,' }).waitFor();
    // Only the text says it: a drift, pointed out.
    await admin.locator('#template-drift', { hasText: 'Phrase présente seulement dans le texte : « Bonjour Maître, »' }).waitFor();
    expect(await admin.locator('#template-drift').innerText()).toContain('Phrase présente seulement dans le HTML : « Madame, Monsieur, »');

    // A variable inserted at the cursor by a click.
    await admin.fill('#part-text', `${await admin.inputValue('#part-text')}\n\nVotre référence de dossier : `);
    await cursorAtEnd(admin, '#part-text');
    await admin.click('#template-variables button[data-insert="{{ ticketRef }}"]');
    expect((await admin.inputValue('#part-text')).endsWith('Votre référence de dossier : {{ ticketRef }}')).toBe(true);
    await admin.locator('#preview-text', { hasText: 'Votre référence de dossier : LJ-261126-0042' }).waitFor();
    await admin.locator('#template-drift', { hasText: 'Phrase présente seulement dans le texte : « Votre référence de dossier : LJ-261126-0042 »' }).waitFor();
    // The editor as the docs show it: the parts side by side, the variables, the drift warning, the preview.
    await admin.frameLocator('#preview-html').locator('body', { hasText: 'Madame, Monsieur,' }).waitFor();
    await screenshot(admin, 'template-editor.png');

    // The HTML says the same: the warning goes away.
    const htmlPart = await admin.inputValue('#part-html');
    await admin.fill('#part-html', htmlPart.replace('<p>Madame, Monsieur,</p>', '<p>Bonjour Maître,</p>').replace('</body>', '<p>Votre référence de dossier : {{ ticketRef }}</p>\n</body>'));
    await admin.locator('#template-valid').waitFor();
    await expect.poll(() => admin.locator('#template-drift').count()).toBe(0);
    expect(await admin.frameLocator('#preview-html').locator('body').innerText()).toContain('Bonjour Maître,');
    await admin.fill('#comment', 'Formule d’appel des liquidateurs');

    await Promise.all([admin.waitForURL(/saved=1/), admin.click('#save-button')]);
    expect(await admin.locator('.fr-alert--success').innerText()).toContain('Version 1 enregistrée');
    const [v1] = await versionRows();
    expect(v1).toMatchObject({ version: 1, author: `console:${ADMIN}`, subject: null, comment: 'Formule d’appel des liquidateurs', basedOn: null });
    expect(v1!.text).toContain('Bonjour Maître,');
    expect(v1!.html).toContain('<p>Bonjour Maître,</p>');
    expect(await audit('template_saved')).toEqual([expect.objectContaining({ actor: `console:${ADMIN}`, detail: expect.objectContaining({ version: 1, parts: ['text', 'html'] }) })]);
    // The list says where each part comes from now.
    await admin.goto(`${consoleUrl}/admin/templates`);
    expect((await admin.locator('tr', { has: admin.locator('a:has-text("reset-link")') }).locator('td').allTextContents()).slice(2, 5)).toEqual(['livré', 'console v1', 'console v1']);
    await screenshot(admin, 'templates-list.png');

    // The next reset mail, after an approval, uses it.
    const ticket = await request('claire.moutin@moutin.example.fr');
    const mail = await approveAndReadResetMail(admin, ticket, 'claire.moutin@moutin.example.fr');
    expect(mail).toContain('Bonjour Maître,');
    expect(mail).toContain(`Votre référence de dossier : ${ticket.ref}`);
    expect(mail).not.toContain('Madame, Monsieur,');
  });

  it('another instance on the same database, started before the save, picks the new version up by polling', async () => {
    await expect.poll(() => other.render('reset-link', CATALOG['reset-link'].example).text, { timeout: 10_000 }).toContain('Bonjour Maître,');
    expect(other.sourcesInUse('reset-link')).toEqual({ parts: { subject: 'shipped', text: 'database', html: 'database' }, databaseVersion: 1 });
  });

  it('an invalid edit is refused with its line and an excerpt; without JavaScript, “Prévisualiser” shows the preview', async () => {
    const admin = await loggedIn(ADMIN, { javaScriptEnabled: false });
    await admin.goto(`${consoleUrl}/admin/templates/reset-link`);
    const text = await admin.inputValue('#part-text');
    const lines = text.split('\n');
    lines.splice(2, 0, 'Votre dossier : {{ ticketRef | majuscules }}');
    await admin.fill('#part-text', lines.join('\n'));
    const [saved] = await Promise.all([admin.waitForResponse((r) => r.request().method() === 'POST'), admin.click('#save-button')]);
    expect(saved.status()).toBe(422);
    const errors = await admin.locator('#template-errors').innerText();
    expect(errors).toContain('Texte, ligne 3');
    expect(errors).toContain('Filtre inconnu : « majuscules »');
    expect(errors).toContain('Votre dossier : {{ ticketRef | majuscules }}');
    expect(await admin.locator('.fr-alert--error').first().innerText()).toContain('n’a pas été enregistré');
    // The draft is still there to be fixed; nothing was saved.
    expect(await admin.inputValue('#part-text')).toContain('majuscules');
    expect(await versionRows()).toHaveLength(1);
    await screenshot(admin, 'template-editor-error.png');

    // Fixed, and previewed without any script: the server renders the page with the preview.
    await admin.fill('#part-text', lines.join('\n').replace('| majuscules', '| upcase'));
    const [previewed] = await Promise.all([admin.waitForResponse((r) => r.url().endsWith('/preview')), admin.click('#preview-button')]);
    expect(previewed.status()).toBe(200);
    expect(await admin.locator('#preview-text').innerText()).toContain('Votre dossier : LJ-261126-0042');
    expect(await admin.locator('#template-valid').count()).toBe(1);
    expect(await admin.locator('#template-drift').innerText()).toContain('Phrase présente seulement dans le texte : « Votre dossier : LJ-261126-0042 »');
  });

  it('versions: the diff between two, a rollback restores the previous one (a new version based on it), and the next reset mail uses it', async () => {
    const admin = await loggedIn(ADMIN);
    await admin.goto(`${consoleUrl}/admin/templates/reset-link`);
    await admin.fill('#part-text', (await admin.inputValue('#part-text')).replace('Bonjour Maître,', 'Cher Maître,'));
    await admin.fill('#part-html', (await admin.inputValue('#part-html')).replace('<p>Bonjour Maître,</p>', '<p>Cher Maître,</p>'));
    await admin.locator('#preview-text', { hasText: 'Cher Maître,' }).waitFor();
    await Promise.all([admin.waitForURL(/saved=2/), admin.click('#save-button')]);

    await admin.click('a:has-text("Versions et retour arrière")');
    expect(await admin.locator('#versions tbody tr').count()).toBe(2);
    await admin.selectOption('#from', '1');
    await admin.selectOption('#to', '2');
    await Promise.all([admin.waitForURL(/from=1&to=2/), admin.click('button:has-text("Comparer")')]);
    expect(await admin.locator('#diff-text .del').allInnerTexts()).toEqual(['- Bonjour Maître,']);
    expect(await admin.locator('#diff-text .add').allInnerTexts()).toEqual(['+ Cher Maître,']);
    expect(await admin.locator('#diff-subject').innerText()).toBe('Identique.');
    await screenshot(admin, 'template-versions.png');

    await Promise.all([admin.waitForURL(/rolledback=3/), admin.click('#rollback-1')]);
    const rows = await versionRows();
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(rows[2]).toMatchObject({ basedOn: 1, author: `console:${ADMIN}`, text: rows[0]!.text, html: rows[0]!.html, subject: null });
    expect(await audit('template_rolled_back')).toEqual([expect.objectContaining({ actor: `console:${ADMIN}`, detail: expect.objectContaining({ version: 3, restored: 1 }) })]);
    expect(await admin.inputValue('#part-text')).toContain('Bonjour Maître,');

    // A save started from version 2 (someone else's page, opened before the rollback) is a conflict: nothing written.
    const stale = await admin.request.post(`${consoleUrl}/admin/templates/reset-link`, {
      form: {
        _csrf: (await admin.locator('input[name=_csrf]').first().getAttribute('value'))!, expectedActive: '2',
        subject: await admin.inputValue('#part-subject'), text: (await admin.inputValue('#part-text')).replace('Bonjour Maître,', 'Salut,'), html: await admin.inputValue('#part-html'),
      },
      maxRedirects: 0,
    });
    expect(stale.status()).toBe(409);
    expect(await stale.text()).toContain('Un autre enregistrement a eu lieu pendant votre modification (version en service : v3)');
    expect((await versionRows()).map((r) => r.version)).toEqual([1, 2, 3]);

    const ticket = await request('mandataire.garnier@garnier.example.fr');
    const mail = await approveAndReadResetMail(admin, ticket, 'mandataire.garnier@garnier.example.fr');
    expect(mail).toContain('Bonjour Maître,');
    expect(mail).not.toContain('Cher Maître,');

    // The difference from the shipped template.
    await admin.goto(`${consoleUrl}/admin/templates/reset-link/shipped`);
    expect(await admin.locator('#shipped-text .del').allInnerTexts()).toContain('- Madame, Monsieur,');
    expect(await admin.locator('#shipped-text .add').allInnerTexts()).toContain('+ Bonjour Maître,');
    expect(await admin.locator('#shipped-subject').innerText()).toBe('Identique.');
  });

  it('the preview with a real ticket’s data; a test send goes to the admin’s own address through the outbox, and is in the audit log', async () => {
    const admin = await loggedIn(ADMIN);
    await admin.goto(`${consoleUrl}/admin/templates/reset-link`);
    const [ticket] = await h.database.db.select().from(tickets).orderBy(tickets.id).limit(1);
    await admin.fill('#preview-ref', ticket!.ref.toLowerCase());
    await admin.locator('#preview-text', { hasText: `Votre référence de dossier : ${ticket!.ref}` }).waitFor();
    expect(await admin.locator('#template-results h2').innerText()).toContain(`demande ${ticket!.ref}`);
    await admin.fill('#preview-ref', '');
    await admin.locator('#preview-text', { hasText: 'Votre référence de dossier : LJ-261126-0042' }).waitFor();
    await admin.click('#test-button');
    expect(await admin.locator('.fr-alert--success').innerText()).toContain(`Essai envoyé à ${ADMIN}`);
    const test = await h.sink.waitFor((m) => m.envelope.to.includes(ADMIN), 15_000);
    const parsed = await parseMail(test.raw);
    expect(parsed.subject).toMatch(/^\[Essai\] \[LJ-261126-0042\]/);
    expect(parsed.text).toContain('Bonjour Maître,');
    expect(await audit('template_test_sent')).toEqual([expect.objectContaining({ actor: `console:${ADMIN}`, detail: expect.objectContaining({ to: ADMIN }) })]);
  });

  it('liquibot templates check checks the active database versions; a bad one is refused by the daemon, which keeps sending', async () => {
    const run = async () => {
      const out: string[] = [];
      const code = await templatesCommand(['check'], { out: (l) => out.push(l), loadDatabaseTemplates: () => loadDatabaseTemplates(h.database) });
      return { code, out: out.join('\n') };
    };
    expect(await run()).toEqual({ code: 0, out: expect.stringContaining('console versions reset-link@v3') });
    // Written behind the console's back (the console checks before saving): the checks still catch it.
    await h.database.db.insert(templateVersions).values({ name: 'reset-link', version: 4, text: 'Lien : {{ link }}\n', author: 'test', createdAt: new Date() });
    const bad = await run();
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('database:reset-link@v4/text.liquid:1:1 required variable "validityHours" is not used in text.liquid');
    await expect.poll(() => h.logs.text().includes('template edit refused, previous version kept'), { timeout: 15_000 }).toBe(true);
    const ticket = await request('etude.bernard@bernard.example.fr');
    const admin = await loggedIn(ADMIN);
    // The editor says that this instance does not send with the active version, and which one it sends with.
    await admin.goto(`${consoleUrl}/admin/templates/reset-link`);
    expect(await admin.locator('.fr-alert--warning', { hasText: 'Version pas encore en service' }).innerText()).toContain('avec la version 3, pas avec la version 4');
    const mail = await approveAndReadResetMail(admin, ticket, 'etude.bernard@bernard.example.fr');
    expect(mail).toContain('Bonjour Maître,');
    await h.database.db.delete(templateVersions).where(and(eq(templateVersions.name, 'reset-link'), eq(templateVersions.version, 4)));
  });

  it('an agent gets 403 on the template pages and actions, and sees no “Modèles de mails” menu', async () => {
    const page = await loggedIn(AGENT);
    expect(await page.locator('a.fr-nav__link:has-text("Modèles de mails")').count()).toBe(0);
    for (const path of ['/admin/templates', '/admin/templates/reset-link', '/admin/templates/reset-link/versions', '/admin/templates/reset-link/shipped']) {
      const response = await page.goto(`${consoleUrl}${path}`);
      expect(response!.status(), path).toBe(403);
    }
    const token = await page.locator('input[name=_csrf]').first().getAttribute('value');
    for (const path of ['/admin/templates/reset-link', '/admin/templates/reset-link/preview', '/admin/templates/reset-link/rollback', '/admin/templates/reset-link/test']) {
      const response = await page.request.post(`${consoleUrl}${path}`, { form: { _csrf: token!, text: 'x', version: '1', expectedActive: '3' }, maxRedirects: 0 });
      expect(response.status(), path).toBe(403);
    }
    expect((await versionRows()).map((r) => r.version)).toEqual([1, 2, 3]);
    const refused = await h.database.db.select().from(consoleAudit).where(and(eq(consoleAudit.action, 'forbidden'), eq(consoleAudit.actor, `console:${AGENT}`)));
    expect(refused.map((r) => r.target)).toContain(`${h.config.CONSOLE_PATH}/admin/templates/reset-link/rollback`);
  });

  it('no page broke its Content-Security-Policy or threw', () => {
    expect(browser.problems.filter((p) => !/^Failed to load resource: the server responded with a status of (403|404|422)/.test(p))).toEqual([]);
  });
});
