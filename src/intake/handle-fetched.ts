import { AppError } from '../errors';
import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { pingDatabase } from '../db/client';
import { findInboundById, quarantineInbound, storeInbound, storeInboundStreamed } from '../db/inbound-queries';
import type { InboundMessageRow } from '../db/schema';
import { startStreamParse, type ParsedWithContents } from '../mail/parse-mail';
import { collectInto } from '../mail/byte-collector';
import type { Disposition, FetchedMessage } from '../mail/mailbox-watcher';
import { processInbound } from '../workflow/process-inbound';
import type { OutcomeKind, PipelineDeps, ProcessResult } from '../workflow/context';
import { errorFields } from '../log';
import type { WriteTroubleTracker } from './write-trouble';
import { bytesToStore, pgliteRoomShortage } from './disk-room';

/**
 * SQLSTATEs of a transaction worth trying again: serialization failure, deadlock, lock not available,
 * query cancelled, the server shutting down or restarting (57P01–57P03), an I/O error (58030).
 */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03', '58030']);
/** Errors of a lost connection (SQLSTATE class 08, or the driver's own codes): the database's fault, not the mail's. */
const CONNECTION_LOST = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'ECONNREFUSED', 'ECONNRESET']);
/**
 * Also class 53, insufficient resources: a full disk (53100: the server answers reads and refuses writes,
 * so a ping passes), out of memory, too many connections. Quarantining the mail then would flag it done
 * on IMAP and never answer it.
 */
export const isTransientDatabaseError = (code: string) =>
  TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || code.startsWith('53') || CONNECTION_LOST.has(code);

/** Where a handled message goes on the server, by what it turned out to be. */
export function folderFor(kind: OutcomeKind, config: Pick<Config, 'PROCESSED_FOLDER' | 'UNRELATED_FOLDER' | 'QUARANTINE_FOLDER'>): string | null {
  switch (kind) {
    case 'unrelated':
      return config.UNRELATED_FOLDER ?? null;
    case 'quarantined':
      return config.QUARANTINE_FOLDER ?? null;
    case 'ticket':
    case 'ignored':
    case 'already-processed':
      return config.PROCESSED_FOLDER ?? null;
  }
}

/**
 * The watcher's handler: store the raw message first (idempotent), then process it, then tell the
 * watcher where the message goes. Only a broken database makes it throw (the message is then retried);
 * a bug met while processing one mail quarantines that mail instead of retrying it forever.
 */
export function createFetchedMessageHandler(
  deps: PipelineDeps & { onProcessed?: (r: ProcessResult & { inboundId: number }) => void; writeTrouble?: WriteTroubleTracker },
): (msg: FetchedMessage) => Promise<Disposition> {
  const handle = handleOne(deps);
  if (!deps.writeTrouble) return handle;
  const trouble = deps.writeTrouble;
  return async (msg) => {
    try {
      const disposition = await handle(msg);
      trouble.succeeded();
      return disposition;
    } catch (err) {
      trouble.failed(errorFields(err), deps.now());
      throw err;
    }
  };
}

function handleOne(
  deps: PipelineDeps & { onProcessed?: (r: ProcessResult & { inboundId: number }) => void },
): (msg: FetchedMessage) => Promise<Disposition> {
  return async (msg) => {
    const { row: storedRow, parse } = await store(deps, msg);
    let result: ProcessResult;
    try {
      result = await processInbound(deps, storedRow, parse);
    } catch (err) {
      // A broken database, or a transaction PostgreSQL gave up on (deadlock, serialization, lock timeout):
      // not the mail's fault, so it is left for the next pass instead of being quarantined.
      if (isTransientDatabaseError(errorFields(err).code ?? '') || !(await pingDatabase(deps.database))) throw err;
      deps.log.error({ inboundId: storedRow.id, ...errorFields(err) }, 'processing failed, message quarantined');
      await quarantineInbound(deps.database.db, storedRow.id, {
        code: 'PROCESSING_FAILED', detail: errorFields(err).err, now: deps.now(),
      });
      result = { kind: 'quarantined', outcome: 'quarantined', ticketRef: null, mailsQueued: 0 };
    }
    deps.onProcessed?.({ ...result, inboundId: storedRow.id });
    return { moveTo: folderFor(result.kind, deps.config) };
  };
}

/**
 * Stores the message; a large one (with `download`) is stored and parsed in one streamed pass, and its
 * parse is handed on with it. Such a message whose UID or bytes are already known (a restart after its
 * store, a header-only quarantine, the same bytes under another UID) is fetched whole and stored as
 * any other: those rare cases keep storeInbound's one set of rules.
 */
async function store(deps: PipelineDeps, msg: FetchedMessage): Promise<{ row: InboundMessageRow; parse?: Promise<ParsedWithContents> }> {
  if (deps.database.kind === 'pglite') {
    const short = pgliteRoomShortage(deps.config.DATA_DIR, bytesToStore(msg));
    if (short) {
      const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
      throw new AppError('DISK_FULL', `${mib(short.availableBytes)} free under DATA_DIR, ${mib(short.neededBytes)} needed to store this message safely`);
    }
  }
  let raw = msg.raw;
  if (msg.download) {
    const download = msg.download;
    let storedId: number | null = null;
    // The whole source is read back from the database only if the charset fallback needs it.
    const parser = startStreamParse(msg.sizeBytes, async () => (storedId === null ? null : (await findInboundById(deps.database.db, storedId))?.raw ?? null));
    const streamed = await storeInboundStreamed(
      deps.database.db, { mailbox: msg.mailbox, uidValidity: msg.uidValidity, uid: msg.uid, sizeBytes: msg.sizeBytes }, download, (piece) => parser.write(piece),
    );
    if (streamed.kind === 'new') {
      storedId = streamed.row.id;
      const parse = parser.end();
      parse.catch(() => {}); // awaited by processInbound; a parse failure is its to report
      return { row: streamed.row, parse };
    }
    const content = await download();
    if (!content) throw new AppError('IMAP_FAILED', 'message vanished before fetch');
    raw = await collectInto(content, msg.sizeBytes);
  }
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const stored = await storeInbound(deps.database.db, {
    mailbox: msg.mailbox, uidValidity: msg.uidValidity, uid: msg.uid, sha256, raw, sizeBytes: msg.sizeBytes, headerOnly: msg.headerOnly,
  });
  return { row: stored.row };
}
