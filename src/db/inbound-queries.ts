import { AppError } from '../errors';
import { and, eq, getTableColumns, inArray, isNotNull, sql, type Placeholder } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { rowsOf, type Db, type Tx } from './client';
import { rawStatement, runShape, sendsBytesAsIs, slot } from './statement-shapes';
import { inboundMessages, type InboundMessageRow, type NewTicketEvent } from './schema';

export interface StoreInboundInput {
  mailbox: string;
  uidValidity: bigint;
  uid: number;
  sha256: string;
  raw: Buffer;
  /** The message's size when `raw` holds only its header; default raw.length. */
  sizeBytes?: number;
  headerOnly?: boolean;
}

export type StoreInboundResult =
  | { kind: 'new'; row: InboundMessageRow }
  /** Seen before (same UID, or the same bytes under another UID/UIDVALIDITY): carry on from its status. */
  | { kind: 'seen'; row: InboundMessageRow };

/**
 * A raw source as a statement parameter. On PostgreSQL it goes in binary, its bytes as they are: the
 * patched postgres.js sends a Buffer for a bytea parameter so (patches/README.md); unpatched, as every
 * driver does, it went as `'\\x'` + hex, twice its size. On PGlite, whose hex is built byte by byte, as
 * base64 (4/3 of the bytes) decoded by the server. Measured with postgres.js on a 206 KB source: hex
 * 1.54 ms of client CPU an insert, base64 1.18 ms; binary in docs/benchmarks.md (seventh round).
 */
const fromBase64 = (text: string | Placeholder) => sql<Buffer>`decode(${text}, 'base64')`;
const rawParam = (db: Db | Tx, raw: Buffer) => (sendsBytesAsIs(db) ? sql<Buffer>`${raw}` : fromBase64(raw.toString('base64')));

/**
 * Sources above this size are written in pieces of it (an insert, then appends): a 55 MB mail would
 * otherwise exist more times in memory while it is sent (the driver's buffer of the statement, and on
 * PGlite its base64 string: about +150 MB when every source went as base64). PostgreSQL copies the
 * growing value on each append, which costs a fraction of a second for such a mail and nothing for the
 * usual ones, which fit in one piece.
 */
export const RAW_PIECE_BYTES = 4 * 1024 * 1024;

async function appendRaw(tx: Tx, id: number, raw: Buffer, from: number): Promise<void> {
  for (let at = from; at < raw.length; at += RAW_PIECE_BYTES) {
    await tx
      .update(inboundMessages)
      .set({ raw: sql`${inboundMessages.raw} || ${rawParam(tx, raw.subarray(at, at + RAW_PIECE_BYTES))}` })
      .where(eq(inboundMessages.id, id));
  }
}

/**
 * Store the raw message once. Idempotent on (mailbox, uidValidity, uid) and on the content hash,
 * so a crash and a second pass, or a UIDVALIDITY reset, never make a second row.
 */
export async function storeInbound(db: Db, input: StoreInboundInput): Promise<StoreInboundResult> {
  // The raw source is never read back: the caller has it (a large mail would otherwise cross the wire
  // three times, as hex, and sit in memory twice).
  const { raw: _raw, ...columns } = getTableColumns(inboundMessages);
  // Built once per driver (statement-shapes), the source as rawParam sends it: its bytes, or base64.
  const insert = (q: Db | Tx, raw: Buffer) => runShape<Omit<InboundMessageRow, 'raw'>[]>(q, 'storeInbound', () => q
    .insert(inboundMessages)
    .values({
      mailbox: slot('mailbox'), uidValidity: slot('uidValidity'), uid: slot('uid'), sha256: slot('sha256'), sizeBytes: slot('sizeBytes'),
      raw: sendsBytesAsIs(q) ? slot('raw') : fromBase64(slot('raw')),
    } as unknown as typeof inboundMessages.$inferInsert)
    .onConflictDoNothing()
    .returning(columns), {
    mailbox: input.mailbox, uidValidity: input.uidValidity, uid: input.uid, sha256: input.sha256,
    sizeBytes: input.sizeBytes ?? input.raw.length, raw: sendsBytesAsIs(q) ? raw : raw.toString('base64'),
  });
  // A large source goes in pieces, in one transaction (a crash never leaves a truncated source behind).
  const inserted = input.raw.length <= RAW_PIECE_BYTES
    ? await insert(db, input.raw)
    : await db.transaction(async (tx) => {
        const rows = await insert(tx, input.raw.subarray(0, RAW_PIECE_BYTES));
        if (rows[0]) await appendRaw(tx, rows[0].id, input.raw, RAW_PIECE_BYTES);
        return rows;
      });
  if (inserted[0]) return { kind: 'new', row: { ...inserted[0], raw: input.raw } };
  const [existing] = await db
    .select({ ...columns, rawLength: sql<number | null>`length(${inboundMessages.raw})` })
    .from(inboundMessages)
    .where(
      sql`${inboundMessages.sha256} = ${input.sha256} or (${inboundMessages.mailbox} = ${input.mailbox} and ${inboundMessages.uidValidity} = ${input.uidValidity} and ${inboundMessages.uid} = ${input.uid})`,
    )
    .limit(1);
  if (!existing) throw new AppError('INTERNAL', 'inbound message neither inserted nor found');
  const { rawLength, ...row } = existing;
  // Quarantined as too large with only its header kept, now fetched whole (the limit was raised and the
  // message unflagged): keep the full source and process it.
  if (row.status === 'quarantined' && row.errorCode === 'MAIL_TOO_LARGE' && !input.headerOnly && input.raw.length > Number(rawLength ?? 0)) {
    const [upgraded] = await db.transaction(async (tx) => {
      const rows = await tx
        .update(inboundMessages)
        .set({ raw: rawParam(tx, input.raw.subarray(0, RAW_PIECE_BYTES)), sha256: input.sha256, sizeBytes: input.raw.length, status: 'stored', outcome: null, errorCode: null, errorDetail: null })
        .where(eq(inboundMessages.id, row.id))
        .returning(columns);
      await appendRaw(tx, row.id, input.raw, RAW_PIECE_BYTES);
      return rows;
    });
    return { kind: 'seen', row: { ...upgraded!, raw: input.raw } };
  }
  // Same UID in the same UIDVALIDITY, or the same bytes: the stored source is the one we hold, unless
  // only its header was fetched this time; then the stored one is read (to process it, if still pending).
  if (rawLength === null) return { kind: 'seen', row: { ...row, raw: null } };
  if (!input.headerOnly || row.status !== 'stored') return { kind: 'seen', row: { ...row, raw: input.headerOnly ? null : input.raw } };
  const [stored] = await db.select({ raw: inboundMessages.raw }).from(inboundMessages).where(eq(inboundMessages.id, row.id));
  return { kind: 'seen', row: { ...row, raw: stored?.raw ?? null } };
}

export interface StoreStreamedInput {
  mailbox: string;
  uidValidity: bigint;
  uid: number;
  /** RFC822.SIZE: how many bytes the source is announced to be. */
  sizeBytes: number;
}

export type StoreStreamedResult =
  | { kind: 'new'; row: InboundMessageRow }
  /**
   * Not stored this way: the UID is stored already (a crash after the commit, a header-only quarantine),
   * or its bytes are, under another UID. The caller stores it as any other message (storeInbound),
   * which knows each of these cases.
   */
  | { kind: 'known' };

/** Thrown inside the transaction to roll it back when the bytes turn out to be stored under another UID. */
class SameBytesStored extends Error {}

/**
 * Pieces of a streamed source: smaller than RAW_PIECE_BYTES, since the client holds each one a few times
 * over while sending it. Measured on the 40 MiB case when every piece crossed as base64 (peak RSS, three
 * runs each): 4 MiB pieces 195–208 MB, 2 MiB 175–182 MB, 1 MiB (with 1 MiB FETCH
 * pieces) 168–171 MB; the time to the answer is the same (2.1–2.3 s).
 */
export const STREAMED_PIECE_BYTES = 1024 * 1024;

/**
 * Store a source that arrives in pieces without ever holding it whole, in one transaction (a crash or
 * a broken download leaves nothing behind): the pieces go to a temporary table as they come, and the
 * row is inserted at the end with their concatenation, made by the server, and the SHA-256 known by
 * then. (Appending each piece to the row instead makes the server copy the growing value every time:
 * quadratic, 2.5 s for a 55 MB mail.) `tap` sees each piece as it goes by (the parse runs on the same
 * pass). The source is opened only once the UID is known to be new.
 * @throws when the download fails or comes back empty (the message is then retried on the next pass).
 */
export async function storeInboundStreamed(
  db: Db,
  input: StoreStreamedInput,
  open: () => Promise<AsyncIterable<Buffer> | null>,
  tap: (piece: Buffer) => Promise<void>,
): Promise<StoreStreamedResult> {
  const { raw: _raw, ...columns } = getTableColumns(inboundMessages);
  const [known] = await db
    .select({ id: inboundMessages.id })
    .from(inboundMessages)
    .where(and(eq(inboundMessages.mailbox, input.mailbox), eq(inboundMessages.uidValidity, input.uidValidity), eq(inboundMessages.uid, input.uid)));
  if (known) return { kind: 'known' };
  const source = await open();
  if (!source) throw new AppError('IMAP_FAILED', 'message vanished before fetch');
  try {
    return await db.transaction(async (tx) => {
      // The staging table is TEMPORARY, made here at run time: the one table not in drizzle/, on purpose.
      // It holds the pieces of one transaction, never data. Each session has its own, so instances and
      // connections never see each other's pieces (no upload id, no cleanup code); a rollback takes back
      // what it inserted, and the session's end (a crash included) drops it. `on commit delete rows`
      // truncates it at each commit, where a shared UNLOGGED table would keep every streamed byte as dead
      // TOAST rows until autovacuum, through shared buffers. Measured on PostgreSQL 15, 20 × 4 MiB and
      // 4 × 40 MiB streamed twice each: the same time per mail (4 MiB 63–67 ms both; 40 MiB 704–871 ms
      // temporary, 832–1080 ms unlogged), and the unlogged table grew to 499 MB for 480 MB streamed, the
      // temporary one stayed at 32 kB. The cost: the TEMPORARY privilege on the database (PUBLIC has it by
      // default), and one `create … if not exists` per streamed mail (a catalog lookup after the first).
      await tx.execute(sql`create temporary table if not exists liquibot_raw_pieces (seq integer primary key, bytes bytea not null) on commit delete rows`);
      const hash = createHash('sha256');
      const pending = Buffer.allocUnsafe(STREAMED_PIECE_BYTES);
      let pendingLength = 0;
      let total = 0;
      let seq = 0;
      const flush = async () => {
        await tx.execute(sql`insert into liquibot_raw_pieces (seq, bytes) values (${seq}, ${rawParam(tx, pending.subarray(0, pendingLength))})`);
        seq += 1;
        pendingLength = 0;
      };
      for await (const chunk of source) {
        hash.update(chunk);
        total += chunk.length;
        await tap(chunk);
        for (let at = 0; at < chunk.length;) {
          const n = Math.min(chunk.length - at, STREAMED_PIECE_BYTES - pendingLength);
          chunk.copy(pending, pendingLength, at, at + n);
          pendingLength += n;
          at += n;
          if (pendingLength === STREAMED_PIECE_BYTES) await flush();
        }
      }
      if (total === 0) throw new AppError('IMAP_FAILED', 'message vanished before fetch');
      if (pendingLength > 0) await flush();
      const sha256 = hash.digest('hex');
      const [row] = await tx
        .insert(inboundMessages)
        .values({
          mailbox: input.mailbox, uidValidity: input.uidValidity, uid: input.uid, sha256, sizeBytes: total,
          raw: sql`(select string_agg(bytes, ''::bytea order by seq) from liquibot_raw_pieces)`,
        })
        .onConflictDoNothing()
        .returning(columns);
      // The UID stored meanwhile, or the same bytes under another UID: roll back, leave it to storeInbound.
      if (!row) throw new SameBytesStored();
      return { kind: 'new' as const, row: { ...row, raw: null } };
    });
  } catch (err) {
    if (err instanceof SameBytesStored) return { kind: 'known' };
    throw err;
  }
}

/**
 * Record the result of processing, inside the ticket's transaction, if the row is still waiting for it,
 * with the step's history lines (deferEvents) in the same statement: they are written only if the row
 * is. False when it was processed (or quarantined) by someone else: the caller rolls its step back.
 */
export async function markInboundProcessed(
  tx: Tx,
  id: number,
  result: { outcome: string; ticketId: number | null; messageId: string | null; now: Date },
  events: readonly NewTicketEvent[] = [],
): Promise<boolean> {
  if (events.length === 0) {
    const rows = await tx
      .update(inboundMessages)
      .set({ status: 'processed', outcome: result.outcome, ticketId: result.ticketId, messageId: result.messageId, processedAt: result.now })
      .where(and(eq(inboundMessages.id, id), eq(inboundMessages.status, 'stored')))
      .returning({ id: inboundMessages.id });
    return rows.length > 0;
  }
  // Built once per number of history lines (statement-shapes); a step writes a handful.
  const values: Record<string, unknown> = {
    outcome: result.outcome, ticketId: result.ticketId, messageId: result.messageId, now: result.now.toISOString(), id,
  };
  events.forEach((e, i) => Object.assign(values, {
    [`t${i}`]: e.ticketId, [`at${i}`]: (e.at ?? result.now).toISOString(), [`k${i}`]: e.kind, [`a${i}`]: e.actor,
    [`f${i}`]: e.fromStatus ?? null, [`s${i}`]: e.toStatus ?? null, [`d${i}`]: JSON.stringify(e.detail ?? {}),
  }));
  const build = () => {
    const rows = sql.join(events.map((_, i) => sql`(${slot(`t${i}`)}::integer, ${slot(`at${i}`)}::timestamptz, ${slot(`k${i}`)}::text, ${slot(`a${i}`)}::text,
      ${slot(`f${i}`)}::text, ${slot(`s${i}`)}::text, ${slot(`d${i}`)}::jsonb)`), sql`, `);
    // A data-modifying WITH runs whatever the outer statement reads; the history goes in only where the row was marked.
    return rawStatement(tx, sql`
      with marked as (update inbound_messages set status = 'processed', outcome = ${slot('outcome')}::text, ticket_id = ${slot('ticketId')}::integer,
          message_id = ${slot('messageId')}::text, processed_at = ${slot('now')}::timestamptz
        where id = ${slot('id')}::bigint and status = 'stored' returning id),
      written as (insert into ticket_events (ticket_id, at, kind, actor, from_status, to_status, detail)
        select v.* from (values ${rows}) as v(ticket_id, at, kind, actor, from_status, to_status, detail) where exists (select 1 from marked))
      select count(*)::int as marked from marked`);
  };
  const [row] = rowsOf<{ marked: number }>(await runShape(tx, `markInboundProcessed:${events.length}`, build, values));
  return Number(row?.marked ?? 0) > 0;
}

/** Keep a message that could not be handled, with its raw source and the reason, for replay. */
export async function quarantineInbound(
  db: Db | Tx,
  id: number,
  error: { code: string; detail: string; now: Date },
): Promise<void> {
  await db
    .update(inboundMessages)
    .set({ status: 'quarantined', outcome: 'quarantined', errorCode: error.code, errorDetail: error.detail.slice(0, 2000), processedAt: error.now })
    .where(eq(inboundMessages.id, id));
}

export async function findInboundById(db: Db, id: number): Promise<InboundMessageRow | null> {
  const [row] = await db.select().from(inboundMessages).where(eq(inboundMessages.id, id));
  return row ?? null;
}

export async function listQuarantined(db: Db): Promise<Omit<InboundMessageRow, 'raw'>[]> {
  return db
    .select({
      id: inboundMessages.id, mailbox: inboundMessages.mailbox, uidValidity: inboundMessages.uidValidity,
      uid: inboundMessages.uid, sha256: inboundMessages.sha256, sizeBytes: inboundMessages.sizeBytes,
      messageId: inboundMessages.messageId, status: inboundMessages.status, outcome: inboundMessages.outcome,
      errorCode: inboundMessages.errorCode, errorDetail: inboundMessages.errorDetail, ticketId: inboundMessages.ticketId,
      receivedAt: inboundMessages.receivedAt, processedAt: inboundMessages.processedAt,
    })
    .from(inboundMessages)
    .where(eq(inboundMessages.status, 'quarantined'))
    .orderBy(inboundMessages.id);
}

/** Ticket ids that inbound messages with these Message-IDs belong to. */
export async function ticketIdsOfInboundMessageIds(db: Db | Tx, messageIds: string[]): Promise<number[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .select({ ticketId: inboundMessages.ticketId })
    .from(inboundMessages)
    .where(and(inArray(inboundMessages.messageId, messageIds), isNotNull(inboundMessages.ticketId)));
  return rows.map((r) => r.ticketId!).filter((v) => v !== null);
}

/** Inbound messages of a ticket, without their raw source. */
export async function inboundOfTicket(db: Db, ticketId: number) {
  return db
    .select({
      id: inboundMessages.id, messageId: inboundMessages.messageId, outcome: inboundMessages.outcome,
      sizeBytes: inboundMessages.sizeBytes, receivedAt: inboundMessages.receivedAt, status: inboundMessages.status,
    })
    .from(inboundMessages)
    .where(eq(inboundMessages.ticketId, ticketId))
    .orderBy(inboundMessages.id);
}
