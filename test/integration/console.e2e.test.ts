import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAccounts } from '../../src/accounts/import-accounts';
import { consoleAudit, inboundMessages, tickets, type Ticket } from '../../src/db/schema';
import { quarantineInbound, storeInbound } from '../../src/db/inbound-queries';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail, REQUEST_SUBJECT, samplePdf } from '../support/sample-mails';
import { addConsoleUser, launchConsoleBrowser, signIn, type ConsoleBrowser } from './support/console-browser';
import { createHarness, type Harness } from './support/liquibot-harness';

/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core), against the real
 * daemon (its HTTP server), Dovecot, PostgreSQL and the SMTP sink.
 */

const SCREENSHOTS = join(__dirname, '../../docs/console');
const AGENT = 'paul.durand@support.example.fr';
const AGENT2 = 'sophie.martin@support.example.fr';
const ADMIN = 'chef.equipe@support.example.fr';
const PASSWORD = 'cheval correct agrafe batterie';
const PASSWORD2 = 'un autre mot de passe sûr';

const encodedWord = (s: string) => `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
const rfc2231 = (s: string) => `UTF-8''${[...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}`;

describe('the web console in a browser', () => {
  let h: Harness;
  let browser: ConsoleBrowser;
  let consoleUrl: string;
  /** The daemon's and the console's clock: real time plus an offset the tests move forward. */
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  let seq = 0;
  const sirets = ['73282932000074', '44306184100047', '35600000000048', '54205118000066', '55208131766522', '38012986646850', '40483304800022'];

  const addUser = (email: string, role: 'agent' | 'admin', password: string | null) => addConsoleUser(h.config, email, role, password, now);

  beforeAll(async () => {
    // The browser connects from 127.0.0.1, declared a reverse proxy: its X-Forwarded-* are believed (and only its).
    h = await createHarness({ now, env: { CONSOLE_SESSION_IDLE_MINUTES: '30', CONSOLE_TRUSTED_PROXIES: '127.0.0.1' } });
    await importAccounts(h.database.db, sirets.map((siret) => ({ siret, lastName: 'MOUTIN', firstName: 'Claire' })), new Date());
    const daemon = await h.start();
    consoleUrl = `http://127.0.0.1:${daemon.operations.http!.port}${h.config.CONSOLE_PATH}`;
    await addUser(AGENT, 'agent', PASSWORD);
    await addUser(AGENT2, 'agent', PASSWORD);
    browser = await launchConsoleBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const newPage = () => browser.newPage();

  async function loggedIn(email: string, password = PASSWORD): Promise<Page> {
    const page = await newPage();
    await page.goto(`${consoleUrl}/`);
    expect(new URL(page.url()).pathname).toBe(`${h.config.CONSOLE_PATH}/login`);
    return signIn(page, consoleUrl, email, password);
  }

  async function request(opts: { from: string; fromName?: string; liquidator: string; subject?: string; attachment?: { filename: string; content: Buffer; contentType: string }; rawFrom?: string }): Promise<Ticket> {
    const siret = sirets[seq++]!;
    const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
    let raw = buildRequestMail({ from: opts.from, fromName: opts.fromName, liquidatorEmail: opts.liquidator, siret, messageId, attachment: opts.attachment });
    if (opts.subject) raw = raw.replace(/^Subject: .*$/m, `Subject: ${encodedWord(opts.subject)}`);
    if (opts.rawFrom) raw = raw.replace(/^From: .*$/m, `From: ${opts.rawFrom}`);
    const n = h.processed.length;
    await h.mailbox.append(raw);
    await h.waitForProcessed(n + 1);
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    expect(ticket?.status).toBe('awaiting_approval');
    return ticket!;
  }

  const reload = async (id: number) => (await h.database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;

  let first: Ticket;
  let second: Ticket;

  it('an agent logs in, finds the pending request with its age and points d’attention, opens the document, approves: the reset mail reaches the sink', async () => {
    first = await request({ from: 'etude@moutin.example.fr', fromName: 'Maître Claire Moutin', liquidator: 'claire.moutin@moutin.example.fr' });
    second = await request({ from: 'scp@garnier.example.fr', fromName: 'SCP Garnier', liquidator: 'mandataire.garnier@gmail.com' });
    // Two hours later.
    offset += 2 * 3_600_000 + 5 * 60_000;
    const page = await loggedIn(AGENT);
    const row = page.locator('tr', { has: page.locator(`a:text-is("${first.ref}")`) });
    await expect(row.count()).resolves.toBe(1);
    expect(await row.locator('td').nth(1).innerText()).toMatch(/^2 h 0\d min/);
    expect(await row.locator('td').nth(2).innerText()).toBe('732 829 320 00074');
    expect(await row.innerText()).toContain('Maître Claire Moutin');
    expect(await row.innerText()).toContain('claire.moutin@moutin.example.fr');
    expect(await row.innerText()).toContain('Première demande reçue de ce demandeur.');
    const secondRow = page.locator('tr', { has: page.locator(`a:text-is("${second.ref}")`) });
    expect(await secondRow.innerText()).toContain('messagerie grand public');
    // Oldest first.
    const refs = await page.locator('tbody tr td:first-child a').allInnerTexts();
    expect(refs.indexOf(first.ref)).toBeLessThan(refs.indexOf(second.ref));
    await page.screenshot({ path: join(SCREENSHOTS, 'queue.png'), fullPage: true });

    await Promise.all([page.waitForURL(/\/tickets\//), page.click(`a:text-is("${first.ref}")`)]);
    expect(await page.locator('h1').innerText()).toBe(`Demande ${first.ref}`);
    expect(await page.locator('#points-attention').innerText()).toContain('Première demande reçue de ce demandeur.');
    expect(await page.locator('body').innerText()).toContain('Mails reçus (1)');

    // The document: its own response, inline because its bytes are a PDF, sandboxed, never sniffed.
    const docLink = page.locator('a[href*="/documents/"]').first();
    expect(await docLink.innerText()).toContain('minutes-greffe.pdf (PDF,');
    const doc = await page.request.get(new URL((await docLink.getAttribute('href'))!, consoleUrl).toString());
    expect(doc.status()).toBe(200);
    expect(doc.headers()['content-type']).toBe('application/pdf');
    expect(doc.headers()['content-disposition']).toMatch(/^inline; filename="document-[0-9a-f]{12}\.pdf"$/);
    expect(doc.headers()['x-content-type-options']).toBe('nosniff');
    expect(doc.headers()['content-security-policy']).toMatch(/^sandbox;/);
    expect((await doc.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // In the browser too: a new tab opens it.
    const [tab] = await Promise.all([page.context().waitForEvent('page'), docLink.click()]);
    await tab.waitForLoadState('load');
    expect(tab.url()).toMatch(/\/documents\/[0-9a-f]{64}$/);
    expect(await tab.evaluate('document.contentType')).toBe('application/pdf');
    await tab.close();
    await page.screenshot({ path: join(SCREENSHOTS, 'ticket.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1500 } });

    await Promise.all([page.waitForURL(/done=approved/), page.click('#valider')]);
    expect(await page.locator('.fr-alert--success').innerText()).toContain('Demande validée');
    const after = await reload(first.id);
    expect(after).toMatchObject({ status: 'resolved', decision: 'approved', decidedBy: `console:${AGENT}` });
    const decision = (await eventsOfTicket(h.database.db, first.id)).find((e) => e.kind === 'decision')!;
    expect(decision.detail).toMatchObject({ decision: 'approved', via: 'console' });
    const reset = await h.sink.waitFor((m) => m.envelope.to.includes('claire.moutin@moutin.example.fr'), 15_000);
    expect((await parseMail(reset.raw)).subject).toContain(first.ref);
    expect(h.mailsTo('claire.moutin@moutin.example.fr')).toHaveLength(1);
    // The decision form is gone; the history names the agent.
    expect(await page.locator('#valider').count()).toBe(0);
    expect(await page.locator('body').innerText()).toContain(`console:${AGENT}`);
  });

  it('refuses a refusal without a reason (or with a placeholder), then refuses with one: the requester gets it', async () => {
    const page = await loggedIn(AGENT);
    await page.goto(`${consoleUrl}/tickets/${second.ref}`);
    // Spaces pass the browser's `required`; the server is the one that says no.
    await page.fill('#reason', '   ');
    const blank = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/refuse')), page.click('#refuser')]);
    expect(blank[0].status()).toBe(400);
    expect(await page.locator('.fr-alert--error').innerText()).toContain('Un refus doit être motivé');
    await page.fill('#reason', 'motif');
    const placeholder = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/refuse')), page.click('#refuser')]);
    expect(placeholder[0].status()).toBe(400);
    expect((await reload(second.id)).status).toBe('awaiting_approval');

    await page.fill('#reason', 'Le jugement joint concerne une autre société.');
    await Promise.all([page.waitForURL(/done=refused/), page.click('#refuser')]);
    expect(await reload(second.id)).toMatchObject({ status: 'refused', refusalReason: 'Le jugement joint concerne une autre société.', decidedBy: `console:${AGENT}` });
    const refusal = await h.sink.waitFor((m) => m.envelope.to.includes('scp@garnier.example.fr') && (m.subject ?? '').length > 0
      && m.raw.toString('latin1').includes('autre soci'), 15_000).catch(() => null);
    const mails = await Promise.all(h.mailsTo('scp@garnier.example.fr').map(async (m) => (await parseMail(m.raw)).text));
    expect(refusal !== null || mails.some((t) => t.includes('Le jugement joint concerne une autre société.'))).toBe(true);
    expect(h.mailsTo('mandataire.garnier@gmail.com')).toHaveLength(0);
  });

  it('two agents deciding at once: one decision, the other is told', async () => {
    const ticket = await request({ from: 'etude@leroy.example.fr', liquidator: 'leroy@leroy.example.fr' });
    const [a, b] = await Promise.all([loggedIn(AGENT), loggedIn(AGENT2)]);
    await Promise.all([a.goto(`${consoleUrl}/tickets/${ticket.ref}`), b.goto(`${consoleUrl}/tickets/${ticket.ref}`)]);
    await Promise.all([a.waitForURL(/done=/).then(() => {}), b.waitForURL(/done=/).then(() => {}), a.click('#valider'), b.click('#valider')]);
    const outcomes = [new URL(a.url()).searchParams.get('done'), new URL(b.url()).searchParams.get('done')].sort();
    expect(outcomes).toEqual(['already-decided', 'approved']);
    await h.sink.waitFor((m) => m.envelope.to.includes('leroy@leroy.example.fr'), 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.mailsTo('leroy@leroy.example.fr')).toHaveLength(1);
    const events = await eventsOfTicket(h.database.db, ticket.id);
    expect(events.filter((e) => e.kind === 'decision')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'decision_rejected').map((e) => e.detail)).toEqual([{ reason: 'ALREADY_DECIDED', via: 'console' }]);
    const loser = outcomes[0] === 'already-decided' && new URL(a.url()).searchParams.get('done') === 'already-decided' ? a : b;
    expect(await loser.locator('.fr-alert--warning').innerText()).toContain('déjà été décidée');
  });

  it('shows a hostile subject, display name and file name as text, everywhere', async () => {
    const script = '<script>window.__pwned = 1</script>';
    const img = '"><img src=x onerror="window.__pwned = 2">';
    const ticket = await request({
      from: 'etude@hostile.example.fr', liquidator: 'liquidateur@hostile.example.fr',
      subject: `${REQUEST_SUBJECT} ${script}\r\n${img}`,
      rawFrom: `${encodedWord(`Maître ${img}\r\nAdresse du liquidateur : attacker@evil.fr ${script}`)} <etude@hostile.example.fr>`,
      attachment: { filename: 'x', content: samplePdf(), contentType: 'application/pdf' },
    });
    // The file name, RFC 2231-encoded with its line break and markup.
    const raw = (await h.database.db.select({ raw: inboundMessages.raw }).from(inboundMessages).where(eq(inboundMessages.ticketId, ticket.id)))[0]!.raw!;
    expect(raw.toString('latin1')).toContain('filename="x"');
    const hostileName = `${script}\r\n${img}.pdf`;
    // Deliver a second request whose attachment carries the hostile file name (same requester, so it is its own ticket).
    const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
    const withName = buildRequestMail({ from: 'etude2@hostile.example.fr', liquidatorEmail: 'liquidateur2@hostile.example.fr', siret: sirets[seq++], messageId })
      .replace(/name="minutes-greffe\.pdf"/g, `name*=${rfc2231(hostileName)}`)
      .replace(/filename="minutes-greffe\.pdf"/g, `filename*=${rfc2231(hostileName)}`);
    const n = h.processed.length;
    await h.mailbox.append(withName);
    await h.waitForProcessed(n + 1);
    const [named] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    expect(named?.status).toBe('awaiting_approval');

    const page = await loggedIn(AGENT);
    const pages = [`${consoleUrl}/`, `${consoleUrl}/tickets/${ticket.ref}`, `${consoleUrl}/tickets/${named!.ref}`, `${consoleUrl}/search?q=hostile.example.fr`];
    for (const url of pages) {
      await page.goto(url);
      expect(await page.evaluate('window.__pwned'), url).toBeUndefined();
      expect(await page.locator('script:not([src])').count(), url).toBe(0);
      expect(await page.locator('img[src="x"]').count(), url).toBe(0);
    }
    await page.goto(`${consoleUrl}/tickets/${ticket.ref}`);
    const text = await page.locator('main').innerText();
    // Shown as the characters they are, each on the line it claims, with the break made visible.
    expect(text).toContain(`${script} ↵ ${img}`);
    expect(text).toContain(`Maître ${img} ↵ Adresse du liquidateur : attacker@evil.fr ${script}`);
    expect(text).not.toMatch(/^Adresse du liquidateur : attacker@evil\.fr/m);
    await page.goto(`${consoleUrl}/tickets/${named!.ref}`);
    const namedText = await page.locator('main').innerText();
    expect(namedText).toContain(`${script} ↵ ${img}.pdf`);
    expect(await page.locator('img.console-doc-image').count()).toBe(0);
  });

  it('CSRF: a state change without the session’s token, with another one, or from another site is refused', async () => {
    const ticket = await request({ from: 'etude@csrf.example.fr', liquidator: 'liquidateur@csrf.example.fr' });
    const page = await loggedIn(AGENT);
    await page.goto(`${consoleUrl}/tickets/${ticket.ref}`);
    const token = await page.locator('form[action$="/approve"] input[name=_csrf]').getAttribute('value');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = `${consoleUrl}/tickets/${ticket.ref}/approve`;
    expect((await page.request.post(url, { form: {}, maxRedirects: 0 })).status()).toBe(403);
    expect((await page.request.post(url, { form: { _csrf: 'x'.repeat(43) }, maxRedirects: 0 })).status()).toBe(403);
    expect((await page.request.post(url, { form: { _csrf: token! }, headers: { 'sec-fetch-site': 'cross-site' }, maxRedirects: 0 })).status()).toBe(403);
    // Another agent's valid token is not this session's.
    const other = await loggedIn(AGENT2);
    await other.goto(`${consoleUrl}/tickets/${ticket.ref}`);
    const otherToken = await other.locator('form[action$="/approve"] input[name=_csrf]').getAttribute('value');
    expect((await page.request.post(url, { form: { _csrf: otherToken! }, maxRedirects: 0 })).status()).toBe(403);
    // A login form posted without its own token.
    expect((await page.request.post(`${consoleUrl}/login`, { form: { email: AGENT, password: PASSWORD }, maxRedirects: 0 })).status()).toBe(403);
    expect((await reload(ticket.id)).status).toBe('awaiting_approval');
    const refused = await h.database.db.select().from(consoleAudit).where(eq(consoleAudit.action, 'forbidden'));
    expect(refused.filter((r) => (r.detail as { reason?: string }).reason === 'csrf').length).toBeGreaterThanOrEqual(4);
    // With the token, it goes.
    const ok = await page.request.post(url, { form: { _csrf: token! }, maxRedirects: 0 });
    expect(ok.status()).toBe(303);
    expect((await reload(ticket.id)).status).toBe('resolved');
  });

  it('an agent gets 403 on every admin page and action, and sees no admin menu', async () => {
    const page = await loggedIn(AGENT);
    expect(await page.locator('nav a:text-is("Quarantaine")').count()).toBe(0);
    for (const path of ['/admin', '/admin/status', '/admin/stats', '/admin/quarantine', '/admin/users', '/admin/export.csv', '/admin/quarantine/1/raw']) {
      const response = await page.goto(`${consoleUrl}${path}`);
      expect(response!.status(), path).toBe(403);
    }
    const token = await page.locator('form[action$="/logout"] input[name=_csrf]').first().getAttribute('value');
    expect((await page.request.post(`${consoleUrl}/admin/quarantine/1/replay`, { form: { _csrf: token! }, maxRedirects: 0 })).status()).toBe(403);
  });

  it('an admin accepts an invitation, replays a quarantined mail (shown as text), sees status and statistics, exports decisions', async () => {
    const out = await addUser(ADMIN, 'admin', null);
    const token = out.join('\n').match(/http:\/\/\S+\/invitation\?token=([A-Za-z0-9_-]{43})/)![1]!;
    const page = await newPage();
    // The link names the configured address; the test's server listens on its own port.
    await page.goto(`${consoleUrl}/invitation?token=${token}`);
    await page.fill('#password', PASSWORD2);
    await page.fill('#confirm', PASSWORD2);
    await Promise.all([page.waitForURL(/note=password-set/), page.click('button:has-text("Enregistrer")')]);
    // An invitation is used once.
    expect((await page.goto(`${consoleUrl}/invitation?token=${token}`))!.status()).toBe(404);
    const admin = await loggedIn(ADMIN, PASSWORD2);

    // A request quarantined by a failure (its reason carrying markup), with its raw source kept.
    const rawMail = buildRequestMail({ from: 'replay@etude.example.fr', liquidatorEmail: 'liquidateur@replay.example.fr', siret: sirets[seq++] });
    const raw = Buffer.from(rawMail.replace(/^Subject: .*$/m, `Subject: ${REQUEST_SUBJECT} <b>gras</b>`), 'utf8');
    const stored = await storeInbound(h.database.db, {
      mailbox: 'INBOX', uidValidity: 1n, uid: 900_000 + Math.floor(Math.random() * 1000), sha256: createHash('sha256').update(raw).digest('hex'), raw,
    });
    await quarantineInbound(h.database.db, stored.row.id, { code: 'PROCESSING_FAILED', detail: 'boom <img src=x onerror="window.__pwned=3">', now: now() });
    await admin.goto(`${consoleUrl}/admin/quarantine`);
    const row = admin.locator('tr', { hasText: `PROCESSING_FAILED` }).filter({ has: admin.locator(`td:text-is("${stored.row.id}")`) });
    expect(await row.innerText()).toContain('boom <img src=x onerror="window.__pwned=3">');
    expect(await admin.locator('img[src="x"]').count()).toBe(0);
    await Promise.all([admin.waitForURL(/\/raw$/), row.locator('a:text-is("Source")').click()]);
    expect(await admin.locator('#source').innerText()).toContain('<b>gras</b>');
    expect(await admin.locator('#source b').count()).toBe(0);
    await admin.goBack();
    await Promise.all([admin.waitForURL(/replayed=ok/), admin.locator('tr', { has: admin.locator(`td:text-is("${stored.row.id}")`) }).locator('button:has-text("Traiter à nouveau")').click()]);
    const [after] = await h.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, stored.row.id));
    expect(after).toMatchObject({ status: 'processed' });
    expect(after!.ticketId).not.toBeNull();
    await h.sink.waitFor((m) => m.envelope.to.includes('replay@etude.example.fr'), 15_000);
    const replayAudit = await h.database.db.select().from(consoleAudit).where(eq(consoleAudit.action, 'quarantine_replayed'));
    expect(replayAudit.map((r) => r.actor)).toContain(`console:${ADMIN}`);

    const status = await admin.goto(`${consoleUrl}/admin/status`);
    expect(status!.status()).toBe(200);
    expect(await admin.locator('main').innerText()).toMatch(/Le service est (en bonne santé|dégradé|en panne)/);
    expect(await admin.locator('main').innerText()).toContain('Plus ancienne demande à valider');

    await admin.goto(`${consoleUrl}/admin/stats`);
    expect(await admin.locator('svg.console-chart').count()).toBeGreaterThanOrEqual(2);
    expect(await admin.locator('#conformite').innerText()).toMatch(/\d+ % des demandes étaient conformes/);
    const delays = await admin.locator('#delais').innerText();
    expect(delays).toContain('Ensemble');
    expect(delays).toContain(`console:${AGENT}`);
    const csv = await admin.request.get(`${consoleUrl}/admin/export.csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    const body = (await csv.body()).toString('utf8');
    expect(body.startsWith('\uFEFF"reference";"siret";"decision"')).toBe(true);
    expect(body).toContain(`"${first.ref}";"73282932000074";"validee";"console:${AGENT}";"console"`);
    expect(body).toContain('"Le jugement joint concerne une autre société."');
  });

  it('a session ends after CONSOLE_SESSION_IDLE_MINUTES without a request; logout ends it at once', async () => {
    const page = await loggedIn(AGENT);
    offset += 20 * 60_000;
    await page.goto(`${consoleUrl}/waiting`);
    expect(new URL(page.url()).pathname).toBe(`${h.config.CONSOLE_PATH}/waiting`);
    offset += 31 * 60_000;
    await page.goto(`${consoleUrl}/waiting`);
    expect(new URL(page.url()).pathname).toBe(`${h.config.CONSOLE_PATH}/login`);
    expect(await page.locator('.fr-alert--warning').innerText()).toContain('Votre session a expiré');
    // Logging in again goes back where the agent was.
    await page.fill('#email', AGENT);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/waiting$/), page.click('button:has-text("Se connecter")')]);
    await Promise.all([page.waitForURL(/note=logged-out/), page.click('button:has-text("Se déconnecter")')]);
    await page.goto(`${consoleUrl}/`);
    expect(new URL(page.url()).pathname).toBe(`${h.config.CONSOLE_PATH}/login`);
  });

  it('throttles logins: after CONSOLE_LOGIN_MAX_FAILURES failures, even the right password waits', async () => {
    const page = await newPage();
    for (let i = 0; i < 5; i += 1) {
      await page.goto(`${consoleUrl}/login`);
      await page.fill('#email', AGENT2);
      await page.fill('#password', `faux-${i}-mot-de-passe`);
      const [r] = await Promise.all([page.waitForResponse((x) => x.url().endsWith('/login') && x.request().method() === 'POST'), page.click('button:has-text("Se connecter")')]);
      expect(r.status()).toBe(401);
    }
    await page.goto(`${consoleUrl}/login`);
    await page.fill('#email', AGENT2);
    await page.fill('#password', PASSWORD);
    const [r] = await Promise.all([page.waitForResponse((x) => x.url().endsWith('/login') && x.request().method() === 'POST'), page.click('button:has-text("Se connecter")')]);
    expect(r.status()).toBe(429);
    expect(await page.locator('.fr-alert--error').innerText()).toContain('Trop de tentatives');
    // Fifteen minutes later it works.
    offset += 16 * 60_000;
    await loggedIn(AGENT2);
  });

  it('behind a trusted reverse proxy: Secure cookies when the client used TLS, and the client’s own address in the audit log', async () => {
    const page = await newPage();
    const overTls = await page.request.get(`${consoleUrl}/login`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' } });
    expect(overTls.headers()['set-cookie']).toMatch(/^liquibot_console_login=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Lax; Max-Age=3600; Secure$/);
    const plain = await page.request.get(`${consoleUrl}/login`);
    expect(plain.headers()['set-cookie']).not.toContain('Secure');
    const token = (await plain.text()).match(/name="_csrf" value="([A-Za-z0-9_-]{43})"/)![1]!;
    const failed = await page.request.post(`${consoleUrl}/login`, {
      form: { _csrf: token, email: 'proxy-test@support.example.fr', password: 'pas le bon mot de passe' }, headers: { 'x-forwarded-for': '203.0.113.50' }, maxRedirects: 0,
    });
    expect(failed.status()).toBe(401);
    const rows = await h.database.db.select().from(consoleAudit).where(eq(consoleAudit.target, 'proxy-test@support.example.fr'));
    expect(rows.map((r) => [r.action, r.ip])).toEqual([['login_failed', '203.0.113.50']]);
  });

  it('served every page with the security headers and no CSP violation', async () => {
    const page = await loggedIn(AGENT);
    const response = await page.goto(`${consoleUrl}/`);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cache-control']).toBe('no-store');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'liquibot_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: h.config.CONSOLE_PATH });
    // DSFR's own script ran (it marks the document) under the CSP.
    await page.waitForFunction("document.documentElement.getAttribute('data-fr-js') === 'true'", undefined, { timeout: 5_000 });
    // Error statuses the tests asked for are logged as failed loads; anything else (a CSP refusal, a script error) is a fault.
    expect(browser.problems.filter((p) => !/^Failed to load resource: the server responded with a status of (400|401|403|404|429)/.test(p))).toEqual([]);
  });
});
