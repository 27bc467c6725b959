import type { Config } from '../config';
import { openDatabase, type Database } from '../db/client';
import { lastProcessedAt, mailboxActivity, outboxHealth, quarantinedCount } from '../db/ops-queries';
import { countTicketsByStatus } from '../db/ticket-queries';
import { liveInstances } from '../db/instance-heartbeat';
import { disagreeingSettings, sharedConfigDigests } from '../config-agreement';
import { probeDaemon, type DaemonProbe } from '../http/daemon-probe';
import type { TroubleReport } from '../http/health';
import { silentLogger } from '../log';
import { sampleValue, type Sample } from '../metrics/prometheus-text';
import { parseCommandArgs, type Output } from './usage';

export const STATUS_HELP = `Usage: liquibot status [--json]

liquibot at a glance: tickets by status, outgoing mail not yet sent (and the age of the oldest),
mail that failed for good, quarantined mail, when the last mail was processed, the mailboxes the
database serves (several may share it) with the arrival of each one's newest mail, and the instances
running on it, with whether their shared settings are those of this environment (run it with the
daemon's environment to check a change before restarting). Read from the database;
when the daemon answers on HTTP_HOST:HTTP_PORT, also its health and its IMAP and SMTP connections
(with the last error while one fails: a refused login, a server not reached).
With the embedded database (no DATABASE_URL) and the daemon running, the figures come from the
daemon's /metrics, since only one process may open that database.

Exit status: 0 when all is well (the daemon answers healthy; with HTTP_PORT=off, the database answers
and no outgoing mail is older than HEALTH_MAX_OUTBOX_AGE_SECONDS), 1 otherwise (degraded included).`;

export interface StatusReport {
  at: string;
  daemon: {
    state: 'healthy' | 'degraded' | 'failing' | 'unreachable' | 'unknown'; url: string | null; reasons: string[];
    imap: string | null; imapReconnects: number | null; imapError: TroubleReport | null;
    smtp: string | null; smtpError: TroubleReport | null; note: string | null;
  };
  database: { kind: 'postgres' | 'pglite'; reachable: boolean; source: 'direct' | 'daemon'; error: string | null };
  tickets: Record<string, number> | null;
  outbox: { unsent: number; oldestUnsentSeconds: number | null; failed: number } | null;
  quarantined: number | null;
  lastProcessedAt: string | null;
  /** The mailboxes with a cursor in the database; null when read through the daemon (embedded database: one mailbox). */
  mailboxes: { mailbox: string; lastMailAt: string | null }[] | null;
  /**
   * The live instances on the database, oldest first, each with the shared settings (config-agreement)
   * on which it differs from the environment `status` runs with ([] when none; null when it publishes
   * none, an older release). null when read through the daemon.
   */
  instances: { host: string; pid: number; startedAt: string; beatAt: string; differs: string[] | null }[] | null;
  healthy: boolean;
}

/** `liquibot status [--json]`. */
export async function statusCommand(args: string[], io: Output, config: Config, now: () => Date = () => new Date()): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, false);
  if (values.help) {
    io.out(STATUS_HELP);
    return 0;
  }
  const report = await gatherStatus(config, now());
  if (values.json) io.out(JSON.stringify(report));
  else for (const line of formatStatus(report, now())) io.out(line);
  return report.healthy ? 0 : 1;
}

/** Everything `status` prints, as data. */
export async function gatherStatus(config: Config, at: Date): Promise<StatusReport> {
  const kind = config.DATABASE_URL ? 'postgres' : 'pglite';
  const probe = await probeDaemon(config);
  const report: StatusReport = {
    at: at.toISOString(),
    daemon: daemonPart(probe),
    database: { kind, reachable: false, source: 'direct', error: null },
    tickets: null, outbox: null, quarantined: null, lastProcessedAt: null, mailboxes: null, instances: null, healthy: false,
  };
  if (kind === 'pglite' && probe.kind === 'answered') {
    fromMetrics(report, probe.metrics);
  } else {
    await fromDatabase(report, config, at);
  }
  if (probe.kind === 'answered') {
    report.healthy = report.daemon.state === 'healthy';
  } else if (probe.kind === 'disabled') {
    const oldest = report.outbox?.oldestUnsentSeconds ?? null;
    report.healthy = report.database.reachable && (oldest === null || oldest <= config.HEALTH_MAX_OUTBOX_AGE_SECONDS);
  }
  return report;
}

function daemonPart(probe: DaemonProbe): StatusReport['daemon'] {
  const none = { reasons: [], imap: null, imapReconnects: null, imapError: null, smtp: null, smtpError: null };
  if (probe.kind === 'disabled') return { state: 'unknown', url: null, ...none, note: probe.why };
  if (probe.kind === 'unreachable') return { state: 'unreachable', url: probe.url, ...none, note: probe.error };
  const h = probe.health;
  return {
    state: probe.httpStatus !== 200 ? 'failing' : h.status === 'degraded' ? 'degraded' : 'healthy', url: probe.url, reasons: h.reasons ?? [],
    imap: h.imap ?? null, imapReconnects: sampleValue(probe.metrics, 'liquibot_imap_reconnects_total') ?? null, imapError: h.imapError ?? null,
    smtp: h.smtp ?? null, smtpError: h.smtpError ?? null, note: null,
  };
}

function fromMetrics(report: StatusReport, samples: Sample[]): void {
  report.database.source = 'daemon';
  report.database.reachable = sampleValue(samples, 'liquibot_database_up') === 1;
  if (!report.database.reachable) return;
  report.tickets = Object.fromEntries(samples.filter((s) => s.name === 'liquibot_tickets' && s.value > 0).map((s) => [s.labels.status ?? '?', s.value]));
  const unsent = sampleValue(samples, 'liquibot_outbox_unsent') ?? 0;
  report.outbox = {
    unsent, failed: sampleValue(samples, 'liquibot_outbox_failed') ?? 0,
    oldestUnsentSeconds: unsent > 0 ? Math.round(sampleValue(samples, 'liquibot_outbox_oldest_unsent_age_seconds') ?? 0) : null,
  };
  report.quarantined = sampleValue(samples, 'liquibot_quarantined_messages') ?? 0;
  const last = sampleValue(samples, 'liquibot_last_processed_timestamp_seconds') ?? 0;
  report.lastProcessedAt = last > 0 ? new Date(last * 1000).toISOString() : null;
}

async function fromDatabase(report: StatusReport, config: Config, at: Date): Promise<void> {
  let database: Database | null = null;
  try {
    database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, log: silentLogger });
    const [tickets, outbox, quarantined, last, mailboxes, instances] = await Promise.all([
      countTicketsByStatus(database.db), outboxHealth(database.db), quarantinedCount(database.db), lastProcessedAt(database.db), mailboxActivity(database.db),
      liveInstances(database, { staleSeconds: config.INSTANCE_STALE_SECONDS }),
    ]);
    report.database.reachable = true;
    report.tickets = tickets;
    report.outbox = {
      unsent: outbox.unsent, failed: outbox.failed,
      oldestUnsentSeconds: outbox.oldestUnsentAt ? Math.max(0, Math.round((at.getTime() - outbox.oldestUnsentAt.getTime()) / 1000)) : null,
    };
    report.quarantined = quarantined;
    report.lastProcessedAt = last?.toISOString() ?? null;
    report.mailboxes = mailboxes.map((m) => ({ mailbox: m.mailbox, lastMailAt: m.lastMailAt?.toISOString() ?? null }));
    const mine = sharedConfigDigests(config);
    report.instances = instances.map((i) => ({
      host: i.host, pid: i.pid, startedAt: i.startedAt.toISOString(), beatAt: i.beatAt.toISOString(),
      differs: i.sharedConfig ? disagreeingSettings(mine, i.sharedConfig) : null,
    }));
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    report.database.error = /relation .* does not exist/.test(message) ? 'database not migrated (liquibot migrate)' : message.split('\n')[0]!.slice(0, 200);
  } finally {
    await database?.close().catch(() => {});
  }
}

/** A duration in the largest sensible unit: 42 s, 5 min, 3 h, 2 d. */
export function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** A failing connection in one line: its state, since when, the error, the last and next attempts. */
export function formatTrouble(state: string, t: TroubleReport, now: Date): string {
  const ago = (iso: string) => formatAge(Math.max(0, (now.getTime() - Date.parse(iso)) / 1000));
  const next = t.nextAttemptAt ? `, next in ${formatAge(Math.max(0, (Date.parse(t.nextAttemptAt) - now.getTime()) / 1000))}` : '';
  return `${state.toUpperCase()} since ${t.since}: ${t.error} (${t.attempts} attempt(s), last ${t.lastAttemptAt}, ${ago(t.lastAttemptAt)} ago${next})`;
}

function formatStatus(r: StatusReport, now: Date): string[] {
  const d = r.daemon;
  const daemon = d.state === 'healthy' ? `running, healthy (${d.url})`
    : d.state === 'degraded' ? `running, DEGRADED: ${d.reasons.join(', ')} (${d.url})`
      : d.state === 'failing' ? `running, FAILING: ${d.reasons.join(', ')} (${d.url})`
        : d.state === 'unreachable' ? `not answering on ${d.url} (${d.note})` : `not asked (${d.note})`;
  const lines = [`liquibot status at ${r.at}`, `daemon      ${daemon}`];
  if (d.imap) {
    lines.push(`imap        ${d.imapError ? formatTrouble(d.imap, d.imapError, now) : d.imap}`
      + `${d.imapReconnects !== null ? ` (${d.imapReconnects} reconnection(s) since start)` : ''}`);
  }
  if (d.smtp) lines.push(`smtp        ${d.smtpError ? formatTrouble(d.smtp, d.smtpError, now) : d.smtp}`);
  const via = r.database.source === 'daemon' ? ', read through the daemon' : '';
  lines.push(`database    ${r.database.kind}, ${r.database.reachable ? 'reachable' : `UNREACHABLE${r.database.error ? `: ${r.database.error}` : ''}`}${via}`);
  if (!r.database.reachable) return lines;
  const tickets = Object.entries(r.tickets ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const total = tickets.reduce((n, [, v]) => n + v, 0);
  lines.push(`tickets     ${tickets.length ? `${tickets.map(([s, n]) => `${s} ${n}`).join(' · ')}  (${total} in all)` : 'none'}`);
  const o = r.outbox!;
  lines.push(`outbox      ${o.unsent} unsent${o.oldestUnsentSeconds !== null ? `, oldest ${formatAge(o.oldestUnsentSeconds)}` : ''} · ${o.failed} failed for good`);
  lines.push(`quarantine  ${r.quarantined} mail(s)${r.quarantined ? ': liquibot replay --list' : ''}`);
  const last = r.lastProcessedAt ? new Date(r.lastProcessedAt) : null;
  lines.push(`last mail   ${last ? `processed ${r.lastProcessedAt} (${formatAge(Math.max(0, (now.getTime() - last.getTime()) / 1000))} ago)` : 'none processed yet'}`);
  if (r.mailboxes) {
    const ago = (iso: string | null) => (iso ? `newest mail ${formatAge(Math.max(0, (now.getTime() - Date.parse(iso)) / 1000))} ago` : 'no mail yet');
    lines.push(`mailboxes   ${r.mailboxes.length ? r.mailboxes.map((m) => `${m.mailbox} (${ago(m.lastMailAt)})`).join(' · ') : 'none opened yet'}`);
  }
  if (r.instances) lines.push(`instances   ${formatInstances(r.instances, now)}`);
  return lines;
}

/** `2 live: app-1 pid 41 (up 3 h) · app-2 pid 42 (up 5 min); shared settings as in this environment`. */
function formatInstances(instances: NonNullable<StatusReport['instances']>, now: Date): string {
  if (instances.length === 0) return 'none running';
  const up = (iso: string) => formatAge(Math.max(0, (now.getTime() - Date.parse(iso)) / 1000));
  const list = instances.map((i) => `${i.host} pid ${i.pid} (up ${up(i.startedAt)})`).join(' · ');
  const differing = instances.filter((i) => i.differs && i.differs.length > 0);
  const unknown = instances.filter((i) => i.differs === null).length;
  const agreement = differing.length > 0
    ? `shared settings DIFFER from this environment: ${differing.map((i) => `${i.host} pid ${i.pid} (${i.differs!.join(', ')})`).join('; ')}`
    : unknown === instances.length ? 'shared settings not published (an older release)'
      : `shared settings as in this environment${unknown ? ` (${unknown} of an older release not compared)` : ''}`;
  return `${instances.length} live: ${list}; ${agreement}`;
}
