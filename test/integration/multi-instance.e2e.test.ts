import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildRequestMail, sampleSiret } from '../support/sample-mails';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { freshDatabase } from './support/liquibot-harness';
import { startChildDaemon, type ChildDaemon } from './support/child-daemon';
import { freshMailbox, type FreshMailbox } from '../helpers/fresh-mailbox';
import { startSink } from '../helpers/smtp-sink';
import { SMTP_POOL_SIZE } from '../../src/mail/smtp-transport';
import { resendsByKill } from '../helpers/resends';

const REQUESTS = 60;

describe('three instances on one mailbox and one PostgreSQL', () => {
  let mailbox: FreshMailbox;
  let sink: SmtpSink;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const children: ChildDaemon[] = [];

  beforeAll(async () => {
    mailbox = freshMailbox('multi');
    sink = await startSink();
    db = await freshDatabase('postgres');
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await sink?.stop();
    await db?.cleanup();
  });

  const count = async (query: ReturnType<typeof sql>) => Number((await db.database.rows<{ n: number }>(query))[0]!.n);
  const until = async (predicate: () => Promise<boolean> | boolean, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await predicate()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };
  const leaders = () => children.filter((c) => c.process.exitCode === null && c.process.signalCode === null && c.messages().includes('mailbox leadership acquired'));

  it('one leader at a time, takeover within seconds when it dies, every request answered once by Message-ID', async () => {
    const env = {
      IMAP_URL: mailbox.imapUrl, SMTP_URL: `${sink.url}?starttls=never`, DATABASE_URL: db.url, HTTP_PORT: '0',
      MAIL_FROM: 'liquibot@support.example.fr', AGENTS_ADDRESS: 'agents@support.example.fr', LOG_LEVEL: 'info', DOCUMENT_READING: 'false',
      OUTBOX_POLL_MS: '100', OUTBOX_LEASE_SECONDS: '3', LEADER_RETRY_SECONDS: '1', RESET_LINK_SECRET: 'multi-secret-0123456789-0123456789-abcdef',
    };
    for (let i = 0; i < 3; i += 1) children.push(startChildDaemon(env));
    expect(await until(() => leaders().length === 1, 30_000)).toBe(true);
    // Give the others time to try: still one.
    await new Promise((r) => setTimeout(r, 2500));
    expect(leaders()).toHaveLength(1);

    for (let i = 0; i < REQUESTS; i += 1) {
      await mailbox.append(buildRequestMail({ from: `multi${i}@etude.example.fr`, attachment: i % 4 === 0 ? 'none' : 'pdf', siret: sampleSiret(i) }));
    }
    expect(await until(async () => (await count(sql`select count(*)::int as n from inbound_messages where status <> 'stored'`)) >= 15, 30_000)).toBe(true);
    const first = leaders()[0]!;
    const killedAt = Date.now();
    await first.kill('SIGKILL');
    expect(await until(() => leaders().length === 1, 15_000)).toBe(true);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(10_000);

    expect(await until(async () =>
      (await count(sql`select count(*)::int as n from inbound_messages where status <> 'stored'`)) === REQUESTS &&
      (await count(sql`select count(*)::int as n from outbox where status <> 'sent'`)) === 0, 60_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));

    // Exactly one mail per purpose, by Message-ID. The one kill may cost a raw resend per mail it had in
    // flight: a leader killed between the SMTP server's 250 and its "sent" commit leaves a row that another instance sends again,
    // with the same Message-ID (see crash-restart). A lease that ran out while a row waited its turn must
    // not cause one: the sender renews the claim before sending, and a row taken over is not sent twice.
    const distinctTo = new Map<string, Set<string>>();
    for (const m of sink.messages) for (const to of m.envelope.to) distinctTo.set(to, (distinctTo.get(to) ?? new Set()).add(m.messageId ?? ''));
    for (let i = 0; i < REQUESTS; i += 1) expect(distinctTo.get(`multi${i}@etude.example.fr`)?.size, `multi${i}`).toBe(1);
    expect(distinctTo.get('agents@support.example.fr')?.size).toBe(REQUESTS - REQUESTS / 4);
    const distinct = new Set(sink.messages.map((m) => m.messageId)).size;
    expect(distinct).toBe(REQUESTS + REQUESTS - REQUESTS / 4);
    const report = resendsByKill(sink.messages, [killedAt]);
    expect(report.unexplained).toEqual([]);
    expect(report.perKill[0]).toBeLessThanOrEqual(SMTP_POOL_SIZE);
    const lostLeases = children.flatMap((c) => c.messages()).filter((m) => m.startsWith('outbox row no longer held')).length;
    console.info(`[multi-instance] ${sink.messages.length - distinct} resent with the same Message-ID, ${lostLeases} claims found taken over`);
    console.info(`[multi-instance] leader takeover after SIGKILL: ${takeoverMs} ms`);
  }, 180_000);
});
