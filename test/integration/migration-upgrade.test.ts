import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Database } from '../../src/db/client';
import { storeInbound } from '../../src/db/inbound-queries';
import { mailboxState } from '../../src/db/schema';
import { VOCABULARY_COLUMNS, vocabularyCheckName } from '../../src/db/vocabulary-sql';
/**
 * The event kinds a 0000-era liquibot wrote: frozen here, since the vocabulary grows with later
 * migrations (0002 added handed_to_agents, person_handled, notice_superseded).
 */
const TICKET_EVENT_KINDS = [
  'request_received', 'follow_up_received', 'requester_message', 'duplicate_request', 'checked', 'status_changed', 'notice_suppressed',
  'mail_ignored', 'mail_queued', 'delivery_failed', 'approval_requested', 'approval_waiting', 'same_siret_request', 'decision',
  'decision_rejected', 'reminded', 'link_issued', 'link_expired', 'link_verified', 'reopen_requested', 'retention_purged',
] as const;
import { freshDatabaseUrl } from '../helpers/fresh-database';
import {
  appliedMigrations, columnType, failureOf, journalEntries, migrateUpTo, readCheckConstraints, readForeignKeys,
} from '../db/migration-support';
import type { DbKind } from './support/liquibot-harness';

const MAX_UID = 4294967295;
const MAX_INT = 2147483647;

/** Every status a database at 0000 could hold (0000's TypeScript list, phantoms included). */
const STATUSES_AT_0000 = [
  'non_conforming', 'awaiting_approval', 'approved', 'link_sent', 'resolved', 'refused', 'link_expired', 'reissued', 'abandoned',
] as const;

const EXPECTED_FOREIGN_KEYS = [
  { table: 'inbound_messages', columns: ['ticket_id'], references: 'tickets', onDelete: 'set null' },
  { table: 'outbox', columns: ['reset_link_id'], references: 'reset_links', onDelete: 'no action' },
  { table: 'outbox', columns: ['ticket_id'], references: 'tickets', onDelete: 'cascade' },
  { table: 'reset_links', columns: ['ticket_id'], references: 'tickets', onDelete: 'cascade' },
  { table: 'ticket_events', columns: ['ticket_id'], references: 'tickets', onDelete: 'cascade' },
];

describe.each<DbKind>(['postgres', 'pglite'])('migrations on %s', (kind) => {
  const opened: { database: Database; dataDir: string }[] = [];

  /** An empty database, not migrated. */
  async function emptyDatabase(): Promise<Database> {
    const dataDir = mkdtempSync(join(tmpdir(), 'liquibot-migration-'));
    const database = await openDatabase({ url: kind === 'postgres' ? await freshDatabaseUrl('migration') : undefined, dataDir });
    opened.push({ database, dataDir });
    return database;
  }

  afterEach(async () => {
    for (const { database, dataDir } of opened.splice(0)) {
      await database.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  const q = <T = Record<string, unknown>>(database: Database, query: ReturnType<typeof sql>) => database.rows<T>(query);

  async function expectLatestSchema(database: Database): Promise<void> {
    expect(await appliedMigrations(database)).toEqual(journalEntries().map((e) => e.when));
    expect(await columnType(database, 'inbound_messages', 'uid')).toBe('bigint');
    expect(await columnType(database, 'mailbox_state', 'skip_up_to')).toBe('bigint');
    const checks = await readCheckConstraints(database);
    expect(checks.map((c) => c.name).sort()).toEqual(VOCABULARY_COLUMNS.map((v) => vocabularyCheckName(v.table, v.column)).sort());
    const keys = (await readForeignKeys(database)).map(({ name: _name, ...k }) => k);
    expect(keys).toEqual(EXPECTED_FOREIGN_KEYS);
  }

  it('migrates a fresh database to the latest, whose keys delete what a ticket owns and keep its inbound mail', async () => {
    const database = await emptyDatabase();
    await migrateDatabase(database);
    await expectLatestSchema(database);

    await q(database, sql`insert into tickets (id, ref, status, requester_email, "check") values (1, 'LJ-1', 'resolved', 'a@example.fr', '{}')`);
    await q(database, sql`insert into ticket_events (ticket_id, kind, actor) values (1, 'request_received', 'a@example.fr')`);
    await q(database, sql`insert into reset_links (id, ticket_id, token_hash, siret, liquidator_email, expires_at)
      values (1, 1, 'h1', '73282932000074', 'l@example.fr', now())`);
    await q(database, sql`insert into outbox (purpose_key, ticket_id, kind, message_id, to_address, subject, text_body, reset_link_id, template_name, template_version)
      values ('reset-link:1', 1, 'reset-link', '<m1@x>', 'l@example.fr', 's', 't', 1, 'reset-link', 'v1')`);
    const stored = await storeInbound(database.db, { mailbox: 'INBOX', uidValidity: 3n, uid: MAX_UID, sha256: 'a'.repeat(64), raw: Buffer.from('raw') });
    expect(stored.row.uid).toBe(MAX_UID);
    await q(database, sql`update inbound_messages set ticket_id = 1, status = 'processed'`);

    // A link cannot go alone while a mail carries it.
    expect(await failureOf(q(database, sql`delete from reset_links where id = 1`))).toMatchObject({ code: '23503' });
    // With its ticket, everything the ticket owns goes; the inbound message stays, unlinked.
    await q(database, sql`delete from tickets where id = 1`);
    const [left] = await q<{ events: number; links: number; mails: number; inbound: number; linked: number }>(database, sql`select
      (select count(*)::int from ticket_events) as events, (select count(*)::int from reset_links) as links,
      (select count(*)::int from outbox) as mails, (select count(*)::int from inbound_messages) as inbound,
      (select count(ticket_id)::int from inbound_messages) as linked`);
    expect(left).toEqual({ events: 0, links: 0, mails: 0, inbound: 1, linked: 0 });
  });

  it('upgrades a database at 0000 holding tickets in every state, keeping its data, to one that enforces the schema', async () => {
    const database = await emptyDatabase();
    await migrateUpTo(database, '0000_init');
    expect(await columnType(database, 'inbound_messages', 'uid')).toBe('integer');

    // Tickets 1–9, one per status 0000 allowed; 10 is a ticket with a whole approval written the old way.
    for (const [i, status] of STATUSES_AT_0000.entries()) {
      await q(database, sql`insert into tickets (id, ref, status, requester_email, "check", siret)
        values (${i + 1}, ${`LJ-${i + 1}`}, ${status}, ${`r${i + 1}@example.fr`}, '{"verdict":"x"}', '73282932000074')`);
    }
    await q(database, sql`insert into tickets (id, ref, status, requester_email, "check", decision, decided_by)
      values (10, 'LJ-10', 'resolved', 'r10@example.fr', '{}', 'approved', 'agent@example.fr')`);
    // One event of every kind on ticket 1.
    for (const k of TICKET_EVENT_KINDS) {
      await q(database, sql`insert into ticket_events (ticket_id, kind, actor, detail) values (1, ${k}, 'liquibot', ${JSON.stringify({ k })}::jsonb)`);
    }
    // The approval chain as apply-decision wrote it at 0000, through the phantom states.
    const chain = [
      ['decision', null, null], ['status_changed', 'awaiting_approval', 'approved'], ['link_issued', null, null],
      ['mail_queued', null, null], ['status_changed', 'approved', 'link_sent'], ['status_changed', 'link_sent', 'resolved'],
    ] as const;
    for (const [k, from, to] of chain) {
      await q(database, sql`insert into ticket_events (ticket_id, kind, actor, from_status, to_status) values (10, ${k}, 'agent@example.fr', ${from}, ${to})`);
    }
    await q(database, sql`insert into ticket_events (ticket_id, kind, actor, from_status, to_status) values (3, 'status_changed', 'a', 'awaiting_approval', 'approved')`);
    await q(database, sql`insert into ticket_events (ticket_id, kind, actor) values (999, 'request_received', 'ghost@example.fr')`);
    // Reset links in every status, and one of a ticket that was deleted.
    for (const [id, ticket, status] of [[1, 10, 'used'], [2, 7, 'expired'], [3, 8, 'superseded'], [4, 8, 'active'], [50, 999, 'active']] as const) {
      await q(database, sql`insert into reset_links (id, ticket_id, token_hash, siret, liquidator_email, expires_at, status)
        values (${id}, ${ticket}, ${`h${id}`}, '73282932000074', 'l@example.fr', now(), ${status})`);
    }
    const mail = (id: number, ticket: number | null, status: string, link: number | null) => sql`
      insert into outbox (id, purpose_key, ticket_id, kind, message_id, to_address, subject, text_body, reset_link_id, template_name, template_version, status, auto_submitted)
      values (${id}, ${`p${id}`}, ${ticket}, 'acknowledgment', ${`<m${id}@x>`}, 'to@example.fr', 's', 't', ${link}, 'acknowledgment', 'v1', ${status}, 'auto-replied')`;
    await q(database, mail(1, 2, 'pending', null));
    await q(database, mail(2, 2, 'sending', null));
    await q(database, mail(3, 10, 'sent', 1));
    await q(database, mail(4, null, 'failed', null));
    await q(database, mail(5, 999, 'pending', 50)); // of the deleted ticket, not sent yet
    await q(database, mail(6, 999, 'sent', null)); // of the deleted ticket, sent
    // Inbound messages: the highest UID integer holds, one linked to the deleted ticket, one quarantined.
    for (const [id, uid, ticket, status] of [[1, MAX_INT, 10, 'processed'], [2, 7, 999, 'processed'], [3, 8, null, 'quarantined']] as const) {
      await q(database, sql`insert into inbound_messages (id, mailbox, uid_validity, uid, sha256, size_bytes, raw, ticket_id, status)
        values (${id}, 'INBOX', 3, ${uid}, ${`sha${id}`}, 3, '\\x616263'::bytea, ${ticket}, ${status})`);
    }
    await q(database, sql`insert into mailbox_state (mailbox, uid_validity, skip_up_to) values ('INBOX', 3, ${MAX_INT})`);
    // The rows above were given their ids: move the sequences past them, as inserts by the code would have.
    for (const table of ['tickets', 'ticket_events', 'reset_links', 'outbox', 'inbound_messages']) {
      await q(database, sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.identifier(table)}))`);
    }

    await migrateDatabase(database);
    await expectLatestSchema(database);

    // Tickets: all kept; the phantom states became the one they led to.
    const statuses = await q<{ id: number; status: string }>(database, sql`select id, status from tickets order by id`);
    expect(statuses).toEqual([
      ...STATUSES_AT_0000.map((s, i) => ({ id: i + 1, status: s === 'approved' || s === 'link_sent' ? 'resolved' : s })),
      { id: 10, status: 'resolved' },
    ]);
    // History: every kind kept; the old approval chain folded into one transition, as the state machine writes it.
    expect((await q<{ kind: string }>(database, sql`select kind from ticket_events where ticket_id = 1 order by id`)).map((e) => e.kind)).toEqual([...TICKET_EVENT_KINDS]);
    expect(await q(database, sql`select kind, from_status, to_status from ticket_events where ticket_id = 10 order by id`)).toEqual([
      { kind: 'decision', from_status: null, to_status: null },
      { kind: 'status_changed', from_status: 'awaiting_approval', to_status: 'resolved' },
      { kind: 'link_issued', from_status: null, to_status: null },
      { kind: 'mail_queued', from_status: null, to_status: null },
    ]);
    expect(await q(database, sql`select from_status, to_status from ticket_events where ticket_id = 3`)).toEqual([{ from_status: 'awaiting_approval', to_status: 'resolved' }]);
    expect(await q(database, sql`select count(*)::int as n from ticket_events where ticket_id = 999`)).toEqual([{ n: 0 }]);
    // Links: kept, but the deleted ticket's.
    expect(await q(database, sql`select id, ticket_id, status from reset_links order by id`)).toEqual([
      { id: 1, ticket_id: 10, status: 'used' }, { id: 2, ticket_id: 7, status: 'expired' },
      { id: 3, ticket_id: 8, status: 'superseded' }, { id: 4, ticket_id: 8, status: 'active' },
    ]);
    // Mails: all kept; the deleted ticket's unlinked, and its unsent one not sent.
    expect(await q(database, sql`select id::int as id, ticket_id, reset_link_id, status from outbox order by id`)).toEqual([
      { id: 1, ticket_id: 2, reset_link_id: null, status: 'pending' },
      { id: 2, ticket_id: 2, reset_link_id: null, status: 'sending' },
      { id: 3, ticket_id: 10, reset_link_id: 1, status: 'sent' },
      { id: 4, ticket_id: null, reset_link_id: null, status: 'failed' },
      { id: 5, ticket_id: null, reset_link_id: null, status: 'failed' },
      { id: 6, ticket_id: null, reset_link_id: null, status: 'sent' },
    ]);
    expect((await q<{ last_error: string }>(database, sql`select last_error from outbox where id = 5`))[0]!.last_error).toMatch(/deleted \(migration 0001\)/);
    // Inbound messages: all kept, with their UIDs and sources; the deleted ticket's unlinked.
    expect(await q(database, sql`select id::int as id, uid::text as uid, ticket_id, status, raw is not null as has_raw from inbound_messages order by id`)).toEqual([
      { id: 1, uid: String(MAX_INT), ticket_id: 10, status: 'processed', has_raw: true },
      { id: 2, uid: '7', ticket_id: null, status: 'processed', has_raw: true },
      { id: 3, uid: '8', ticket_id: null, status: 'quarantined', has_raw: true },
    ]);

    // The schema now refuses what it used to take.
    const refused = async (statement: ReturnType<typeof sql>) => failureOf(q(database, statement));
    expect(await refused(sql`update tickets set status = 'approved' where id = 1`)).toMatchObject({ code: '23514', message: expect.stringContaining('tickets_status_check') });
    expect(await refused(sql`insert into tickets (ref, status, requester_email, "check") values ('LJ-X', 'link_sent', 'x@example.fr', '{}')`)).toMatchObject({ code: '23514' });
    expect(await refused(sql`insert into ticket_events (ticket_id, kind, actor) values (1, 'approved', 'x')`)).toMatchObject({ code: '23514', message: expect.stringContaining('ticket_events_kind_check') });
    expect(await refused(sql`insert into ticket_events (ticket_id, kind, actor, to_status) values (1, 'status_changed', 'x', 'link_sent')`)).toMatchObject({ code: '23514' });
    expect(await refused(sql`insert into ticket_events (ticket_id, kind, actor) values (999, 'checked', 'x')`)).toMatchObject({ code: '23503' });
    expect(await refused(sql`update outbox set status = 'cancelled' where id = 1`)).toMatchObject({ code: '23514' });
    expect(await refused(sql`update reset_links set status = 'revoked' where id = 4`)).toMatchObject({ code: '23514' });
    expect(await refused(sql`update inbound_messages set status = 'lost' where id = 1`)).toMatchObject({ code: '23514' });
    // …and takes the UIDs it used to refuse.
    const big = await storeInbound(database.db, { mailbox: 'INBOX', uidValidity: 3n, uid: MAX_UID, sha256: 'b'.repeat(64), raw: Buffer.from('raw') });
    expect(big).toMatchObject({ kind: 'new', row: { uid: MAX_UID } });
    await database.db.update(mailboxState).set({ skipUpTo: MAX_UID });
    expect(await database.db.select({ skipUpTo: mailboxState.skipUpTo }).from(mailboxState)).toEqual([{ skipUpTo: MAX_UID }]);

    // Migrating again changes nothing.
    await migrateDatabase(database);
    expect(await appliedMigrations(database)).toEqual(journalEntries().map((e) => e.when));
  });

  it('refuses, and changes nothing, when a database at 0000 holds a value no list knows', async () => {
    const database = await emptyDatabase();
    await migrateUpTo(database, '0000_init');
    await q(database, sql`insert into tickets (ref, status, requester_email, "check") values ('LJ-1', 'on_hold', 'r@example.fr', '{}')`);
    await expect(migrateDatabase(database)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    // One transaction: 0001 left no trace, and the row is as it was.
    expect(await appliedMigrations(database)).toEqual([journalEntries()[0]!.when]);
    expect(await columnType(database, 'inbound_messages', 'uid')).toBe('integer');
    expect(await q(database, sql`select status from tickets`)).toEqual([{ status: 'on_hold' }]);
  });
});
