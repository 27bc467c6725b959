import { EMPTY_CHECK } from '../../src/workflow/ticket-check';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { markInboundProcessed, RAW_PIECE_BYTES, storeInbound, storeInboundStreamed, quarantineInbound } from '../../src/db/inbound-queries';
import { claimDueMail, countRecentMailTo, enqueueMail, markMailFailed, markMailRetry, markMailSent, outboxBacklog, renewClaim, supersedePendingMail } from '../../src/db/outbox-queries';
import { deferEvents, findTicketByMessageIds, insertEvents, insertTicket, nextTicketId } from '../../src/db/ticket-queries';
import { outboxRowFor } from '../../src/outbox/outgoing-mail';
import { databaseForSuite, freshDatabase, type DbKind } from './support/liquibot-harness';
import { rowsOf } from '../../src/db/client';

const rendered = { subject: 's', text: 't', html: null, templateName: 'acknowledgment' as const, templateVersion: 'v1' };

describe.each<DbKind>(['postgres', 'pglite'])('database queries on %s', (kind) => {
  const db = databaseForSuite(kind);

  it('stores a raw message once, by UID and by content', async () => {
    const input = { mailbox: 'INBOX', uidValidity: 7n, uid: 1, sha256: 'a'.repeat(64), raw: Buffer.from('raw one') };
    const first = await storeInbound(db.database.db, input);
    expect(first.kind).toBe('new');
    expect((await storeInbound(db.database.db, input)).kind).toBe('seen');
    // The same bytes under another UIDVALIDITY and UID (the server renumbered): the same row.
    const again = await storeInbound(db.database.db, { ...input, uidValidity: 8n, uid: 40 });
    expect(again).toMatchObject({ kind: 'seen', row: { id: first.row.id } });
  });

  it('keeps every byte of a raw source (it crosses the wire as base64)', async () => {
    const raw = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\r\n.\r\n\u00e9\0end')]);
    const stored = await storeInbound(db.database.db, { mailbox: 'INBOX', uidValidity: 7n, uid: 99, sha256: 'f'.repeat(64), raw });
    const rows = await db.database.rows<{ raw: Buffer }>(sql`select raw from inbound_messages where id = ${stored.row.id}`);
    expect(Buffer.from(rows[0]!.raw).equals(raw)).toBe(true);
  });

  it('keeps every byte of a source large enough to be written in pieces, and of a too-large one fetched again whole', async () => {
    const big = randomBytes(2 * RAW_PIECE_BYTES + 12345);
    const stored = await storeInbound(db.database.db, { mailbox: 'INBOX', uidValidity: 7n, uid: 100, sha256: 'e'.repeat(64), raw: big });
    const read = async (id: number) => Buffer.from((await db.database.rows<{ raw: Buffer }>(sql`select raw from inbound_messages where id = ${id}`))[0]!.raw);
    expect((await read(stored.row.id)).equals(big)).toBe(true);

    const header = { mailbox: 'INBOX', uidValidity: 7n, uid: 101, sha256: 'd'.repeat(64), raw: Buffer.from('Subject: big\r\n\r\n'), sizeBytes: big.length, headerOnly: true };
    const first = await storeInbound(db.database.db, header);
    await quarantineInbound(db.database.db, first.row.id, { code: 'MAIL_TOO_LARGE', detail: 'x', now: new Date() });
    const whole = randomBytes(RAW_PIECE_BYTES + 1);
    await storeInbound(db.database.db, { ...header, sha256: '9'.repeat(64), raw: whole, sizeBytes: whole.length, headerOnly: false });
    expect((await read(first.row.id)).equals(whole)).toBe(true);
  });

  it('stores a source that arrives in pieces, never whole, and leaves the known cases to storeInbound', async () => {
    const read = async (id: number) => Buffer.from((await db.database.rows<{ raw: Buffer }>(sql`select raw from inbound_messages where id = ${id}`))[0]!.raw);
    const count = async () => (await db.database.rows<{ n: number }>(sql`select count(*)::int as n from inbound_messages`))[0]!.n;
    const big = randomBytes(2 * RAW_PIECE_BYTES + 777);
    async function* inPieces(bytes: Buffer, size: number, failAt?: number) {
      for (let at = 0; at < bytes.length; at += size) {
        if (failAt !== undefined && at >= failAt) throw new Error('connection lost');
        yield bytes.subarray(at, at + size);
      }
    }
    const input = { mailbox: 'INBOX', uidValidity: 9n, uid: 500, sizeBytes: big.length };
    const tapped: Buffer[] = [];
    const stored = await storeInboundStreamed(db.database.db, input, async () => inPieces(big, 1_000_003), async (p) => { tapped.push(Buffer.from(p)); });
    expect(stored.kind).toBe('new');
    if (stored.kind !== 'new') return;
    expect((await read(stored.row.id)).equals(big)).toBe(true);
    expect(Buffer.concat(tapped).equals(big)).toBe(true);
    expect(stored.row).toMatchObject({ status: 'stored', sizeBytes: big.length, sha256: createHash('sha256').update(big).digest('hex'), raw: null });

    // The same UID again (a restart after the commit): known, and the source is not even opened.
    let opened = false;
    expect(await storeInboundStreamed(db.database.db, input, async () => { opened = true; return inPieces(big, 1 << 20); }, async () => {})).toEqual({ kind: 'known' });
    expect(opened).toBe(false);
    // The same bytes under another UID: known, and nothing is left of the attempt.
    const before = await count();
    expect(await storeInboundStreamed(db.database.db, { ...input, uid: 501 }, async () => inPieces(big, 1 << 20), async () => {})).toEqual({ kind: 'known' });
    expect(await count()).toBe(before);
    // A download that breaks half-way, or a message gone: an error, and no row (it is fetched again on the next pass).
    await expect(storeInboundStreamed(db.database.db, { ...input, uid: 502 }, async () => inPieces(randomBytes(big.length), 1 << 20, RAW_PIECE_BYTES + 1), async () => {})).rejects.toThrow(/connection lost/);
    await expect(storeInboundStreamed(db.database.db, { ...input, uid: 503 }, async () => null, async () => {})).rejects.toThrow(/vanished/);
    await expect(storeInboundStreamed(db.database.db, { ...input, uid: 504 }, async () => inPieces(Buffer.alloc(0), 10), async () => {})).rejects.toThrow(/vanished/);
    expect(await count()).toBe(before);
    // A small source in one piece is stored too.
    const small = Buffer.from('Subject: s\r\n\r\nbody');
    const one = await storeInboundStreamed(db.database.db, { ...input, uid: 505, sizeBytes: small.length }, async () => inPieces(small, 4), async () => {});
    expect(one.kind === 'new' && (await read(one.row.id)).equals(small)).toBe(true);
  });

  it('keeps the whole source of a mail quarantined as too large once it is fetched whole', async () => {
    const header = { mailbox: 'INBOX', uidValidity: 7n, uid: 2, sha256: 'b'.repeat(64), raw: Buffer.from('Subject: big\r\n\r\n'), sizeBytes: 9000, headerOnly: true };
    const stored = await storeInbound(db.database.db, header);
    await quarantineInbound(db.database.db, stored.row.id, { code: 'MAIL_TOO_LARGE', detail: 'x', now: new Date() });
    expect((await storeInbound(db.database.db, header)).row.status).toBe('quarantined');
    const whole = await storeInbound(db.database.db, { ...header, sha256: 'c'.repeat(64), raw: Buffer.alloc(9000, 65), headerOnly: false });
    expect(whole.row).toMatchObject({ id: stored.row.id, status: 'stored', sizeBytes: 9000, errorCode: null });
  });

  it('marks a mail processed with its step\'s history in one statement, and writes neither when someone processed it first', async () => {
    const now = new Date('2026-12-06T10:00:00.123Z');
    const stored = await storeInbound(db.database.db, { mailbox: 'INBOX', uidValidity: 9n, uid: 5, sha256: 'e'.repeat(64), raw: Buffer.from('mail') });
    const step = (detail: Record<string, unknown>) => db.database.db.transaction(async (tx) => {
      const tid = await nextTicketId(tx);
      await insertTicket(tx, { id: tid, ref: `LJ-261206-${String(tid).padStart(4, '0')}`, status: 'awaiting_approval', requesterEmail: 'r@x.fr', check: EMPTY_CHECK });
      const events = deferEvents(tx);
      // Kept, in order, not inserted, once deferred.
      await insertEvents(tx, [{ ticketId: tid, at: now, kind: 'request_received', actor: 'r@x.fr', fromStatus: null, toStatus: 'awaiting_approval', detail }]);
      await insertEvents(tx, [{ ticketId: tid, at: now, kind: 'mail_queued', actor: 'liquibot', detail: { mail: 'acknowledgment', é: 'ü' } }]);
      expect(events).toHaveLength(2);
      expect(rowsOf(await tx.execute(sql`select 1 from ticket_events where ticket_id = ${tid}`))).toEqual([]);
      return { tid, marked: await markInboundProcessed(tx, stored.row.id, { outcome: 'new-request', ticketId: tid, messageId: '<m@x.fr>', now }, events) };
    });
    const first = await step({ n: 1 });
    expect(first.marked).toBe(true);
    const rows = await db.database.rows<{ kind: string; at: Date | string; to_status: string | null; detail: Record<string, unknown> }>(sql`
      select kind, at, to_status, detail from ticket_events where ticket_id = ${first.tid} order by id`);
    expect(rows.map((r) => [r.kind, new Date(r.at).toISOString(), r.to_status, r.detail])).toEqual([
      ['request_received', now.toISOString(), 'awaiting_approval', { n: 1 }], ['mail_queued', now.toISOString(), null, { mail: 'acknowledgment', é: 'ü' }],
    ]);
    const [mark] = await db.database.rows<{ status: string; outcome: string; ticket_id: number; message_id: string }>(sql`
      select status, outcome, ticket_id, message_id from inbound_messages where id = ${stored.row.id}`);
    expect(mark).toMatchObject({ status: 'processed', outcome: 'new-request', message_id: '<m@x.fr>' });
    expect(Number(mark!.ticket_id)).toBe(first.tid);
    // Processed already: not marked again, and the second step's history is not written.
    const second = await step({ n: 2 });
    expect(second.marked).toBe(false);
    expect(await db.database.rows(sql`select 1 from ticket_events where ticket_id = ${second.tid}`)).toEqual([]);
  });

  it('finds a ticket by the Message-ID of a mail it sent, claims due mail once, counts recent notices', async () => {
    const now = new Date();
    const id = await db.database.db.transaction(async (tx) => {
      const tid = await nextTicketId(tx);
      await insertTicket(tx, { id: tid, ref: `LJ-261126-${String(tid).padStart(4, '0')}`, status: 'non_conforming', requesterEmail: 'r@x.fr', check: EMPTY_CHECK });
      // Different (ticket, address) pairs: mails of one ticket to one address go out one after the other (tested below).
      for (const [purpose, kind, ticketId, to] of [['n1', 'non-conformity', tid, 'r@x.fr'], ['n2', 'non-conformity', null, 'r@x.fr'], ['ack', 'acknowledgment', tid, 'r2@x.fr']] as const) {
        await enqueueMail(tx, outboxRowFor({
          purposeKey: `T:${purpose}`, kind, ticketId, ticketRef: 'T', to, rendered: { ...rendered, templateName: kind },
          messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now,
        }));
      }
      // The same purpose twice is one row.
      expect(await enqueueMail(tx, outboxRowFor({
        purposeKey: 'T:n1', kind: 'non-conformity', ticketId: tid, ticketRef: 'T', to: 'r@x.fr', rendered,
        messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now,
      }))).toBe(false);
      return tid;
    });
    const claimed = await claimDueMail(db.database.db, { now, limit: 10, leaseMs: 60_000 });
    expect(claimed).toHaveLength(3);
    expect(await claimDueMail(db.database.db, { now, limit: 10, leaseMs: 60_000 })).toHaveLength(0);
    // A lease that ran out makes the row due again (its sender died).
    const later = new Date(now.getTime() + 61_000);
    const reclaimed = await claimDueMail(db.database.db, { now: later, limit: 10, leaseMs: 60_000 });
    expect(reclaimed).toHaveLength(3);
    // The first sender, whose lease ran out, can neither send nor record anything for these rows now.
    expect(await renewClaim(db.database.db, claimed[0]!, new Date(later.getTime() + 60_000))).toBeNull();
    expect(await markMailSent(db.database.db, claimed[0]!, later)).toBe(false);
    expect(await markMailRetry(db.database.db, claimed[1]!, '451', later)).toBe(false);
    expect(await markMailFailed(db.database.db, claimed[2]!, '550')).toBe(false);
    // The second sender can, and a renewal moves its lease.
    const renewedUntil = await renewClaim(db.database.db, reclaimed[0]!, new Date(later.getTime() + 120_000));
    expect(renewedUntil?.getTime()).toBe(later.getTime() + 120_000);
    expect(await markMailSent(db.database.db, reclaimed[0]!, later)).toBe(false); // the old lease end is no longer it
    expect(await markMailSent(db.database.db, { id: reclaimed[0]!.id, claimedUntil: renewedUntil }, later)).toBe(true);
    expect(await markMailRetry(db.database.db, reclaimed[1]!, '451', new Date(now.getTime() + 3_600_000))).toBe(true);
    expect(await outboxBacklog(db.database.db)).toMatchObject({ count: 2, failed: 0 });

    const found = await findTicketByMessageIds(db.database.db, ['<unknown@x>', claimed[2]!.messageId]);
    expect(found?.id).toBe(id);
    expect(await countRecentMailTo(db.database.db, 'r@x.fr', ['non-conformity'], new Date(now.getTime() - 60_000))).toBe(2);
    expect(await countRecentMailTo(db.database.db, 'r@x.fr', ['non-conformity'], new Date(now.getTime() + 60_000))).toBe(0);
  });
});

describe.each<DbKind>(['postgres', 'pglite'])('outbox order and superseded notices on %s', (kind) => {
  const db = databaseForSuite(kind);

  it('sends the mails of one ticket to one address in the order they were decided, and never a superseded one', async () => {
    const now = new Date();
    const tid = await db.database.db.transaction(async (tx) => {
      const id = await nextTicketId(tx);
      await insertTicket(tx, { id, ref: `LJ-ORDER-${id}`, status: 'non_conforming', requesterEmail: 'o@x.fr', check: EMPTY_CHECK });
      for (const [purpose, k, to] of [['n1', 'non-conformity', 'o@x.fr'], ['n2', 'non-conformity', 'o@x.fr'], ['agents', 'approval-request', 'agents@x.fr']] as const) {
        await enqueueMail(tx, outboxRowFor({
          purposeKey: `O${id}:${purpose}`, kind: k, ticketId: id, ticketRef: `LJ-ORDER-${id}`, to, rendered: { ...rendered, templateName: k },
          messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now,
        }));
      }
      return id;
    });
    const mine = <T extends { ticketId: number | null }>(rows: T[]) => rows.filter((r) => r.ticketId === tid);
    // n2 waits behind n1 (same ticket, same address); the agents' mail does not.
    const first = mine(await claimDueMail(db.database.db, { now, limit: 10, leaseMs: 60_000 }));
    expect(first.map((r) => r.purposeKey).sort()).toEqual([`O${tid}:agents`, `O${tid}:n1`]);
    const n1 = first.find((r) => r.purposeKey.endsWith(':n1'))!;
    expect(await markMailSent(db.database.db, first.find((r) => r.purposeKey.endsWith(':agents'))!, now)).toBe(true);
    // A 4xx: n1 is pending again, later; n2 still waits behind it.
    expect(await markMailRetry(db.database.db, n1, '451', new Date(now.getTime() + 3_600_000))).toBe(true);
    expect(mine(await claimDueMail(db.database.db, { now, limit: 10, leaseMs: 60_000 }))).toEqual([]);
    // The acknowledgment makes both pending notices stale: they are superseded, never sent.
    const ack = await db.database.db.transaction(async (tx) => {
      await enqueueMail(tx, outboxRowFor({
        purposeKey: `O${tid}:ack`, kind: 'acknowledgment', ticketId: tid, ticketRef: `LJ-ORDER-${tid}`, to: 'o@x.fr', rendered,
        messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now,
      }));
      return supersedePendingMail(tx, { ticketId: tid, toAddress: 'o@x.fr', kinds: ['non-conformity'], keepPurposeKey: `O${tid}:ack` });
    });
    expect(ack.map((r) => r.purposeKey).sort()).toEqual([`O${tid}:n1`, `O${tid}:n2`]);
    const later = new Date(now.getTime() + 7_200_000);
    expect(mine(await claimDueMail(db.database.db, { now: later, limit: 10, leaseMs: 60_000 })).map((r) => r.purposeKey)).toEqual([`O${tid}:ack`]);
  });
});

describe('embedded database', () => {
  it('is opened by one process at a time, with a clear error for the second', async () => {
    const { openDatabase } = await import('../../src/db/client');
    const db = await freshDatabase('pglite');
    try {
      await expect(openDatabase({ dataDir: db.dataDir })).rejects.toThrow(/embedded database .* is in use by process \d+: stop it first, or use PostgreSQL/);
    } finally {
      await db.cleanup();
    }
    // Released on close: it opens again.
    const again = await openDatabase({ dataDir: db.dataDir });
    await again.close();
  });
});
