import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail } from '../support/sample-mails';
import { importAccounts } from '../../src/accounts/import-accounts';
import { decideCommand } from '../../src/cli/decide-command';
import { createHarness, type Harness } from './support/liquibot-harness';

const BASE = 'https://portail.net-entreprises.fr/auth/liquidateur?token=';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function request(harness: Harness, from: string, liquidator: string, siret: string) {
  const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
  const n = harness.processed.length;
  await harness.mailbox.append(buildRequestMail({ from, liquidatorEmail: liquidator, siret, messageId }));
  await harness.waitForProcessed(n + 1);
  const [ticket] = await harness.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
  const approval = await harness.sink.waitFor((m) => m.envelope.to[0] === 'agents@support.example.fr' && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket!.ref);
  return { ticket: ticket!, approval };
}
const capture = () => {
  const out: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => out.push(l) }, out };
};
const cliEnv = (x: Harness) => loadConfig({ DATABASE_URL: x.config.DATABASE_URL, DATA_DIR: x.config.DATA_DIR, RESET_LINK_SECRET: x.config.RESET_LINK_SECRET, MAIL_FROM: x.config.MAIL_FROM, AGENTS_ADDRESS: x.config.AGENTS_ADDRESS });

describe('terminal decisions', () => {
  it('two operators approving at the same moment produce one reset mail; the loser is told', async () => {
    h = await createHarness();
    await h.start();
    const { ticket } = await request(h, 'etude@a.example.fr', 'liq@a.example.fr', '73282932000074');
    const [a, b] = [capture(), capture()];
    const codes = await Promise.all([
      decideCommand('approve', [ticket.ref, '--as', 'alice'], a.io, cliEnv(h), silentLogger),
      decideCommand('approve', [ticket.ref, '--as', 'bob'], b.io, cliEnv(h), silentLogger),
    ]);
    expect(codes.sort()).toEqual([0, 1]);
    expect([...a.out, ...b.out].join('\n')).toMatch(/already approved by terminal:(alice|bob)/);
    h.daemon!.outbox.kick();
    await h.sink.waitFor((m) => m.envelope.to[0] === 'liq@a.example.fr', 10_000);
    await new Promise((r) => setTimeout(r, 500));
    await h.daemon!.outbox.drain();
    expect(h.mailsTo('liq@a.example.fr')).toHaveLength(1);
    const events = await eventsOfTicket(h.database.db, ticket.id);
    expect(events.filter((e) => e.kind === 'decision')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'decision_rejected')).toHaveLength(1);
  });

  it('refuse needs a reason and records the operator', async () => {
    h = await createHarness();
    await h.start();
    const { ticket } = await request(h, 'etude@b.example.fr', 'liq@b.example.fr', '44306184100047');
    const c = capture();
    await expect(decideCommand('refuse', [ticket.ref], c.io, cliEnv(h), silentLogger)).rejects.toThrow(/needs --reason/);
    expect(await decideCommand('refuse', [ticket.ref, '--reason', 'Jugement illisible', '--as', 'carole'], c.io, cliEnv(h), silentLogger)).toBe(0);
    const [t] = await h.database.db.select().from(tickets).where(eq(tickets.id, ticket.id));
    expect(t).toMatchObject({ status: 'refused', decidedBy: 'terminal:carole', refusalReason: 'Jugement illisible' });
  });
});

describe('reset link over HTTP', () => {
  it('POST /reset-links/verify: mismatch, valid once, then already used; bad bodies refused', async () => {
    h = await createHarness();
    const { token, url } = await approvedLink(h);
    const post = async (body: unknown) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as { result?: string } };
    };
    expect((await post({ token, siret: '73282932000074', nom: 'DURAND', prenom: 'Claire' })).json.result).toBe('mismatch');
    expect((await post({ token, siret: '732 829 320 00074', nom: 'moutin', prenom: 'CLAIRE' })).json.result).toBe('valid');
    expect((await post({ token, siret: '73282932000074', nom: 'MOUTIN', prenom: 'Claire' })).json.result).toBe('already_used');
    expect((await post('not json')).status).toBe(400);
    expect((await post({ token })).status).toBe(400);
    expect(h.logs.text()).not.toContain(token);
  });

  it('POST /reset-links/verify with VERIFY_API_TOKEN: 401 without the bearer token, and the link stays unused', async () => {
    const apiToken = 'portal-api-token-0123456789-0123456789-abcdef';
    h = await createHarness({ env: { VERIFY_API_TOKEN: apiToken } });
    const { token, url } = await approvedLink(h);
    const body = JSON.stringify({ token, siret: '73282932000074', nom: 'MOUTIN', prenom: 'Claire' });
    const post = async (authorization?: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
      return { status: res.status, json: (await res.json()) as { result?: string; error?: string }, challenge: res.headers.get('www-authenticate') };
    };
    expect(await post()).toEqual({ status: 401, json: { error: 'UNAUTHORIZED' }, challenge: 'Bearer' });
    expect((await post(`Bearer ${apiToken.slice(0, -1)}`)).status).toBe(401);
    // Refused calls did not touch the link: the first authorised one finds it valid.
    expect(await post(`Bearer ${apiToken}`)).toEqual({ status: 200, json: { result: 'valid' }, challenge: null });
    expect((await post(`Bearer ${apiToken}`)).json.result).toBe('already_used');
  });
});

describe('DKIM required', () => {
  it('counts a signed, aligned reply and refuses an unsigned one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const record = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
    h = await createHarness({ env: { REQUIRE_DKIM: 'true' }, dkimResolver: async () => [[record]] });
    await h.start();
    const reply = (inReplyTo: string) => Buffer.from([
      'From: Paul <paul@support.example.fr>', 'To: liquibot@support.example.fr', 'Subject: RE: validation', `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${randomUUID()}@support.example.fr>`, `In-Reply-To: ${inReplyTo}`, 'Content-Type: text/plain; charset=UTF-8', '', 'VALIDER', '',
    ].join('\r\n'));
    const first = await request(h, 'etude@d.example.fr', 'liq@d.example.fr', '73282932000074');
    let n = h.processed.length;
    await h.mailbox.append(reply(first.approval.messageId!));
    await h.waitForProcessed(n + 1);
    expect((await h.database.db.select().from(tickets).where(eq(tickets.id, first.ticket.id)))[0]!.status).toBe('awaiting_approval');
    expect((await eventsOfTicket(h.database.db, first.ticket.id)).find((e) => e.kind === 'decision_rejected')?.detail).toMatchObject({ reason: 'DKIM_FAILED' });

    const raw = reply(first.approval.messageId!);
    const { signatures } = await dkimSign(raw, { signatureData: [{ signingDomain: 'support.example.fr', selector: 's1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }] } as never);
    n = h.processed.length;
    await h.mailbox.append(Buffer.concat([Buffer.from(signatures), raw]));
    await h.waitForProcessed(n + 1);
    expect((await h.database.db.select().from(tickets).where(eq(tickets.id, first.ticket.id)))[0]!.status).toBe('resolved');
    await h.sink.waitFor((m) => m.envelope.to[0] === 'liq@d.example.fr', 10_000);
  });
});

describe('scheduled approval work', () => {
  it('reminds the agents once per waiting request, once across concurrent runs; sweeps expired links', async () => {
    let clock = Date.now();
    h = await createHarness({ now: () => new Date(clock) });
    await h.start();
    const a = await request(h, 'etude@e.example.fr', 'liq@e.example.fr', '73282932000074');
    const b = await request(h, 'etude@f.example.fr', 'liq@f.example.fr', '44306184100047');
    const { sendReminderDigest } = await import('../../src/approval/reminder-digest');
    const { sweepExpiredLinks } = await import('../../src/reset/expiry-sweep');
    const { TemplateStore } = await import('../../src/templates/store');
    const deps = { database: h.database, config: h.config, templates: new TemplateStore() };

    expect(await sendReminderDigest(deps, new Date(clock))).toEqual({ reminded: 0, escalated: 0 });
    clock += 25 * 3_600_000;
    const runs = await Promise.all([sendReminderDigest(deps, new Date(clock)), sendReminderDigest(deps, new Date(clock))]);
    expect(runs.map((r) => r.reminded).sort()).toEqual([0, 2]);
    expect(await sendReminderDigest(deps, new Date(clock + 3_600_000))).toEqual({ reminded: 0, escalated: 0 });
    h.daemon!.outbox.kick();
    const digest = await h.sink.waitFor((m) => /Rappel|attente/i.test(m.subject ?? '') || m.headers['x-liquibot-ticket'] === undefined && m.envelope.to[0] === 'agents@support.example.fr', 10_000);
    const text = (await parseMail(digest.raw)).text;
    expect(text).toContain(a.ticket.ref);
    expect(text).toContain(b.ticket.ref);

    // Approve one; nine hours later the sweep marks its link expired, once.
    const c = capture();
    expect(await decideCommand('approve', [a.ticket.ref], c.io, cliEnv(h), silentLogger, () => new Date(clock))).toBe(0);
    clock += 9 * 3_600_000;
    expect(await sweepExpiredLinks(h.database, new Date(clock))).toEqual({ expired: 1 });
    expect(await sweepExpiredLinks(h.database, new Date(clock))).toEqual({ expired: 0 });
    const [t] = await h.database.db.select().from(tickets).where(eq(tickets.id, a.ticket.id));
    expect(t!.status).toBe('link_expired');
  });
});

/** A request for a SIRET in the accounts directory, approved by an agent: the reset token it sent, and the verify URL. */
async function approvedLink(h: Harness): Promise<{ token: string; url: string }> {
  await importAccounts(h.database.db, [{ siret: '73282932000074', lastName: 'MOUTIN', firstName: 'Claire' }], new Date());
  const d = await h.start();
  const { approval } = await request(h, 'etude@c.example.fr', 'liq@c.example.fr', '73282932000074');
  const n = h.processed.length;
  await h.mailbox.append([
    'From: paul@support.example.fr', 'To: liquibot@support.example.fr', 'Subject: RE: validation',
    `Message-ID: <${randomUUID()}@support.example.fr>`, `In-Reply-To: ${approval.messageId}`, 'Content-Type: text/plain; charset=UTF-8', '', 'VALIDER', '',
  ].join('\r\n'));
  await h.waitForProcessed(n + 1);
  const reset = await h.sink.waitFor((m) => m.envelope.to[0] === 'liq@c.example.fr', 10_000);
  const text = (await parseMail(reset.raw)).text;
  const token = text.slice(text.indexOf(BASE) + BASE.length).match(/^[A-Za-z0-9_-]+/)![0];
  return { token, url: `http://127.0.0.1:${d.operations.http!.port}/reset-links/verify` };
}
