import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outbox, tickets } from '../../src/db/schema';
import { eventsOfTicket } from '../../src/db/ticket-queries';
import { ticketsCommand } from '../../src/cli/tickets-command';
import { loadConfig } from '../../src/config';
import { parseMail } from '../../src/mail/parse-mail';
import { buildRequestMail } from '../support/sample-mails';
import { failAlways } from '../support/sandbox/smtp-fail-plan';
import { until } from '../helpers/until';
import { createHarness, type Harness } from './support/liquibot-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const REQUESTER = 'greylisted@etude.example.fr';

/**
 * Issue 13, point 4: a recipient's server that answers 451 to every attempt. After OUTBOX_MAX_ATTEMPTS
 * the mail fails for good; the ticket shows it (delivery_failed, with the attempts and the last answer),
 * the agents get one delivery-failure mail naming the recipient and the code, and the metrics count it.
 */
describe('running out of outbox attempts on SMTP 4xx', () => {
  it('records the final failure on the ticket, tells the agents once, and counts it', async () => {
    h = await createHarness({ env: { OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_RETRY_BASE_MS: '100' } });
    h.sink.setFailPlan(failAlways(451, REQUESTER));
    await h.mailbox.append(buildRequestMail({ from: REQUESTER, attachment: 'none' }));
    const daemon = await h.start();
    await h.waitForProcessed(1);

    const notice = async () => (await h!.database.db.select().from(outbox).where(eq(outbox.toAddress, REQUESTER)))[0];
    expect(await until(async () => (await notice())?.status === 'failed', 20_000, 100)).toBe(true);
    const row = (await notice())!;
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row.lastError).toContain('451');
    expect(h.sink.rejections.filter((r) => r.code === 451 && r.recipient === REQUESTER)).toHaveLength(3);

    // The ticket shows it.
    const [ticket] = await h.database.db.select().from(tickets);
    const failed = (await eventsOfTicket(h.database.db, ticket!.id)).filter((e) => e.kind === 'delivery_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toMatchObject({ outboxId: row.id, attempts: 3, permanent: false });
    expect(String((failed[0]!.detail as { error: string }).error)).toContain('451');

    // The agents are told, once, with the recipient and the server's code.
    const reports = async () => {
      const found = [];
      for (const m of h!.mailsTo('agents@support.example.fr')) {
        const parsed = await parseMail(m.raw);
        if (parsed.subject === `[${ticket!.ref}] Message non distribué à ${REQUESTER}`) found.push(parsed);
      }
      return found;
    };
    expect(await until(async () => (await reports()).length === 1, 10_000, 100)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const [report] = await reports();
    expect(await reports()).toHaveLength(1);
    expect(report!.text).toContain('(code 451)');
    expect(report!.text).toContain(REQUESTER);

    // The operator sees it: metrics and health (a mail failed for good does not make the daemon unhealthy).
    const metrics = await daemon.metrics.render();
    expect(metrics).toMatch(/^liquibot_outbox_failed 1$/m);
    expect(metrics).toMatch(/^liquibot_outbox_deliveries_total\{result="failed"\} 1$/m);
    expect(metrics).toMatch(/^liquibot_outbox_deliveries_total\{result="retry"\} 2$/m);
    const health = await (await fetch(`http://127.0.0.1:${daemon.operations.http!.port}/healthz`)).json() as { status: string; failedOutbox: number };
    expect(health).toMatchObject({ status: 'ok', failedOutbox: 1 });

    await h.stopDaemon();
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    const env = { DATABASE_URL: h.config.DATABASE_URL, DATA_DIR: h.config.DATA_DIR, RESET_LINK_SECRET: h.config.RESET_LINK_SECRET };
    expect(await ticketsCommand(['show', ticket!.ref], io, loadConfig(env))).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`non-conformity → ${REQUESTER.replace('.', '\\.')} \\[failed, 3 attempts\\].*451`));
    expect(out.join('\n')).toContain('delivery_failed');
  }, 60_000);
});
