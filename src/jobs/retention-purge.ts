import type { Database } from '../db/client';
import {
  clearOutboxBodies, lockStaleTickets, clearRawSources, countStaleTickets, lockRawRetentionCandidates, outboxBodyCandidates,
  PURGED_BODY, rawRetentionCandidates, ticketChecks,
} from '../db/ops-queries';
import { insertEvents } from '../db/ticket-queries';
import type { Logger } from '../log';
import { applyRecordDecision } from '../workflow/apply-decision';
import { decideAbandon } from '../workflow/decide-lifecycle';
import {
  documentsFromMessage, outboxBodyRetentionDecision, rawRetentionDecision, retentionCutoff, type RawKeepReason,
} from './retention-rules';

export interface PurgeOptions {
  database: Database;
  log: Logger;
  now: Date;
  days: number;
  /** Count what would go, change nothing. */
  dryRun: boolean;
  /** Rows per transaction. */
  batchSize?: number;
  /** Log progress every this many rows examined. */
  progressEvery?: number;
}

export interface PurgeReport {
  dryRun: boolean;
  days: number;
  cutoff: Date;
  /** Non-conforming tickets unchanged for N days, closed as `abandoned` (first, so their mails go too). */
  tickets: { abandoned: number };
  raw: { purged: number; bytes: number; kept: Partial<Record<RawKeepReason, number>> };
  outboxBodies: { purged: number; bytes: number };
  ms: number;
}

/**
 * Apply the retention rules (retention-rules.ts): close the non-conforming tickets nobody completed
 * for N days (`abandoned`, with a `status_changed` event); remove old raw sources, recording on each
 * ticket a `retention_purged` event with the message's SHA-256, size and documents; then replace the
 * bodies of old outgoing mails. Idempotent and safe to run concurrently: rows are re-checked and locked
 * (SKIP LOCKED) inside each batch's transaction.
 */
export async function runRetentionPurge(opts: PurgeOptions): Promise<PurgeReport> {
  const started = Date.now();
  const cutoff = retentionCutoff(opts.now, opts.days);
  const batchSize = opts.batchSize ?? 200;
  const progressEvery = opts.progressEvery ?? 5000;
  const log = opts.log.child({ job: 'retention', dryRun: opts.dryRun });
  const report: PurgeReport = {
    dryRun: opts.dryRun, days: opts.days, cutoff, tickets: { abandoned: 0 }, raw: { purged: 0, bytes: 0, kept: {} }, outboxBodies: { purged: 0, bytes: 0 }, ms: 0,
  };
  log.info({ days: opts.days, cutoff: cutoff.toISOString() }, 'retention purge started');

  if (opts.dryRun) {
    report.tickets.abandoned = await countStaleTickets(opts.database.db, cutoff);
  } else {
    for (;;) {
      const closed = await opts.database.db.transaction(async (tx) => {
        const stale = await lockStaleTickets(tx, cutoff, batchSize);
        for (const ticket of stale) await applyRecordDecision(tx, ticket, decideAbandon(ticket, opts.days), opts.now);
        return stale.length;
      });
      report.tickets.abandoned += closed;
      if (closed < batchSize) break;
    }
  }

  let examined = 0;
  let nextProgress = progressEvery;
  const progress = (phase: string) => {
    if (examined >= nextProgress) {
      nextProgress += progressEvery;
      log.info({ phase, examined, rawPurged: report.raw.purged, outboxPurged: report.outboxBodies.purged }, 'retention purge progress');
    }
  };

  for (let afterId = 0; ;) {
    const page = await rawRetentionCandidates(opts.database.db, { cutoff, afterId, limit: batchSize });
    if (page.length === 0) break;
    afterId = page.at(-1)!.id;
    examined += page.length;
    const chosen = page.filter((c) => {
      const d = rawRetentionDecision(c, cutoff);
      if (!d.purge) report.raw.kept[d.keep] = (report.raw.kept[d.keep] ?? 0) + 1;
      return d.purge;
    });
    if (opts.dryRun) {
      report.raw.purged += chosen.length;
      report.raw.bytes += chosen.reduce((sum, c) => sum + c.sizeBytes, 0);
    } else if (chosen.length > 0) {
      const done = await purgeRawBatch(opts.database, chosen.map((c) => c.id), cutoff, opts.now, opts.days);
      report.raw.purged += done.count;
      report.raw.bytes += done.bytes;
    }
    progress('raw');
  }

  for (let afterId = 0; ;) {
    const page = await outboxBodyCandidates(opts.database.db, { cutoff, afterId, limit: batchSize });
    if (page.length === 0) break;
    afterId = page.at(-1)!.id;
    examined += page.length;
    const chosen = page.filter((c) => outboxBodyRetentionDecision(c, cutoff).purge);
    if (opts.dryRun) {
      report.outboxBodies.purged += chosen.length;
      report.outboxBodies.bytes += chosen.reduce((sum, c) => sum + Math.max(0, c.bytes - PURGED_BODY.length), 0);
    } else {
      const changed = await clearOutboxBodies(opts.database.db, chosen.map((c) => c.id), cutoff);
      report.outboxBodies.purged += changed.length;
      report.outboxBodies.bytes += changed.reduce((sum, c) => sum + Math.max(0, c.bytes - PURGED_BODY.length), 0);
    }
    progress('outbox');
  }

  report.ms = Date.now() - started;
  log.info({
    ticketsAbandoned: report.tickets.abandoned, rawPurged: report.raw.purged, rawBytes: report.raw.bytes, rawKept: report.raw.kept,
    outboxPurged: report.outboxBodies.purged, outboxBytes: report.outboxBodies.bytes, ms: report.ms,
  }, 'retention purge finished');
  return report;
}

/** One transaction: lock and re-check the rows, drop their raw source, write the tickets' history. */
async function purgeRawBatch(
  database: Database, ids: number[], cutoff: Date, now: Date, days: number,
): Promise<{ count: number; bytes: number }> {
  return database.db.transaction(async (tx) => {
    const locked = (await lockRawRetentionCandidates(tx, ids)).filter((c) => rawRetentionDecision(c, cutoff).purge);
    if (locked.length === 0) return { count: 0, bytes: 0 };
    await clearRawSources(tx, locked.map((c) => c.id));
    const withTicket = locked.filter((c) => c.ticketId !== null);
    const checks = await ticketChecks(tx, [...new Set(withTicket.map((c) => c.ticketId!))]);
    await insertEvents(tx, withTicket.map((c) => ({
      ticketId: c.ticketId!,
      at: now,
      kind: 'retention_purged',
      actor: 'liquibot',
      detail: {
        inboundMessageId: c.id, sha256: c.sha256, sizeBytes: c.sizeBytes, retentionDays: days,
        documents: documentsFromMessage(checks.get(c.ticketId!), c.id),
      },
    })));
    return { count: locked.length, bytes: locked.reduce((sum, c) => sum + c.sizeBytes, 0) };
  });
}
