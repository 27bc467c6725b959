import type { Config } from '../config';
import { AppError } from '../errors';
import { probeDaemon } from '../http/daemon-probe';
import type { Logger } from '../log';
import { runRetentionPurge, type PurgeReport } from '../jobs/retention-purge';
import { CLOSED_TICKET_STATUSES } from '../jobs/retention-rules';
import { openDatabaseForCommand } from './open-database';
import { parseCommandArgs, type Output } from './usage';

export const PURGE_HELP = `Usage: liquibot purge [--dry-run] [--days N] [--json]

Applies the retention rules now (the daemon also does it on PURGE_CRON):
  - a non-conforming request unchanged for N days (its requester never completed it) is closed as
    abandoned; a later mail on its thread is read as a new request;
  - the raw source of each mail handled more than N days ago is deleted, unless its ticket is still
    open (any status but ${CLOSED_TICKET_STATUSES.join(', ')}) or changed within N days, or an unsent mail
    must still attach its documents. The ticket's history keeps a retention_purged event with the
    mail's SHA-256, size and documents (name, kind, size, SHA-256). Quarantined mail not replayed
    within N days loses its source too (it can no longer be replayed);
  - the bodies of mails sent (or failed for good) more than N days ago are replaced by
    "[removed by retention]"; recipient, subject and Message-ID stay.

  --dry-run   count what would be deleted, change nothing
  --days N    keep N days instead of RETENTION_DAYS
  --json      print the report as JSON`;

/** `liquibot purge [--dry-run] [--days N] [--json]`. */
export async function purgeCommand(args: string[], io: Output, config: Config, log: Logger, now: () => Date = () => new Date()): Promise<number> {
  const { values } = parseCommandArgs(args, { 'dry-run': { type: 'boolean' }, days: { type: 'string' }, json: { type: 'boolean' } }, false);
  if (values.help) {
    io.out(PURGE_HELP);
    return 0;
  }
  const days = values.days === undefined ? config.RETENTION_DAYS : Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new AppError('USAGE', `--days must be a whole number of days, at least 1 (got "${values.days}")`);
  if (!config.DATABASE_URL) {
    const probe = await probeDaemon(config, 1_000);
    if (probe.kind === 'answered') {
      io.err('liquibot: the embedded database is open in the running daemon (one process only); stop it first, or let it purge on PURGE_CRON');
      return 1;
    }
  }
  const database = await openDatabaseForCommand(config);
  let report: PurgeReport;
  try {
    report = await runRetentionPurge({ database, log, now: now(), days, dryRun: values['dry-run'] === true });
  } finally {
    await database.close();
  }
  if (values.json) {
    io.out(JSON.stringify(report));
    return 0;
  }
  const would = report.dryRun ? 'would be ' : '';
  io.out(`retention ${report.days} days: before ${report.cutoff.toISOString()}${report.dryRun ? ' (dry run: nothing changed)' : ''}`);
  const kept = Object.entries(report.raw.kept).map(([why, n]) => `${why} ${n}`).join(', ');
  io.out(`tickets:        ${report.tickets.abandoned} non-conforming ${would}closed as abandoned`);
  io.out(`raw sources:    ${report.raw.purged} ${would}deleted, ${formatBytes(report.raw.bytes)}${kept ? `; old but kept: ${kept}` : ''}`);
  io.out(`outgoing mails: ${report.outboxBodies.purged} bodies ${would}emptied, ${formatBytes(report.outboxBodies.bytes)}`);
  return 0;
}

/** Bytes in B, kB, MB or GB (powers of 1000, one decimal). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
