import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { statusCommand, type StatusReport } from '../../src/cli/status-command';
import { loadConfig } from '../../src/config';
import { storeInbound } from '../../src/db/inbound-queries';
import { mailboxIdentity } from '../../src/mail/mailbox-identity';
import { buildRequestMail, sampleSiret } from '../support/sample-mails';
import { until } from '../helpers/until';
import { conformingRequest, harnessesPerTest, type Harness } from './support/liquibot-harness';

/**
 * Several mailboxes on one database: each mailbox has its own leader, cursor and stored UIDs, keyed by
 * its identity (src/mail/mailbox-identity.ts); and a cursor that an older liquibot stored under the
 * folder's name alone is adopted on upgrade, not mistaken for a first start.
 */

const harness = harnessesPerTest();

const countOf = async (h: Harness, query: ReturnType<typeof sql>) => Number((await h.database.rows<{ n: number }>(query))[0]!.n);

describe('two mailboxes on one PostgreSQL database', () => {
  it('each mailbox gets a leader of its own and is answered from its own cursor', async () => {
    const first = await harness({ db: 'postgres' });
    const second = await harness({ joinDatabase: first.config.DATABASE_URL! });
    const third = await harness({ joinDatabase: first.config.DATABASE_URL!, env: { IMAP_URL: second.config.IMAP_URL! } });
    await first.start();
    await second.start();
    await third.start();
    // One leader per mailbox: the first's, and one of the two instances that watch the second.
    expect(await until(() => first.daemon!.leadership.isLeader()
      && [second, third].filter((h) => h.daemon!.leadership.isLeader()).length === 1, 15_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500)); // LEADER_RETRY_SECONDS is 2: the standby has tried again
    expect([first, second, third].map((h) => h.daemon!.leadership.isLeader()).filter(Boolean)).toHaveLength(2);

    const a = await conformingRequest(first, { requester: 'etude-a@mandataires.example.fr', liquidator: 'liq-a@mandataires.example.fr', siret: sampleSiret(1) });
    await second.mailbox.append(buildRequestMail({ from: 'etude-b@mandataires.example.fr', siret: sampleSiret(2), messageId: '<b-1@custhelp.example.net>' }));
    const secondLeader = second.daemon!.leadership.isLeader() ? second : third;
    await secondLeader.waitForProcessed(1);
    expect(first.processed).toHaveLength(1);
    expect(a.ticket.status).toBe('awaiting_approval');

    const keys = [first, second].map((h) => mailboxIdentity(h.config.IMAP_URL!).key);
    expect(keys[0]).not.toBe(keys[1]);
    expect((await first.database.rows<{ mailbox: string }>(sql`select mailbox from mailbox_state order by mailbox`)).map((r) => r.mailbox))
      .toEqual([...keys].sort());
    const stored = await first.database.rows<{ mailbox: string }>(sql`select mailbox from inbound_messages order by id`);
    expect(stored.map((r) => r.mailbox)).toEqual(keys);
    // liquibot status lists both, with their newest mail.
    const out: string[] = [];
    const statusConfig = loadConfig({ DATABASE_URL: first.config.DATABASE_URL!, DATA_DIR: first.config.DATA_DIR, HTTP_PORT: 'off' });
    expect(await statusCommand(['--json'], { out: (l) => out.push(l), err: (l) => out.push(l) }, statusConfig)).toBe(0);
    expect((JSON.parse(out[0]!) as StatusReport).mailboxes).toEqual([...keys].sort().map((mailbox) => ({ mailbox, lastMailAt: expect.any(String) })));
    // The second mailbox's request reached its requester once, from whichever instance sent it.
    const sentToB = () => [first, second, third].flatMap((h) => h.mailsTo('etude-b@mandataires.example.fr'));
    expect(await until(() => sentToB().length >= 1, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(sentToB()).toHaveLength(1);

    // The second mailbox's leader stops: its standby takes that mailbox over, and only that one.
    const standby = secondLeader === second ? third : second;
    await secondLeader.stopDaemon();
    expect(await until(() => standby.daemon!.leadership.isLeader(), 10_000)).toBe(true);
    expect(first.daemon!.leadership.isLeader()).toBe(true);
    await second.mailbox.append(buildRequestMail({ from: 'etude-b2@mandataires.example.fr', siret: sampleSiret(3), messageId: '<b-2@custhelp.example.net>' }));
    await standby.waitForProcessed(1);
    expect(standby.processed).toHaveLength(1);
    expect(await countOf(first, sql`select count(*)::int as n from inbound_messages where mailbox = ${keys[1]!}`)).toBe(2);
    expect(first.processed).toHaveLength(1);
  });
});

describe.each(['postgres', 'pglite'] as const)('upgrading from one leader per database (%s)', (db) => {
  /** What an older liquibot left: its cursor and a message (moved away since) stored under the folder's name. */
  async function legacyState(h: Harness, uidValidity: bigint): Promise<void> {
    await h.database.rows(sql`insert into mailbox_state (mailbox, uid_validity, skip_up_to) values ('INBOX', ${String(uidValidity)}::bigint, 0)`);
    const raw = Buffer.from('From: old@example.fr\r\nSubject: processed by the older release\r\n\r\nold\r\n');
    await storeInbound(h.database.db, { mailbox: 'INBOX', uidValidity, uid: 10_000, sha256: createHash('sha256').update(raw).digest('hex'), raw });
  }

  it('adopts the cursor stored under the folder name when its UIDVALIDITY is the mailbox\'s: FIRST_START=skip skips nothing', async () => {
    const h = await harness({ db, env: { FIRST_START: 'skip' } });
    await h.mailbox.append(buildRequestMail({ from: 'pendant-la-mise-a-jour@etude.example.fr', siret: sampleSiret(3) }));
    await legacyState(h, (await h.mailbox.state()).uidValidity);
    await h.start();
    await h.waitForProcessed(1);
    expect(h.mailsTo('pendant-la-mise-a-jour@etude.example.fr')).toHaveLength(1);

    const key = mailboxIdentity(h.config.IMAP_URL!).key;
    expect(await h.database.rows(sql`select mailbox, skip_up_to::int as skip from mailbox_state`)).toEqual([{ mailbox: key, skip: 0 }]);
    expect(await countOf(h, sql`select count(*)::int as n from inbound_messages where mailbox = 'INBOX'`)).toBe(0);
    expect(await countOf(h, sql`select count(*)::int as n from inbound_messages where mailbox = ${key}`)).toBe(2);
    expect(h.logs.text()).toContain('cursor stored under the folder name adopted for this mailbox');
    expect(h.logs.text()).not.toContain('first start');
  });

  it('leaves a folder-name cursor with another UIDVALIDITY alone: another account\'s, so this mailbox starts as new', async () => {
    const h = await harness({ db, env: { FIRST_START: 'skip' } });
    await h.mailbox.append(buildRequestMail({ from: 'deja-la@etude.example.fr', siret: sampleSiret(4) }));
    const { uidValidity } = await h.mailbox.state();
    await legacyState(h, uidValidity + 1n);
    await h.start();
    expect(await until(() => h.logs.text().includes('first start: existing messages skipped'), 15_000)).toBe(true);

    const key = mailboxIdentity(h.config.IMAP_URL!).key;
    expect(await h.database.rows(sql`select mailbox, uid_validity::bigint::text as v from mailbox_state order by mailbox = 'INBOX'`))
      .toEqual([{ mailbox: key, v: String(uidValidity) }, { mailbox: 'INBOX', v: String(uidValidity + 1n) }]);
    expect(await countOf(h, sql`select count(*)::int as n from inbound_messages where mailbox = 'INBOX'`)).toBe(1);
    expect(h.processed).toHaveLength(0);
  });
});
