import { and, eq } from 'drizzle-orm';
import { findInboundById } from '../db/inbound-queries';
import { inboundMessages } from '../db/schema';
import type { PipelineDeps, ProcessResult } from './context';
import { processInbound } from './process-inbound';

/** What replaying one quarantined mail gave. */
export type ReplayOutcome =
  | { kind: 'replayed'; result: ProcessResult }
  | { kind: 'missing' }
  | { kind: 'not-quarantined'; status: string }
  /** Only the header of a mail past MAX_MESSAGE_BYTES was kept: nothing to process again. */
  | { kind: 'header-only'; sizeBytes: number };

/**
 * Processes a quarantined mail again from its stored raw source, for `liquibot replay` and the
 * console's quarantine page: back to `stored`, then through the pipeline. A mail quarantined again
 * comes back as such in the result.
 */
export async function replayQuarantined(deps: PipelineDeps, id: number): Promise<ReplayOutcome> {
  const row = await findInboundById(deps.database.db, id);
  if (!row) return { kind: 'missing' };
  if (row.status !== 'quarantined') return { kind: 'not-quarantined', status: row.status };
  if (row.errorCode === 'MAIL_TOO_LARGE' && row.raw && row.raw.length < row.sizeBytes) return { kind: 'header-only', sizeBytes: row.sizeBytes };
  // Only a row still quarantined is taken (two admins clicking at once: one replays).
  const taken = await deps.database.db.update(inboundMessages).set({ status: 'stored', errorCode: null, errorDetail: null })
    .where(and(eq(inboundMessages.id, id), eq(inboundMessages.status, 'quarantined'))).returning({ status: inboundMessages.status });
  if (taken.length === 0) return { kind: 'missing' };
  return { kind: 'replayed', result: await processInbound(deps, { ...row, status: 'stored' }) };
}
