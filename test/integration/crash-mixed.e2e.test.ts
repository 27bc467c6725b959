import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildAutoReply, buildRequestMail, buildUnrelatedMail, sampleSiret } from '../support/sample-mails';
import { DONE_KEYWORD } from '../../src/mail/mailbox-watcher';
import type { SinkMessage, SmtpSink } from '../support/sandbox/smtp-sink';
import { freshDatabase } from './support/liquibot-harness';
import { startChildDaemon, type ChildDaemon } from './support/child-daemon';
import { freshMailbox, type FreshMailbox } from '../helpers/fresh-mailbox';
import { startSink } from '../helpers/smtp-sink';
import { SMTP_POOL_SIZE } from '../../src/mail/smtp-transport';
import { resendsByKill } from '../helpers/resends';

const CONFORMING = 80;
const NON_CONFORMING = 40;

/**
 * A backlog of 300 mixed mails — requests, auto-replies, unrelated mail, then the requesters' fixes and
 * the agents' decisions — drained while the daemon is SIGKILLed at random moments, five times over.
 */
describe('SIGKILL while draining 300 mixed mails', () => {
  let mailbox: FreshMailbox;
  let sink: SmtpSink;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let child: ChildDaemon | null = null;
  const killTimes: number[] = [];

  beforeAll(async () => {
    mailbox = freshMailbox('mixed');
    sink = await startSink();
    db = await freshDatabase('postgres');
  });
  afterAll(async () => {
    await child?.kill();
    await sink?.stop();
    await db?.cleanup();
  });

  const env = () => ({
    IMAP_URL: mailbox.imapUrl, SMTP_URL: `${sink.url}?starttls=never`, DATABASE_URL: db.url, HTTP_PORT: '0',
    MAIL_FROM: 'liquibot@support.example.fr', AGENTS_ADDRESS: 'agents@support.example.fr', AGENT_SENDERS: '@support.example.fr', ALLOW_UNSIGNED_AGENT_REPLIES: 'true', DOCUMENT_READING: 'false',
    LOG_LEVEL: 'warn', OUTBOX_POLL_MS: '100', OUTBOX_LEASE_SECONDS: '3', NOTICE_RATE_LIMIT: '1000',
    RESET_LINK_SECRET: 'mixed-secret-0123456789-0123456789-abcdef',
  });
  const count = async (q: ReturnType<typeof sql>) => Number((await db.database.rows<{ n: number }>(q))[0]!.n);
  const processed = () => count(sql`select count(*)::int as n from inbound_messages where status <> 'stored'`);
  const unsent = () => count(sql`select count(*)::int as n from outbox where status <> 'sent'`);

  /** Drain `total` messages, killing the daemon `killsWanted` times at random moments mid-batch. */
  async function drain(total: number, killsWanted: number): Promise<void> {
    for (let k = 0; k < killsWanted; k += 1) {
      const before = await processed();
      if (before >= total) break;
      child = startChildDaemon(env());
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && (await processed()) < Math.min(total, before + 10)) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      killTimes.push(Date.now());
      await child.kill('SIGKILL');
    }
    child = startChildDaemon(env());
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && !((await processed()) >= total && (await unsent()) === 0)) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    if ((await processed()) < total) {
      console.error('[crash-mixed] stuck:', child.lines.slice(-15).join('\n'));
      console.error(await db.database.rows(sql`select status, outcome, error_code, count(*)::int from inbound_messages group by 1,2,3`));
      console.error(await mailbox.state());
    }
    await child.kill('SIGTERM');
    child = null;
    expect(await processed()).toBe(total);
    expect(await unsent()).toBe(0);
  }

  const header = (m: SinkMessage, name: string) => m.headers[name]?.[0]?.trim();
  const distinctTo = (to: string) => new Set(sink.messages.filter((m) => m.envelope.to.includes(to)).map((m) => m.messageId)).size;

  it('answers every request once, and every approval gives exactly one reset mail', async () => {
    // Phase 1: 200 mails.
    for (let i = 0; i < CONFORMING; i += 1) await mailbox.append(buildRequestMail({ from: `ok${i}@etude.example.fr`, liquidatorEmail: `liq${i}@mandataire.example.fr`, siret: sampleSiret(i) }));
    for (let i = 0; i < NON_CONFORMING; i += 1) await mailbox.append(buildRequestMail({ from: `ko${i}@etude.example.fr`, attachment: 'none', liquidatorEmail: `liqko${i}@mandataire.example.fr`, siret: sampleSiret(1000 + i) }));
    for (let i = 0; i < 80; i += 1) await mailbox.append(i % 2 ? buildAutoReply(`ooo${i}@etude.example.fr`) : buildUnrelatedMail(`other${i}@entreprise.example.fr`));
    await drain(200, 3);

    // Phase 2: 100 mails, built from what phase 1 sent.
    const notices = sink.messages.filter((m) => m.envelope.to[0]!.startsWith('ko'));
    const approvals = sink.messages.filter((m) => m.envelope.to[0] === 'agents@support.example.fr' && header(m, 'x-liquibot-ticket'));
    expect(new Set(notices.map((m) => m.envelope.to[0])).size).toBe(NON_CONFORMING);
    expect(new Set(approvals.map((m) => header(m, 'x-liquibot-ticket'))).size).toBe(CONFORMING);
    const byRef = new Map(approvals.map((m) => [header(m, 'x-liquibot-ticket')!, m]));
    for (const [, m] of [...byRef].slice(0, 60)) {
      await mailbox.append([
        'From: agent@support.example.fr', 'To: liquibot@support.example.fr', 'Subject: RE: validation',
        `Message-ID: <${randomUUID()}@support.example.fr>`, `In-Reply-To: ${m.messageId}`, 'Content-Type: text/plain; charset=UTF-8', '', 'VALIDER', '',
      ].join('\r\n'));
    }
    for (const n of [...new Map(notices.map((m) => [m.envelope.to[0]!, m])).values()].slice(0, 30)) {
      await mailbox.append(buildRequestMail({ from: n.envelope.to[0]!, subject: 'RE: demande', siret: null, liquidatorEmail: null, inReplyTo: n.messageId, references: [n.messageId!] }));
    }
    for (let i = 0; i < 10; i += 1) await mailbox.append(buildAutoReply(`ooo-b${i}@etude.example.fr`));
    await drain(300, 2);

    const kills = killTimes.length;
    expect(kills).toBeGreaterThanOrEqual(4);
    // Which requesters were approved (tickets were numbered in processing order, not in requester order).
    const approvedRefs = new Set([...byRef.keys()].slice(0, 60));
    const requesterOf = new Map((await db.database.rows<{ ref: string; requester_email: string }>(sql`select ref, requester_email from tickets`)).map((r) => [r.ref, r.requester_email]));
    const approvedRequesters = new Set([...approvedRefs].map((r) => requesterOf.get(r)));
    expect(approvedRequesters.size).toBe(60);
    for (let i = 0; i < CONFORMING; i += 1) {
      const who = `ok${i}@etude.example.fr`;
      expect(distinctTo(who), who).toBe(approvedRequesters.has(who) ? 2 : 1); // acknowledgment (+ resolved)
    }
    for (let i = 0; i < NON_CONFORMING; i += 1) expect(distinctTo(`ko${i}@etude.example.fr`)).toBeGreaterThanOrEqual(1);
    // Exactly one reset mail per approval, to the liquidator of that request; none to anyone else.
    const resets = sink.messages.filter((m) => m.envelope.to[0]!.startsWith('liq'));
    const resetTargets = new Set(resets.map((m) => m.envelope.to[0]));
    expect(resetTargets.size).toBe(60);
    for (const t of resetTargets) expect(distinctTo(t!), t!).toBe(1);
    // The 30 fixes made 30 tickets conforming: each got one acknowledgment and went to the agents once more.
    const fixedAcks = sink.messages.filter((m) => m.envelope.to[0]!.startsWith('ko') && m.subject?.includes('re=C3=A7ue'));
    expect(new Set(fixedAcks.map((m) => m.messageId)).size).toBe(30);
    expect(sink.messages.filter((m) => m.envelope.to[0]!.startsWith('ooo') || m.envelope.to[0]!.startsWith('other'))).toHaveLength(0);
    expect((await mailbox.list()).filter((m) => !m.flags.includes(DONE_KEYWORD))).toEqual([]);
    // A raw resend (same Message-ID) only where a kill fell between the SMTP server's 250 and the "sent"
    // commit: at most one per mail in flight at that kill (the outbox sends SMTP_POOL_SIZE at a time).
    const report = resendsByKill(sink.messages, killTimes);
    expect(report.unexplained).toEqual([]);
    for (const n of report.perKill) expect(n).toBeLessThanOrEqual(SMTP_POOL_SIZE);
    console.info(`[crash-mixed] ${kills} SIGKILLs over 300 mails; ${sink.messages.length} deliveries, ${report.resends.length} resent with the same Message-ID (per kill: ${report.perKill.join(', ')})`);
  }, 400_000);
});
