import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildRequestMail, sampleSiret } from '../support/sample-mails';
import { DONE_KEYWORD } from '../../src/mail/mailbox-watcher';
import { createHarness, type Harness } from './support/liquibot-harness';
import { withImapSession } from '../support/sandbox/imap-seed';
import { appendAll, countOf, deliveriesByRecipient, doveadm, logLines, waitFor } from './support/fault-support';

/**
 * The mailbox's UIDVALIDITY changes while liquibot drains a backlog. Two ways a real Dovecot does it:
 * - `doveadm mailbox update --uid-validity`: the administrator renumbers the mailbox (UIDs and flags are
 *   kept); Dovecot ends the session that has it selected (checked by hand: the next command finds the
 *   connection closed), liquibot reconnects and sees a new UIDVALIDITY;
 * - the watched folder deleted and recreated with every mail put back (a restore, a migration to another
 *   server): new UIDVALIDITY, new UIDs, and our $LiquibotDone flags gone, so every mail, handled or not,
 *   comes back as new.
 * Either way: each request answered once, one row per mail, the sink and the outbox agree, the change logged.
 */

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const AGENTS = 'agents@support.example.fr';

function requests(n: number, tag: string): { raw: string; from: string; conforming: boolean }[] {
  return Array.from({ length: n }, (_, i) => {
    const conforming = i % 4 !== 0;
    const from = `${tag}${i}@etude.example.fr`;
    return { from, conforming, raw: buildRequestMail({ from, siret: sampleSiret(i), attachment: conforming ? 'pdf' : 'none', messageId: `<${tag}-${i}@custhelp.example.net>` }) };
  });
}

async function expectEachAnsweredOnce(h: Harness, mails: { from: string; conforming: boolean }[], folder: string): Promise<void> {
  const db = h.database;
  expect(await countOf(db, sql`select count(*)::int as n from inbound_messages`)).toBe(mails.length);
  expect(await countOf(db, sql`select count(*)::int as n from inbound_messages where status <> 'processed'`)).toBe(0);
  expect(await countOf(db, sql`select count(*)::int as n from tickets`)).toBe(mails.length);
  const byRecipient = deliveriesByRecipient(h.sink.messages);
  for (const m of mails) expect({ from: m.from, ...byRecipient.get(m.from) }).toEqual({ from: m.from, deliveries: 1, ids: expect.any(Set) });
  for (const m of mails) expect(byRecipient.get(m.from)!.ids.size).toBe(1);
  const conforming = mails.filter((m) => m.conforming).length;
  expect(byRecipient.get(AGENTS)?.ids.size).toBe(conforming);
  expect(byRecipient.get(AGENTS)?.deliveries).toBe(conforming);
  // The daemon's own record and the SMTP server agree: one sent row per delivery, nothing else pending.
  expect(await countOf(db, sql`select count(*)::int as n from outbox where status <> 'sent'`)).toBe(0);
  const sentIds = (await db.rows<{ id: string }>(sql`select message_id as id from outbox`)).map((r) => r.id).sort();
  expect(sentIds).toEqual(h.sink.messages.map((m) => m.messageId!).sort());
  const listed = await h.mailbox.list(folder);
  expect(listed).toHaveLength(mails.length);
  expect(listed.filter((m) => !m.flags.includes(DONE_KEYWORD))).toEqual([]);
}

const drained = (h: Harness, n: number) => async () =>
  (await countOf(h.database, sql`select count(*)::int as n from inbound_messages where status = 'processed'`)) >= n
  && (await countOf(h.database, sql`select count(*)::int as n from outbox where status <> 'sent'`)) === 0
  && (await h.mailbox.list(h.config.IMAP_URL!.endsWith('/INBOX') ? 'INBOX' : 'Support')).every((m) => m.flags.includes(DONE_KEYWORD));

describe('a UIDVALIDITY change while a backlog drains', () => {
  it('doveadm mailbox update --uid-validity: the session ends, liquibot resynchronises, nothing lost or doubled', async () => {
    h = await createHarness();
    const mails = requests(240, 'uv');
    await appendAll(h.mailbox, mails.map((m) => m.raw));
    const before = await h.mailbox.state();
    await h.start();
    await waitFor('a part of the backlog', () => h!.processed.length >= 50, 60_000, 20);
    const processedAtChange = h.processed.length;
    const changedAt = Date.now();
    const newValidity = before.uidValidity + 1000n;
    await doveadm(['mailbox', 'update', '-u', h.mailbox.user, '--uid-validity', String(newValidity), 'INBOX']);
    await waitFor('the backlog drained', drained(h, mails.length), 90_000, 200);
    const drainedMs = Date.now() - changedAt;

    expect(processedAtChange).toBeLessThan(mails.length); // the change did land mid-drain
    expect((await h.mailbox.state()).uidValidity).toBe(newValidity);
    const changes = logLines(h.logs.lines, 'UIDVALIDITY changed, resynchronising');
    expect(changes.map((l) => [l.previous, l.current])).toEqual([[String(before.uidValidity), String(newValidity)]]);
    expect(await h.database.rows(sql`select uid_validity::text as v from mailbox_state`)).toEqual([{ v: String(newValidity) }]);
    await expectEachAnsweredOnce(h, mails, 'INBOX');
    const reconnectedAt = logLines(h.logs.lines, 'imap state changed').filter((l) => l.to === 'connected' && l.uidValidity === String(newValidity));
    expect(reconnectedAt).toHaveLength(1);
    const resyncMs = new Date(String(reconnectedAt[0]!.time)).getTime() - changedAt;
    console.info(`[fault-uidvalidity] update: changed after ${processedAtChange}/${mails.length} processed; watching the new UIDVALIDITY ${resyncMs} ms after the change, drained ${drainedMs} ms after it; ${h.sink.messages.length} mails sent`);
  }, 120_000);

  it('the folder deleted and recreated with every mail put back: new UIDs, flags gone, each request still answered once', async () => {
    // Watch a folder: INBOX cannot be deleted.
    h = await createHarness({ folder: 'Support' });
    const mails = requests(160, 'rc');
    await appendAll(h.mailbox, mails.map((m) => m.raw), 'Support');
    const before = await h.mailbox.state('Support');
    await h.start();
    await waitFor('a part of the backlog', () => h!.processed.length >= 40, 60_000, 20);
    const processedAtChange = h.processed.length;
    const changedAt = Date.now();
    // Deleted by one IMAP client; once Dovecot has ended liquibot's session on it, created again with the
    // mails put back. (Created again at once, the old session's process marked the new folder's index
    // deleted too, and Dovecot answered every APPEND with "NO Mailbox was deleted under us".)
    await withImapSession(h.mailbox, (c) => c.mailboxDelete('Support'));
    await waitFor('the session on the deleted folder to end', () => h!.daemon!.watcher.state() !== 'connected', 30_000, 20);
    await appendAll(h.mailbox, mails.map((m) => m.raw), 'Support');
    const after = await h.mailbox.state('Support');
    await waitFor('the backlog drained', drained(h, mails.length), 90_000, 200);
    const drainedMs = Date.now() - changedAt;

    expect(processedAtChange).toBeLessThan(mails.length);
    expect(after.uidValidity).not.toBe(before.uidValidity);
    const changes = logLines(h.logs.lines, 'UIDVALIDITY changed, resynchronising');
    expect(changes.map((l) => [l.previous, l.current])).toEqual([[String(before.uidValidity), String(after.uidValidity)]]);
    // The mails handled before the change came back unflagged and were recognised by their bytes.
    // (Every mail of the new folder is handled once, so the handlings beyond one per mail are the repeats.)
    const again = h.processed.length - mails.length;
    expect(again).toBeGreaterThanOrEqual(processedAtChange);
    await expectEachAnsweredOnce(h, mails, 'Support');
    console.info(`[fault-uidvalidity] recreate: changed after ${processedAtChange}/${mails.length} processed; ${again} came back and were recognised; drained ${drainedMs} ms after the change`);
  }, 120_000);
});
