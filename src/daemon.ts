import cron from 'node-cron';
import type { Config } from './config';
import { migrateDatabase, openDatabase, type Database } from './db/client';
import { openMailboxCursor } from './db/mailbox-state-queries';
import type { Logger } from './log';
import { errorFields, safeUrl } from './log';
import { createMailboxWatcher, type MailboxWatcher } from './mail/mailbox-watcher';
import { createMailboxLeadership, type MailboxLeadership } from './mail/mailbox-leadership';
import { mailboxIdentity, mailboxLeaderLockKey } from './mail/mailbox-identity';
import { backlogProgress } from './mail/backlog-progress';
import { senderKey } from './mail/sender-key';
import { createOutboxWorker, type OutboxWorker } from './mail/outbox-worker';
import { createSmtpSender, SMTP_POOL_SIZE } from './mail/smtp-transport';
import { createFetchedMessageHandler } from './intake/handle-fetched';
import { createWriteTroubleTracker } from './intake/write-trouble';
import type { ProcessResult } from './workflow/context';
import { openTemplateStore } from './templates/open-store';
import { startTemplateVersionSync } from './templates/db-versions';
import { formatIssue, strayTemplateFiles } from './templates/check';
import { rejectionMailVars } from './templates/rejection-mail';
import type { TemplateRejection } from './templates/store';
import { AppError } from './errors';
import { enqueueMail } from './db/outbox-queries';
import { outboxRowFor } from './outbox/outgoing-mail';
import { createDaemonMetrics, type DaemonMetrics } from './metrics/daemon-metrics';
import { startOperations, type Operations } from './jobs/operations';
import { createPipelineDeps } from './workflow/deps';
import { createDocumentReader } from './documents/read-document';
import { createDocumentReadingQueue } from './workflow/read-documents';
import { startConsole } from './console/start-console';
import { loadOutboxAttachments } from './mail/outbox-attachments';
import { loadDkimVerifier } from './approval/dkim-check';
import { createDocumentCache } from './mail/document-cache';
import { reportDeliveryFailure } from './mail/report-delivery-failure';
import { createRouteTable } from './http/route-table';
import { resetLinkVerifyRoute } from './reset/verify-route';
import { scheduleApprovalJobs } from './jobs/approval-jobs';
import type { ResetLinkProvider } from './reset/link-provider';
import type { DkimResolver } from './approval/dkim-check';
import { disagreeingInstances, newInstanceIdentity, startInstanceHeartbeat, type InstanceHeartbeat, type InstanceIdentity } from './db/instance-heartbeat';
import { describeDisagreements, sharedConfigDigests } from './config-agreement';
import { databaseSlotGuard, type SlotGuard } from './jobs/job-slots';

export interface DaemonOptions {
  config: Config;
  log: Logger;
  /** Injected clock, for tests. */
  now?: () => Date;
  /** Use this database instead of opening one from the configuration (tests, demo). */
  database?: Database;
  onProcessed?: (r: ProcessResult & { inboundId: number }) => void;
  /** Plug in another reset-link provider (default: the built-in one). */
  links?: ResetLinkProvider;
  /** DNS for DKIM checks, injected by tests. */
  dkimResolver?: DkimResolver;
}

export interface Daemon {
  database: Database;
  watcher: MailboxWatcher;
  /** Which instance watches the mailbox, when several share the database. */
  leadership: MailboxLeadership;
  outbox: OutboxWorker;
  metrics: DaemonMetrics;
  /** HTTP server (/healthz, /metrics; null when HTTP_PORT=off) and retention job. */
  operations: Operations;
  /** Graceful stop: finish the message in hand, flush the outbox, close connections. */
  stop(): Promise<void>;
}

/** Start liquibot: migrate, check templates, then watch the mailbox and send the outbox. */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { config, log } = opts;
  log.info({ imap: safeUrl(config.IMAP_URL), smtp: safeUrl(config.SMTP_URL), database: config.DATABASE_URL ? 'postgres' : 'pglite' }, 'starting');

  // An edit refused while running is reported to the admins once per refused version (set up below).
  let reportRejection: (rejection: TemplateRejection) => void = () => {};
  const templates = await openTemplateStore(config, log, { onRejected: (r) => reportRejection(r) });
  // Refuse to start on a broken template: what `liquibot templates check` finds (the store has compiled
  // and checked every template as it opened; checking them apart compiled them all twice, 80 ms of start).
  const templateIssues = [
    ...(config.TEMPLATES_DIR ? strayTemplateFiles(config.TEMPLATES_DIR) : []),
    ...templates.openingRejections.flatMap((r) => r.errors),
  ];
  if (templateIssues.length > 0) {
    templates.close?.();
    throw new AppError('TEMPLATE_INVALID', `templates: ${templateIssues.length} problem(s), run "liquibot templates check": ${templateIssues.slice(0, 3).map(formatIssue).join('; ')}`);
  }
  const database = opts.database ?? (await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, log }));
  await migrateDatabase(database);
  // Before anything is claimed: the other instances learn from it whether this one is alive.
  const instance = newInstanceIdentity();
  const sharedConfig = sharedConfigDigests(config);
  const heartbeat = await startInstanceHeartbeat({
    database, instance, intervalMs: config.INSTANCE_HEARTBEAT_SECONDS * 1000, staleSeconds: config.INSTANCE_STALE_SECONDS, sharedConfig, log,
  });
  const slotGuard = databaseSlotGuard(database, instance.id);
  log.info({ database: database.kind, instanceId: instance.id }, 'database ready');
  try {
    // After our own beat, so that of two instances started together with different settings, the
    // second to look sees the first (both may refuse; neither runs beside the other).
    const disagreements = await disagreeingInstances(database, { self: instance.id, staleSeconds: config.INSTANCE_STALE_SECONDS, mine: sharedConfig });
    if (disagreements.length > 0) {
      log.error({ instances: disagreements.map((d) => d.instanceId), settings: [...new Set(disagreements.flatMap((d) => d.settings))] },
        'configuration differs from a running instance on this database, not starting');
      throw new AppError('CONFIG_INVALID', describeDisagreements(disagreements));
    }
    return await startRunning({ opts, templates, database, instance, heartbeat, slotGuard, setReportRejection: (f) => (reportRejection = f) });
  } catch (err) {
    await heartbeat.stop();
    templates.close?.();
    if (!opts.database) await database.close().catch(() => {});
    throw err;
  }
}

/** The daemon's parts, once the database is ready and this instance beats. */
async function startRunning(parts: {
  opts: DaemonOptions;
  templates: Awaited<ReturnType<typeof openTemplateStore>>;
  database: Database;
  instance: InstanceIdentity;
  heartbeat: InstanceHeartbeat;
  slotGuard: SlotGuard;
  setReportRejection: (f: (rejection: TemplateRejection) => void) => void;
}): Promise<Daemon> {
  const { opts, templates, database, instance, heartbeat, slotGuard } = parts;
  const { config, log } = opts;
  const now = opts.now ?? (() => new Date());

  // Court documents pass from intake to the approval request in memory when they can (see document-cache).
  const documents = config.DOCUMENT_HANDOVER_MB > 0 ? createDocumentCache(config.DOCUMENT_HANDOVER_MB * 1024 * 1024) : undefined;
  if (config.REQUIRE_DKIM) await loadDkimVerifier();
  const pipeline = createPipelineDeps({
    config, database, templates, log, now, links: opts.links, dkimResolver: opts.dkimResolver, documents, awaitDocumentReading: config.DOCUMENT_READING,
  });
  // Court documents are read in bounded reader processes, after the intake commits, before the agents see them.
  const reader = config.DOCUMENT_READING ? createDocumentReader({
    poolSize: config.DOCUMENT_READERS, timeoutMs: config.DOCUMENT_READ_TIMEOUT_MS, workerMaxMb: config.DOCUMENT_WORKER_MAX_MB,
    maxPages: config.DOCUMENT_MAX_PAGES, maxOcrPages: config.DOCUMENT_MAX_OCR_PAGES, ocrDpi: config.OCR_DPI,
    maxBytes: config.DOCUMENT_MAX_MB * 1024 * 1024,
  }) : null;
  const readings = reader ? createDocumentReadingQueue(pipeline, reader, { waitMs: config.DOCUMENT_APPROVAL_WAIT_MS, onQueued: () => outbox.kick() }) : null;
  pipeline.readings = readings ?? undefined;
  // When the SMTP server works again, the outbox sends what waited for it at once.
  // Mails are built and written by a worker thread, beside the intake (src/mail/smtp-thread.ts).
  const sender = createSmtpSender(config.SMTP_URL!, log, { onRecovered: () => outbox.kick(), timeoutMs: config.SMTP_TIMEOUT_SECONDS * 1000, thread: true });
  const metrics = createDaemonMetrics({ database, log, now });
  metrics.watchSmtp(sender);
  // A database that answers but refuses to store mail (a full disk) is shown in /healthz.
  const writeTrouble = createWriteTroubleTracker();
  metrics.watchDatabaseWrites(writeTrouble);
  // The mailbox this instance watches, as the instances sharing the database know it (mailbox-identity).
  const identity = mailboxIdentity(config.IMAP_URL!, config.MAILBOX_ID);
  // Made below, once the watcher exists; the outbox asks it which instance holds the intake's documents.
  const leadershipRef: { current: MailboxLeadership | null } = { current: null };
  const outbox = createOutboxWorker({
    database, sender, log: log.child({ component: 'outbox' }),
    from: { name: config.MAIL_FROM_NAME, address: config.MAIL_FROM },
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS, pollMs: config.OUTBOX_POLL_MS, retryBaseMs: config.OUTBOX_RETRY_BASE_MS, leaseMs: config.OUTBOX_LEASE_SECONDS * 1000, concurrency: SMTP_POOL_SIZE, now,
    claimer: { instanceId: instance.id, staleSeconds: config.INSTANCE_STALE_SECONDS, kind: database.kind },
    onSettled: metrics.onOutboxSettled,
    canSend: sender.canSend,
    onFailed: (tx, row, failure) => reportDeliveryFailure(pipeline, tx, row, failure),
    loadAttachments: (row) => loadOutboxAttachments(database, row, documents),
    // Fresh mails with documents are left to the leader of the mailbox they came from, which holds them
    // decoded (document-cache): this instance takes those of the mailbox it leads, if any.
    ...(documents ? { leavesAttachedMail: () => ({ mailbox: leadershipRef.current?.isLeader() ? identity.key : null }) } : {}),
    // The reset link is put into the body only now: the outbox keeps a placeholder.
    prepare: (row) => (row.resetLinkId === null ? null : {
      text: pipeline.links.materialize(row.resetLinkId, row.textBody),
      html: row.htmlBody === null ? null : pipeline.links.materialize(row.resetLinkId, row.htmlBody),
    }),
  });

  const handle = createFetchedMessageHandler({
    ...pipeline,
    writeTrouble,
    onProcessed: (r) => {
      if (r.mailsQueued > 0) outbox.kick();
      opts.onProcessed?.(r);
    },
  });

  const watcher = createMailboxWatcher({
    imapUrl: config.IMAP_URL!,
    mailboxKey: identity.key,
    log,
    handle,
    maxIdleMinutes: config.IMAP_MAX_IDLE_MINUTES,
    reconnectMaxSeconds: config.RECONNECT_MAX_SECONDS,
    timeoutMs: config.IMAP_TIMEOUT_SECONDS * 1000,
    maxMessageBytes: config.MAX_MESSAGE_BYTES,
    // One sender's mails in order (a request, then its fix); different senders side by side.
    orderKey: (msg) => senderKey(msg.raw),
    // PGlite has one connection: side-by-side processing would only queue on it.
    concurrency: database.kind === 'postgres' ? config.PROCESS_CONCURRENCY : 1,
    onMailboxOpened: async ({ mailbox, folder, uidValidity, uidNext }) => {
      const opening = await openMailboxCursor(database.db, {
        key: mailbox, folder, uidValidity, uidNext, skipExisting: config.FIRST_START === 'skip', now: now(),
      });
      if (opening.adopted) {
        log.info({ mailbox, folder, messages: opening.adopted.messages }, 'cursor stored under the folder name adopted for this mailbox');
      }
      if (opening.previousUidValidity !== null) {
        // Old messages come back with new UIDs; their content hash makes them no-ops.
        log.warn({ mailbox, previous: String(opening.previousUidValidity), current: String(uidValidity) }, 'UIDVALIDITY changed, resynchronising');
      }
      // First start with FIRST_START=skip: what is already in the mailbox is left for humans.
      if (opening.skipUpTo > 0 && opening.firstStart) log.warn({ mailbox, skipUpTo: opening.skipUpTo }, 'first start: existing messages skipped (FIRST_START=skip)');
      else if (opening.firstStart) log.info({ mailbox }, 'first start on this mailbox');
      return opening.skipUpTo;
    },
    onProgress: backlogProgress(log),
  });
  const leadership = createMailboxLeadership({
    database, watcher, log: log.child({ mailbox: identity.key }), retryMs: config.LEADER_RETRY_SECONDS * 1000, lockKey: mailboxLeaderLockKey(identity.key),
  });
  leadershipRef.current = leadership;
  const resync = cron.schedule(config.RESYNC_CRON, () => leadership.requestSync('cron'), {
    timezone: config.TIMEZONE, name: 'imap-resync', noOverlap: true,
  });

  parts.setReportRejection((rejection) => {
    if (!config.ADMIN_ADDRESS) return;
    void (async () => {
      const rendered = templates.render('admin-template-error', rejectionMailVars(rejection, now()));
      await database.db.transaction((tx) => enqueueMail(tx, outboxRowFor({
        purposeKey: `admin-template-error:${rejection.name}:${rejection.version}`, kind: 'admin-template-error', ticketId: null, ticketRef: null,
        to: config.ADMIN_ADDRESS!, rendered, messageIdDomain: config.messageIdDomain, parent: null, autoSubmitted: 'auto-generated', now: now(),
      })));
      outbox.kick();
    })().catch((err) => log.error(errorFields(err), 'template refusal could not be reported'));
  });
  const routes = createRouteTable([resetLinkVerifyRoute({ database, now, perMinute: config.VERIFY_RATE_LIMIT_PER_MINUTE, ...(config.VERIFY_API_TOKEN ? { apiToken: config.VERIFY_API_TOKEN } : {}) })]);
  const mailboxView = {
    state: () => leadership.state(), reconnects: () => watcher.reconnects(), trouble: () => (leadership.isLeader() ? watcher.trouble() : null),
  };
  const operations = await startOperations({ config, log, database, watcher: mailboxView, metrics, now, routes, guard: slotGuard });
  // Every instance sends with the active console version of each template (polled; refreshed at once after a save here).
  const templateSync = await startTemplateVersionSync({ database, store: templates, log });
  const webConsole = await startConsole({
    config, log, database, now, pipeline, routes: operations.http?.routes ?? null, kick: () => outbox.kick(), refreshTemplates: () => templateSync.refresh(),
  });
  // Requests whose reading a crash or another instance left undone.
  const readingSweep = readings ? setInterval(() => {
    readings.sweep().catch((err) => log.warn(errorFields(err), 'document reading sweep failed'));
  }, 30_000) : null;
  readingSweep?.unref();
  void readings?.sweep().catch((err) => log.warn(errorFields(err), 'document reading sweep failed'));
  const approvalJobs = scheduleApprovalJobs(pipeline, { config, log, onQueued: () => outbox.kick(), guard: slotGuard });
  sender.watch();
  outbox.start();
  leadership.start();
  templates.watch?.();

  let stopping: Promise<void> | null = null;
  return {
    database,
    watcher,
    leadership,
    outbox,
    metrics,
    operations,
    stop() {
      stopping ??= (async () => {
        log.info('stopping');
        await resync.stop();
        await approvalJobs.stop();
        if (readingSweep) clearInterval(readingSweep);
        // Readings under way end as cancelled and are left for the sweep after the restart.
        await reader?.close();
        await readings?.idle();
        await webConsole?.close();
        templateSync.stop();
        await operations.stop();
        await leadership.stop();
        await outbox.drain();
        await outbox.stop();
        // After the outbox: its claims stay ours until the last send is recorded.
        await heartbeat.stop();
        sender.close();
        templates.close?.();
        if (!opts.database) await database.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
