import { afterEach, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { inboundMessages, tickets } from '../../src/db/schema';
import { buildRequestMail } from '../support/sample-mails';
import { DONE_KEYWORD } from '../../src/mail/mailbox-watcher';
import { createHarness, type Harness } from './support/liquibot-harness';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('a transaction PostgreSQL gives up on', () => {
  it('leaves the mail for the next pass, unflagged and unanswered, and it is answered once when the database lets go', async () => {
    // A migrated database, then liquibot on it with lock_timeout=300ms on each of its connections.
    const first = await createHarness();
    harnesses.push(first);
    await first.start();
    await first.stopDaemon();
    const url = first.config.DATABASE_URL!;
    const h = await createHarness({ joinDatabase: `${url}?lock_timeout=300`, env: { RESYNC_CRON: '*/1 * * * * *' } });
    harnesses.push(h);

    // Another session holds the tickets table: every statement of the processing that reads it times out (55P03).
    const blocker = postgres(url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const session = blocker.begin(async (tx) => {
      await tx`lock table tickets in access exclusive mode`;
      locked();
      await held;
    });
    try {
      await isLocked;
      await h.mailbox.append(buildRequestMail({ from: 'patient@etude.example.fr' }));
      await h.start();
      expect(await until(() => (h.logs.text().match(/message not handled, will retry/g) ?? []).length >= 2, 20_000)).toBe(true);
      expect(h.logs.text()).toMatch(/"code":"55P03"/);
      expect(h.processed).toHaveLength(0);
      expect(h.sink.messages).toHaveLength(0);
      expect((await h.mailbox.list())[0]!.flags).not.toContain(DONE_KEYWORD);
      // Not quarantined: a fault of the database is not the mail's. (Storing it may itself wait: the
      // foreign key from inbound_messages to tickets makes PostgreSQL take a share lock on tickets at
      // each insert, so the message may not even be stored until the lock goes; it stays on IMAP, unflagged.)
      const rows = await h.database.db.select({ status: inboundMessages.status }).from(inboundMessages);
      expect(rows.filter((r) => r.status !== 'stored')).toEqual([]);
    } finally {
      release();
      await session;
      await blocker.end({ timeout: 5 });
    }

    await h.waitForProcessed(1, 20_000);
    await h.sink.waitFor((m) => m.envelope.to[0] === 'patient@etude.example.fr', 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // a second pass would show up as a second answer
    expect(h.mailsTo('patient@etude.example.fr')).toHaveLength(1);
    expect(await h.database.db.select({ status: inboundMessages.status }).from(inboundMessages)).toEqual([{ status: 'processed' }]);
    expect(await h.database.db.select({ id: tickets.id }).from(tickets)).toHaveLength(1);
    expect((await h.mailbox.list())[0]!.flags).toContain(DONE_KEYWORD);
  }, 90_000);
});
