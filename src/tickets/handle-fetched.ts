import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { pingDatabase } from '../db/client';
import { quarantineInbound, storeInbound } from '../db/inbound-queries';
import type { Disposition, FetchedMessage } from '../mail/mailbox-watcher';
import { processInbound, type PipelineDeps, type ProcessResult } from './process-inbound';
import { errorFields } from '../log';

/** SQLSTATEs of a transaction worth trying again: serialization failure, deadlock, lock not available, query cancelled. */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014']);

/** Where a handled message goes on the server, by what it turned out to be. */
export function folderFor(outcome: string, config: Pick<Config, 'PROCESSED_FOLDER' | 'UNRELATED_FOLDER' | 'QUARANTINE_FOLDER'>): string | null {
  if (outcome.startsWith('unrelated')) return config.UNRELATED_FOLDER ?? null;
  if (outcome === 'quarantined') return config.QUARANTINE_FOLDER ?? null;
  return config.PROCESSED_FOLDER ?? null;
}

/**
 * The watcher's handler: store the raw message first (idempotent), then process it, then tell the
 * watcher where the message goes. Only a broken database makes it throw (the message is then retried);
 * a bug met while processing one mail quarantines that mail instead of retrying it forever.
 */
export function createFetchedMessageHandler(
  deps: PipelineDeps & { onProcessed?: (r: ProcessResult & { inboundId: number }) => void },
): (msg: FetchedMessage) => Promise<Disposition> {
  return async (msg) => {
    const sha256 = createHash('sha256').update(msg.raw).digest('hex');
    const stored = await storeInbound(deps.database.db, {
      mailbox: msg.mailbox, uidValidity: msg.uidValidity, uid: msg.uid, sha256, raw: msg.raw, sizeBytes: msg.sizeBytes, headerOnly: msg.headerOnly,
    });
    let result: ProcessResult;
    try {
      result = await processInbound(deps, stored.row);
    } catch (err) {
      // A broken database, or a transaction PostgreSQL gave up on (deadlock, serialization, lock timeout):
      // not the mail's fault, so it is left for the next pass instead of being quarantined.
      if (TRANSIENT_SQLSTATES.has(errorFields(err).code ?? '') || !(await pingDatabase(deps.database))) throw err;
      deps.log.error({ inboundId: stored.row.id, ...errorFields(err) }, 'processing failed, message quarantined');
      await quarantineInbound(deps.database.db, stored.row.id, {
        code: 'PROCESSING_FAILED', detail: errorFields(err).err, now: deps.now(),
      });
      result = { outcome: 'quarantined', ticketRef: null, mailsQueued: 0 };
    }
    deps.onProcessed?.({ ...result, inboundId: stored.row.id });
    return { moveTo: folderFor(result.outcome, deps.config) };
  };
}
