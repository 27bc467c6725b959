import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { inboundMessages, outbox, tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { buildRequestMail } from '../support/sample-mails';
import { failTimes } from '../support/sandbox/smtp-fail-plan';
import { replayCommand } from '../../src/cli/replay-command';
import { ticketsCommand } from '../../src/cli/tickets-command';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { parseMail } from '../../src/mail/parse-mail';
import { createHarness, type Harness } from './support/liquibot-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const capture = () => {
  const out: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => out.push(l) }, out };
};

describe('outbox delivery', () => {
  it('retries SMTP 451 and delivers exactly once', async () => {
    h = await createHarness();
    h.sink.setFailPlan(failTimes(2, 451));
    await h.mailbox.append(buildRequestMail({ from: 'a@etude.example.fr' }));
    await h.start();
    await h.waitForProcessed(1);
    await h.sink.waitFor((m) => m.envelope.to[0] === 'a@etude.example.fr', 15_000);
    await h.sink.waitFor((m) => m.envelope.to[0] === 'agents@support.example.fr', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    // Two mails (acknowledgment, approval request), two refusals between them, each delivered once.
    expect(h.sink.messages).toHaveLength(2);
    expect(h.sink.rejections.filter((r) => r.code === 451)).toHaveLength(2);
    const rows = await h.database.db.select().from(outbox);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(4);
  });

  it('records SMTP 550 on the ticket, visibly, and does not retry', async () => {
    h = await createHarness();
    h.sink.setFailPlan({ code: 550, recipient: 'b@etude.example.fr' });
    await h.mailbox.append(buildRequestMail({ from: 'b@etude.example.fr' }));
    await h.start();
    await h.waitForProcessed(1);
    const deadline = Date.now() + 10_000;
    let row;
    while (Date.now() < deadline) {
      [row] = await h.database.db.select().from(outbox).where(eq(outbox.kind, 'acknowledgment'));
      if (row?.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.lastError).toContain('550');
    const [t] = await h.database.db.select().from(tickets);
    const events = await eventsOfTicket(h.database.db, t!.id);
    expect(events.find((e) => e.kind === 'delivery_failed')?.detail).toMatchObject({ permanent: true });
    // The agents are told, once.
    const reportsToAgents = async () => {
      const found = [];
      for (const m of h!.mailsTo('agents@support.example.fr')) {
        if ((await parseMail(m.raw)).subject === `[${t!.ref}] Message non distribué à b@etude.example.fr`) found.push(m);
      }
      return found;
    };
    const until = Date.now() + 10_000;
    while ((await reportsToAgents()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    expect(await reportsToAgents()).toHaveLength(1);
    await h.stopDaemon();
    const { io, out } = capture();
    const env = { DATABASE_URL: h.config.DATABASE_URL, DATA_DIR: h.config.DATA_DIR, RESET_LINK_SECRET: h.config.RESET_LINK_SECRET };
    expect(await ticketsCommand(['show', t!.ref], io, loadConfig(env))).toBe(0);
    expect(out.join('\n')).toMatch(/acknowledgment → b@etude\.example\.fr \[failed\].*550/);
    expect(out.join('\n')).toContain('delivery_failed');
  });
});

describe('loop protection', () => {
  // Issue 12: the limit is per thread (loops), not per sender (work): one request per company, as the
  // procedure asks, each gets its notice. test/integration/notice-fairness.e2e.test.ts cuts a loop.
  it('answers every new request of one sender, whatever NOTICE_RATE_LIMIT', async () => {
    h = await createHarness({ env: { NOTICE_RATE_LIMIT: '2' } });
    const sirets = ['73282932000074', '44306184100047', '35600000000048', '35600000049837'];
    for (const siret of sirets) await h.mailbox.append(buildRequestMail({ from: 'loop@etude.example.fr', siret, attachment: 'none' }));
    await h.mailbox.append(buildRequestMail({ from: 'other@etude.example.fr', attachment: 'none' }));
    await h.start();
    await h.waitForProcessed(5);
    await h!.sink.waitFor(() => h!.sink.messages.filter((m) => m.envelope.to[0] === 'loop@etude.example.fr').length >= 4, 10_000);
    expect(h.sink.messages.filter((m) => m.envelope.to[0] === 'loop@etude.example.fr')).toHaveLength(4);
    expect(h.sink.messages.filter((m) => m.envelope.to[0] === 'other@etude.example.fr')).toHaveLength(1);
    const all = await h.database.db.select().from(tickets);
    expect(all).toHaveLength(5);
    let suppressed = 0;
    for (const t of all) suppressed += (await eventsOfTicket(h.database.db, t.id)).filter((e) => e.kind === 'notice_suppressed').length;
    expect(suppressed).toBe(0);
  });
});

describe('quarantine and replay', () => {
  it('quarantines an oversized mail without downloading it, tells its sender, and says how to get it processed', async () => {
    h = await createHarness({ env: { MAX_MESSAGE_BYTES: '3000' } });
    await h.mailbox.append(buildRequestMail({ from: 'big@etude.example.fr', pdfPadBytes: 5000 }));
    await h.start();
    await h.waitForProcessed(1);
    const [row] = await h.database.db.select().from(inboundMessages);
    expect(row).toMatchObject({ status: 'quarantined', errorCode: 'MAIL_TOO_LARGE' });
    expect(row!.sizeBytes).toBeGreaterThan(5000);
    // Only the header was fetched and kept.
    expect(row!.raw!.length).toBeLessThan(1500);
    expect((await h.mailbox.list())[0]!.flags).toContain('$LiquibotDone');
    const notice = await h.sink.waitFor((m) => m.envelope.to[0] === 'big@etude.example.fr', 10_000);
    expect((await parseMail(notice.raw)).subject).toMatch(/^Message trop volumineux/);
    expect(notice.headers['auto-submitted']?.[0]?.trim()).toBe('auto-replied');
    await h.stopDaemon();

    const env = { DATABASE_URL: h.config.DATABASE_URL, DATA_DIR: h.config.DATA_DIR, MAIL_FROM: h.config.MAIL_FROM, RESET_LINK_SECRET: h.config.RESET_LINK_SECRET };
    const listed = capture();
    expect(await replayCommand(['--list'], listed.io, loadConfig(env), silentLogger)).toBe(0);
    expect(listed.out.join('\n')).toMatch(new RegExp(`#${row!.id} .*MAIL_TOO_LARGE`));
    const replayed = capture();
    expect(await replayCommand([String(row!.id)], replayed.io, loadConfig(env), silentLogger)).toBe(1);
    expect(replayed.out.join('\n')).toMatch(/raise MAX_MESSAGE_BYTES and remove the \$LiquibotDone flag/);
  });

  it('replays a quarantined mail from its stored raw source', async () => {
    h = await createHarness();
    await h.mailbox.append(buildRequestMail({ from: 'replay@etude.example.fr' }));
    await h.start();
    await h.waitForProcessed(1);
    await h.stopDaemon();
    // Quarantine it as a processing failure would, and drop what it produced.
    const [row] = await h.database.db.select().from(inboundMessages);
    await h.database.db.update(inboundMessages).set({ status: 'quarantined', errorCode: 'PROCESSING_FAILED', ticketId: null }).where(eq(inboundMessages.id, row!.id));
    await h.database.db.delete(outbox);
    await h.database.db.delete(tickets);
    const env = { DATABASE_URL: h.config.DATABASE_URL, DATA_DIR: h.config.DATA_DIR, MAIL_FROM: h.config.MAIL_FROM, RESET_LINK_SECRET: h.config.RESET_LINK_SECRET };
    const replayed = capture();
    expect(await replayCommand(['--all'], replayed.io, loadConfig(env), silentLogger)).toBe(0);
    expect(replayed.out[0]).toMatch(/new-request:awaiting_approval LJ-/);
    const [after] = await h.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, row!.id));
    expect(after!.status).toBe('processed');
    h.sink.clear();
    await h.start();
    await h.sink.waitFor((m) => m.envelope.to[0] === 'replay@etude.example.fr', 10_000);
  });
});
