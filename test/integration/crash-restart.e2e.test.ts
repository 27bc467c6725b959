import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildAutoReply, buildRequestMail, sampleSiret } from '../support/sample-mails';
import { DONE_KEYWORD } from '../../src/mail/mailbox-watcher';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { freshDatabase } from './support/liquibot-harness';
import { freshMailbox, type FreshMailbox } from '../helpers/fresh-mailbox';
import { startSink } from '../helpers/smtp-sink';
import { SMTP_POOL_SIZE } from '../../src/mail/smtp-transport';
import { resendsByKill } from '../helpers/resends';

const BIN = join(__dirname, '../../bin/liquibot');
const REQUESTS = 60;

describe('SIGKILL mid-batch, restart: exactly-once answers', () => {
  let mailbox: FreshMailbox;
  let sink: SmtpSink;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    mailbox = freshMailbox('crash');
    sink = await startSink();
    db = await freshDatabase('postgres');
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await sink?.stop();
    await db?.cleanup();
  });

  const env = () => ({
    ...process.env,
    IMAP_URL: mailbox.imapUrl,
    SMTP_URL: `${sink.url}?starttls=never`,
    DATABASE_URL: db.url!,
    MAIL_FROM: 'liquibot@support.example.fr',
    // The mail flow under kills; reading the documents has its own tests (document-reading.e2e).
    DOCUMENT_READING: 'false',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    OUTBOX_POLL_MS: '100', OUTBOX_LEASE_SECONDS: '3',
    HTTP_PORT: '0',
    RESET_LINK_SECRET: 'crash-secret-0123456789-0123456789-abcdef',
  });
  const processedCount = async () =>
    Number((await db.database.rows<{ n: number }>(sql`select count(*)::int as n from inbound_messages where status <> 'stored'`))[0]!.n);
  const unsentCount = async () =>
    Number((await db.database.rows<{ n: number }>(sql`select count(*)::int as n from outbox where status <> 'sent'`))[0]!.n);

  function startChild(): ChildProcess {
    const c = spawn(BIN, ['run'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', () => {});
    return c;
  }
  const killed = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', () => resolve())));

  it('answers every request exactly once across five kills', async () => {
    for (let i = 0; i < REQUESTS; i += 1) {
      const ok = i % 3 !== 0;
      await mailbox.append(buildRequestMail({
        from: `req${i}@etude.example.fr`, messageId: `<crash-${i}@custhelp.example.net>`, attachment: ok ? 'pdf' : 'none', siret: sampleSiret(i),
      }));
      if (i % 10 === 0) await mailbox.append(buildAutoReply(`ooo${i}@etude.example.fr`));
    }
    const total = REQUESTS + REQUESTS / 10;

    const killTimes: number[] = [];
    while (killTimes.length < 5) {
      const before = await processedCount();
      if (before >= total && (await unsentCount()) === 0) break;
      child = startChild();
      // Kill once it has made some progress, at a random moment inside the batch.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (await processedCount()) < Math.min(total, before + 3)) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, Math.random() * 250));
      killTimes.push(Date.now());
      child.kill('SIGKILL');
      await killed(child);
    }
    child = startChild();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !((await processedCount()) >= total && (await unsentCount()) === 0)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // Give a stray duplicate the chance to show up before counting.
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGTERM');
    await killed(child);
    child = null;

    const kills = killTimes.length;
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(await processedCount()).toBe(total);
    expect(await unsentCount()).toBe(0);
    // One answer per request, none to the auto-replies. SMTP has no exactly-once: a kill between the
    // server's 250 and our "sent" commit makes a resend with the SAME Message-ID (mail clients and servers
    // treat it as one mail). So: exactly one distinct Message-ID per purpose, and a raw resend only where a
    // kill explains it, at most one per mail in flight at that kill (SMTP_POOL_SIZE sends at a time).
    const idsByRecipient = new Map<string, Set<string>>();
    for (const m of sink.messages) for (const to of m.envelope.to) {
      idsByRecipient.set(to, (idsByRecipient.get(to) ?? new Set()).add(m.messageId!));
    }
    for (let i = 0; i < REQUESTS; i += 1) expect(idsByRecipient.get(`req${i}@etude.example.fr`)?.size, `req${i}`).toBe(1);
    expect([...idsByRecipient.keys()].filter((k) => k.startsWith('ooo'))).toEqual([]);
    const conforming = Array.from({ length: REQUESTS }, (_, i) => i).filter((i) => i % 3 !== 0).length;
    expect(idsByRecipient.get('agents@localhost.localdomain')?.size).toBe(conforming);
    const distinct = new Set(sink.messages.map((m) => m.messageId)).size;
    expect(distinct).toBe(REQUESTS + conforming);
    const report = resendsByKill(sink.messages, killTimes);
    expect(report.unexplained).toEqual([]);
    for (const n of report.perKill) expect(n).toBeLessThanOrEqual(SMTP_POOL_SIZE);
    const resends = sink.messages.length - distinct;
    console.info(`[crash-restart] ${kills} SIGKILLs, ${distinct} distinct mails, ${resends} resent with the same Message-ID`);
    const listed = await mailbox.list();
    expect(listed.filter((m) => !m.flags.includes(DONE_KEYWORD))).toEqual([]);
  }, 240_000);
});
