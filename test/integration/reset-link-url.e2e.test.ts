import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { importAccounts } from '../../src/accounts/import-accounts';
import { tickets } from '../../src/db/schema';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail } from '../support/sample-mails';
import { createHarness, type Harness } from './support/liquibot-harness';

/**
 * Issue 10, finding 7: RESET_LINK_BASE_URL=https://portail.example.fr/reset gave `…/reset<token>`.
 * The link is built with the URL API (src/reset/reset-token.ts, resetLinkUrl); against the real daemon,
 * the link in the mail the liquidator gets is a well-formed URL on the configured base, and the token
 * read back from it with the URL API verifies through POST /reset-links/verify.
 */

const SIRET = '73282932000074';
const LIQUIDATOR = 'claire.moutin@moutin.example.fr';

describe.each([
  // the finding: no trailing slash, no query string
  ['https://portail.example.fr/reset', '/reset', { token: true }],
  // a trailing slash, an existing query string and a fragment, all kept
  ['https://portail.example.fr/reset/?lang=fr&src=mail#connexion', '/reset/', { lang: 'fr', src: 'mail', token: true }],
] as const)('RESET_LINK_BASE_URL=%s', (base, pathname, params) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ env: { RESET_LINK_BASE_URL: base } });
    await importAccounts(h.database.db, [{ siret: SIRET, lastName: 'MOUTIN', firstName: 'Claire' }], new Date());
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the liquidator gets a well-formed link on that base whose token verifies over HTTP', async () => {
    const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
    await h.mailbox.append(buildRequestMail({ from: 'etude@moutin.example.fr', liquidatorEmail: LIQUIDATOR, siret: SIRET, messageId }));
    await h.waitForProcessed(1);
    const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
    const approval = await h.sink.waitFor((m) => m.envelope.to[0] === 'agents@support.example.fr' && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket!.ref);
    await h.mailbox.append([
      'From: Paul Durand <paul.durand@support.example.fr>', 'To: liquibot@support.example.fr', 'Subject: RE: Validation requise',
      `Message-ID: <${randomUUID()}@support.example.fr>`, `In-Reply-To: ${approval.messageId}`, 'Content-Type: text/plain; charset=UTF-8', '', 'VALIDER', '',
    ].join('\r\n'));
    await h.waitForProcessed(2);
    const mail = await parseMail((await h.sink.waitFor((m) => m.envelope.to.includes(LIQUIDATOR), 10_000)).raw);

    // The text part and the HTML part carry the same link.
    const inText = mail.text.match(/https:\/\/portail\.example\.fr\/\S+/)?.[0];
    expect(inText, mail.text).toBeDefined();
    const inHtml = /href="([^"]+)"/.exec(mail.html ?? '')?.[1]?.replaceAll('&amp;', '&');
    expect(inHtml).toBe(inText);

    const link = new URL(inText!);
    expect(link.href).toBe(inText);
    expect(link.origin).toBe('https://portail.example.fr');
    expect(link.pathname).toBe(pathname);
    expect(link.hash).toBe(new URL(base).hash);
    const token = link.searchParams.get('token');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const [name, value] of Object.entries(params)) {
      if (value === true) expect(link.searchParams.getAll(name)).toHaveLength(1);
      else expect(link.searchParams.get(name)).toBe(value);
    }

    const res = await fetch(`http://127.0.0.1:${h.daemon!.operations.http!.port}/reset-links/verify`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, siret: SIRET, nom: 'Moutin', prenom: 'Claire' }),
    });
    expect(await res.json()).toEqual({ result: 'valid' });
  });
});
