import { AppError } from '../errors';
import type { WriteTroubleTracker } from '../intake/write-trouble';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/client';
import type { ClaimedOutboxRow } from '../db/outbox-queries';
import { errorFields, type Logger } from '../log';
import type { PurgeReport } from '../jobs/retention-purge';
import type { ConnectionsHealth } from '../http/health';
import type { ConnectionTrouble } from '../mail/retry-backoff';
import { createDatabaseMetrics } from './database-metrics';

/** What the mailbox watcher (or the leadership over it) tells the metrics; state 'standby' when another instance leads. */
export interface WatchedMailbox {
  state(): string;
  reconnects(): number;
  /** Why the last sessions failed; null when connected or on standby. */
  trouble?(): ConnectionTrouble | null;
}

/** What the SMTP sender tells the metrics and /healthz. */
export interface WatchedSmtp {
  health(): { state: string; trouble: ConnectionTrouble | null };
}

export interface DaemonMetrics {
  readonly contentType: string;
  /**
   * For OutboxWorkerOptions.onSettled: counts deliveries and times answers from arrival to sending, by the
   * arrival the claim read (no query here: this runs for every mail sent).
   */
  onOutboxSettled(row: Pick<ClaimedOutboxRow, 'kind' | 'answersArrivedAt'>, result: 'sent' | 'retry' | 'failed'): void;
  /** Report this watcher's connection state and reconnections. */
  watch(watcher: WatchedMailbox): void;
  /** Report the SMTP server's state. */
  watchSmtp(smtp: WatchedSmtp): void;
  /** Report the database refusing to store mail (src/intake/write-trouble.ts). */
  watchDatabaseWrites(tracker: Pick<WriteTroubleTracker, 'current'>): void;
  /** The mail connections as this instance sees them now, for /healthz. */
  connections(): ConnectionsHealth;
  /** Record a retention run made by this instance. */
  recordPurge(report: PurgeReport): void;
  /** Read the database (a few indexed counts) and render everything as Prometheus text. */
  render(): Promise<string>;
}

/** Arrival to answer: the automatic answers take seconds, answers after an agent's decision hours. */
const ANSWER_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];
const DATABASE_TIMEOUT_MS = 5_000;

/**
 * The daemon's Prometheus metrics. In-process values (deliveries, answer times, IMAP) live in one
 * registry; values read from the database at scrape time live in another, left out of the scrape
 * when the database does not answer (liquibot_database_up 0) rather than reported as zeros.
 */
export function createDaemonMetrics(opts: { database: Database; log: Logger; now: () => Date; defaultMetrics?: boolean }): DaemonMetrics {
  const log = opts.log.child({ component: 'metrics' });
  const local = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: local });
  const databaseUp = new Gauge({ name: 'liquibot_database_up', help: '1 when the database answered the last scrape', registers: [local] });
  const imapConnected = new Gauge({ name: 'liquibot_imap_connected', help: '1 when this instance is connected to the mailbox', registers: [local] });
  const leader = new Gauge({ name: 'liquibot_mailbox_leader', help: '1 when this instance leads the mailbox (0 on standby)', registers: [local] });
  const imapReconnects = new Counter({ name: 'liquibot_imap_reconnects_total', help: 'IMAP sessions that ended and were reopened', registers: [local] });
  const imapAuthFailed = new Gauge({
    name: 'liquibot_imap_auth_failed', help: '1 while the IMAP server refuses our login (until a login succeeds)', registers: [local],
  });
  const smtpUp = new Gauge({
    name: 'liquibot_smtp_up', help: '0 while the SMTP server is unreachable or refuses our login (last check or send), 1 otherwise', registers: [local],
  });
  const deliveries = new Counter({
    name: 'liquibot_outbox_deliveries_total', help: 'Outgoing mail attempts by result: sent, retry (4xx, deferred), failed (final)',
    labelNames: ['result'] as const, registers: [local],
  });
  const answerSeconds = new Histogram({
    name: 'liquibot_answer_seconds', help: 'Seconds from the arrival of a mail to the sending of its answer, by mail kind',
    labelNames: ['kind'] as const, buckets: ANSWER_BUCKETS, registers: [local],
  });
  const purgeRuns = new Counter({ name: 'liquibot_retention_runs_total', help: 'Retention purges run by this instance', registers: [local] });
  const purged = new Counter({
    name: 'liquibot_retention_purged_total', help: 'Rows emptied by retention: raw (inbound raw sources), outbox_body',
    labelNames: ['what'] as const, registers: [local],
  });
  const purgedBytes = new Counter({ name: 'liquibot_retention_purged_bytes_total', help: 'Bytes removed by retention', labelNames: ['what'] as const, registers: [local] });
  const purgeLast = new Gauge({ name: 'liquibot_retention_last_run_timestamp_seconds', help: 'End of the last retention purge run by this instance', registers: [local] });
  for (const result of ['sent', 'retry', 'failed']) deliveries.inc({ result }, 0);

  const fromDatabase = createDatabaseMetrics();
  let watcher: WatchedMailbox | null = null;
  let smtp: WatchedSmtp | null = null;
  let writes: Pick<WriteTroubleTracker, 'current'> | null = null;

  return {
    contentType: local.contentType,
    onOutboxSettled(row, result) {
      deliveries.inc({ result });
      const arrival = row.answersArrivedAt;
      if (result === 'sent' && arrival) answerSeconds.observe({ kind: row.kind }, Math.max(0, (opts.now().getTime() - arrival.getTime()) / 1000));
    },
    watch(w) {
      watcher = w;
    },
    watchSmtp(s) {
      smtp = s;
    },
    watchDatabaseWrites(t) {
      writes = t;
    },
    connections() {
      const smtpHealth = smtp?.health() ?? { state: 'unknown', trouble: null };
      return {
        imap: watcher?.state() ?? 'stopped', imapTrouble: watcher?.trouble?.() ?? null,
        smtp: smtpHealth.state, smtpTrouble: smtpHealth.trouble, databaseWriteTrouble: writes?.current(opts.now()) ?? null,
      };
    },
    recordPurge(report) {
      purgeRuns.inc();
      purged.inc({ what: 'raw' }, report.raw.purged);
      purged.inc({ what: 'outbox_body' }, report.outboxBodies.purged);
      purgedBytes.inc({ what: 'raw' }, report.raw.bytes);
      purgedBytes.inc({ what: 'outbox_body' }, report.outboxBodies.bytes);
      purgeLast.set(Date.now() / 1000);
    },
    async render() {
      if (watcher) {
        const state = watcher.state();
        imapConnected.set(state === 'connected' ? 1 : 0);
        leader.set(state === 'standby' ? 0 : 1);
        imapReconnects.reset();
        imapReconnects.inc(watcher.reconnects());
        imapAuthFailed.set(state === 'auth_failed' ? 1 : 0);
      }
      if (smtp) {
        const state = smtp.health().state;
        smtpUp.set(state === 'unreachable' || state === 'auth_failed' ? 0 : 1);
      }
      let databaseText = '';
      try {
        await withTimeout(fromDatabase.refresh(opts.database, opts.now()), DATABASE_TIMEOUT_MS);
        databaseUp.set(1);
        databaseText = await fromDatabase.registry.metrics();
      } catch (err) {
        databaseUp.set(0);
        log.warn(errorFields(err), 'metrics: database not readable');
      }
      return `${await local.metrics()}${databaseText}`;
    },
  };
}

/** Rejects after ms; the query itself is left to finish or fail on its own. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('DB_UNAVAILABLE', `timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
