import type { Database, Db, Tx } from '../db/client';
import type { OutboxRow } from '../db/schema';
import {
  claimDueMail, markMailFailed, markMailRetry, markMailsSent, outboxBacklog, renewClaim, type ClaimedOutboxRow, type OutboxClaim, type SentMark,
} from '../db/outbox-queries';
import { insertEvents } from '../db/ticket-queries';
import { errorFields, type Logger } from '../log';
import type { MailSender, OutgoingMail } from './smtp-transport';
import { backoffDelayMs } from './retry-backoff';

export interface OutboxWorkerOptions {
  database: Database;
  sender: MailSender;
  log: Logger;
  from: { name: string; address: string };
  maxAttempts: number;
  pollMs: number;
  retryBaseMs: number;
  /** Rows sent at the same time (the SMTP pool's connections). */
  concurrency?: number;
  /** How long a claimed row is held before another sender may take it (the claimer died). */
  leaseMs: number;
  /**
   * This instance, as its heartbeat shows it to the others: claims record it, and a claim whose claimer
   * is known dead (session gone, heartbeat stale) is taken at once instead of after its lease.
   */
  claimer?: { instanceId: string; staleSeconds: number; kind: 'postgres' | 'pglite' };
  /** The final bodies of a row, when they differ from the stored ones (the reset link is put in at send time). */
  prepare?: (row: OutboxRow) => { text: string; html: string | null } | null;
  /** Loads the court documents a row asks to attach (from the stored raw source). */
  loadAttachments?: (row: OutboxRow) => Promise<OutgoingMail['attachments']>;
  now?: () => Date;
  /** Called inside the transaction that records a final failure (the agents are told once, from there). */
  onFailed?: (tx: Tx, row: OutboxRow, failure: { error: string; responseCode: number | null; at: Date; permanent: boolean; attempts: number }) => Promise<void>;
  /** Called after each row settles (sent, retried or failed), with the row as it was claimed. */
  onSettled?: (row: ClaimedOutboxRow, result: 'sent' | 'retry' | 'failed') => void;
  /**
   * False while the SMTP server is known to be down or to refuse our login: no row is claimed, so none
   * spends an attempt (or fails for good) on it; kick() when it works again.
   */
  canSend?: () => boolean;
  /**
   * Which fresh mails with documents this instance leaves to the instance that holds their documents in
   * memory (the leader of the mailbox they came from), for ATTACHED_HANDOVER_MS, after which any instance
   * sends them (claimDueMail's leaveAttached). null: none, it takes them all. `mailbox`: the mailbox this
   * instance leads (it takes the fresh mails whose documents came from there), null when it leads none.
   */
  leavesAttachedMail?: () => { mailbox: string | null } | null;
}

export interface OutboxWorker {
  start(): void;
  /** Look for due rows now (after a commit that wrote some). */
  kick(): void;
  /** Send every row that is due now, and resolve when none is left (or only rows waiting for a retry). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

const BATCH = 10;
/** Recording a send's outcome is retried (the database may be restarting) up to this delay between tries. */
const RECORD_RETRY_MAX_MS = 5_000;
/** A row whose sending failed unexpectedly is taken again by this instance after this pause. */
const ORPHAN_PAUSE_MS = 30_000;
/**
 * How long an instance leaves a fresh row with documents to the leader of the mailbox they came from,
 * which sends it from memory in well under a second (another instance would read its source back and
 * parse it again: 2 ms of CPU and a 200 KB read for a common request). Past it (that leader is gone or
 * stuck) anyone sends it.
 */
export const ATTACHED_HANDOVER_MS = 30_000;

/**
 * Sent marks written together ("group commit"): a mark made while another write is in flight waits for
 * it, and all that waited go in one statement when it returns. Nothing waits for company: a mark made
 * while no write is in flight is written at once. Each mark gets its own answer (still ours or not), and a
 * failed write fails every mark in it, each of which its caller retries on its own.
 */
function groupedSentMarks(db: Db): (mark: SentMark) => Promise<boolean> {
  let writing = false;
  let waiting: { mark: SentMark; done: (ours: boolean) => void; fail: (err: unknown) => void }[] = [];
  async function write(): Promise<void> {
    writing = true;
    try {
      while (waiting.length > 0) {
        const group = waiting;
        waiting = [];
        try {
          const recorded = await markMailsSent(db, group.map((w) => w.mark));
          for (const w of group) w.done(recorded.has(w.mark.id));
        } catch (err) {
          for (const w of group) w.fail(err);
        }
      }
    } finally {
      writing = false;
    }
  }
  return (mark) => new Promise<boolean>((done, fail) => {
    waiting.push({ mark, done, fail });
    if (!writing) void write();
  });
}

/** Sends outbox rows, one at a time, with their fixed Message-ID; retries 4xx, records 5xx on the ticket. */
export function createOutboxWorker(opts: OutboxWorkerOptions): OutboxWorker {
  const now = opts.now ?? (() => new Date());
  // The senders' marks (opts.concurrency of them) share statements when they finish close together.
  const markSent = groupedSentMarks(opts.database.db);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let failedPasses = 0;
  /** Rows claimed by this worker and not settled yet: its other claims are orphans (see claimDueMail). */
  const held = new Set<number>();
  /** One sender per SMTP connection. */
  const lanes = Math.max(1, opts.concurrency ?? 1);
  const leaveAttached = () => {
    const leave = opts.leavesAttachedMail?.();
    return leave ? { after: new Date(now().getTime() - ATTACHED_HANDOVER_MS), takeFromMailbox: leave.mailbox } : null;
  };

  /**
   * Record an outcome, again and again while the database fails (a restart): the mail went or was
   * refused, and a row left 'sending' would be sent again by whoever takes it. Gives up when stopping.
   */
  async function record<T>(log: Logger, step: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await fn();
        if (attempt > 1) log.info({ step, attempts: attempt }, 'outbox outcome recorded after database errors');
        return result;
      } catch (err) {
        if (stopped) throw err;
        if (attempt === 1) log.warn({ step, ...errorFields(err) }, 'outbox outcome not recorded, retrying');
        await new Promise((r) => setTimeout(r, Math.min(RECORD_RETRY_MAX_MS, 250 * 2 ** (attempt - 1))));
      }
    }
  }

  /**
   * Renews `start` every third of a lease while a send is under way. release() stops and gives the claim
   * as it then stands: renewed, the same (a renewal that failed on the database is tried again at the next
   * tick), or null once a renewal found the row no longer ours. The first renewal comes a third of a lease
   * in, before the lease ends: sendRow starts a send only with at least half a lease ahead.
   */
  function holdDuringSend(log: Logger, start: OutboxClaim): { release(): Promise<OutboxClaim | null> } {
    let claim: OutboxClaim | null = start;
    let renewing: Promise<void> | null = null;
    const timer = setInterval(() => {
      const held = claim;
      if (renewing || !held) return;
      renewing = renewClaim(opts.database.db, held, new Date(now().getTime() + opts.leaseMs))
        .then((until) => {
          // Lost: said once, where the outcome is not recorded for it (sendRow's lost()).
          claim = until ? { id: held.id, claimedUntil: until } : null;
        })
        .catch((err) => log.warn({ step: 'renew during send', ...errorFields(err) }, 'outbox claim not renewed, trying again'))
        .finally(() => {
          renewing = null;
        });
    }, Math.max(1, Math.floor(opts.leaseMs / 3)));
    timer.unref();
    return {
      async release() {
        clearInterval(timer);
        if (renewing) await renewing;
        return claim;
      },
    };
  }

  async function sendRow(row: ClaimedOutboxRow): Promise<void> {
    const log = opts.log.child({ outboxId: row.id, ticketId: row.ticketId, kind: row.kind });
    if (row.reclaimed) {
      // It was being sent when its sender died (or let it go): the server may have accepted it already.
      // Same row, same Message-ID: a receiving server or client sees one mail.
      log.warn({ messageId: row.messageId, reason: row.reclaimed.reason, previousClaimer: row.reclaimed.claimedBy, attempts: row.attempts },
        'possible resend of an accepted mail, same Message-ID');
    }
    let claim: OutboxClaim = { id: row.id, claimedUntil: row.claimedUntil };
    const lost = (step: string) => log.warn({ step }, 'outbox row no longer held by this sender; another instance has it');
    let attachments: OutgoingMail['attachments'] = [];
    try {
      if (row.attachments.length > 0 && opts.loadAttachments) attachments = await opts.loadAttachments(row);
    } catch (err) {
      log.error(errorFields(err), 'attachments could not be loaded');
      if (!(await markMailRetry(opts.database.db, claim, `attachments: ${(err as Error).message}`, new Date(now().getTime() + 60_000)))) lost('retry');
      return;
    }
    // The row may have waited behind others of its batch: a send starts only with at least half a lease
    // ahead of it. When less is left, the claim is renewed first, if it is still ours (another instance
    // may have taken the row once the lease ran out; then it sends it, not us).
    if (!claim.claimedUntil || claim.claimedUntil.getTime() - now().getTime() < opts.leaseMs / 2) {
      const renewed = await renewClaim(opts.database.db, claim, new Date(now().getTime() + opts.leaseMs));
      if (!renewed) {
        lost('send');
        return;
      }
      claim = { id: row.id, claimedUntil: renewed };
    }
    const bodies = opts.prepare?.(row) ?? { text: row.textBody, html: row.htmlBody };
    // Held for as long as the send lasts, however long (a large document, a slow server): otherwise, once
    // the lease ran out mid-send, a claim (another instance's, or this one's next) would send it again.
    const hold = holdDuringSend(log, claim);
    let result: Awaited<ReturnType<MailSender['send']>>;
    try {
      result = await opts.sender.send({
        messageId: row.messageId,
        from: opts.from,
        to: row.toAddress,
        replyTo: row.replyTo,
        subject: row.subject,
        text: bodies.text,
        html: bodies.html,
        inReplyTo: row.inReplyTo,
        references: row.references,
        autoSubmitted: row.autoSubmitted,
        ticketRef: row.ticketRef,
        attachments,
      });
    } finally {
      // The outcome is recorded under the claim as it stands after the last renewal (its lease end is the
      // claim's token); a claim lost meanwhile records nothing (heldBy needs a lease end) and says so.
      claim = (await hold.release()) ?? { id: row.id, claimedUntil: null };
    }
    if (result.kind === 'sent') {
      if (await record(log, 'sent', () => markSent({ id: claim.id, claimedUntil: claim.claimedUntil, sentAt: now() }))) log.info({ attempts: row.attempts }, 'mail sent');
      else lost('sent');
      opts.onSettled?.(row, 'sent');
      return;
    }
    if (result.kind === 'transient' && row.attempts < opts.maxAttempts) {
      const delay = backoffDelayMs(row.attempts, { baseMs: opts.retryBaseMs, maxMs: 30 * 60_000 });
      if (!(await record(log, 'retry', () => markMailRetry(opts.database.db, claim, result.error, new Date(now().getTime() + delay))))) {
        lost('retry');
        return;
      }
      log.warn({ attempts: row.attempts, retryInMs: delay, error: result.error }, 'mail deferred');
      opts.onSettled?.(row, 'retry');
      return;
    }
    const recorded = await record(log, 'failed', () => opts.database.db.transaction(async (tx) => {
      if (!(await markMailFailed(tx, claim, result.error))) return false;
      if (row.ticketId) {
        await insertEvents(tx, [{
          ticketId: row.ticketId,
          kind: 'delivery_failed',
          actor: 'liquibot',
          detail: { outboxId: row.id, mail: row.kind, error: result.error, permanent: result.kind === 'permanent', attempts: row.attempts },
        }]);
      }
      await opts.onFailed?.(tx, row, { error: result.error, responseCode: result.responseCode ?? null, at: now(), permanent: result.kind === 'permanent', attempts: row.attempts });
      return true;
    }));
    if (!recorded) {
      lost('failed');
      return;
    }
    log.error({ attempts: row.attempts, error: result.error }, 'mail delivery failed');
    opts.onSettled?.(row, 'failed');
  }

  /**
   * One pass: send what is due until a claim finds nothing. One sender per SMTP connection takes rows
   * from a queue that is claimed again before it runs dry: no sender waits for a batch's slowest mail,
   * nor idles through the next claim (a burst of small requests was sent at 200 mails/s while the intake
   * took 320/s, each sender waiting for its batch's last mail and then the claim). A sender still waits
   * for its sent mark before its next mail: at most SMTP_POOL_SIZE mails are ever accepted by the server
   * and not recorded, so a crash resends at most that many (same Message-ID; crash-restart.e2e.test.ts).
   */
  async function runOnce(): Promise<void> {
    do {
      again = false;
      const queue: ClaimedOutboxRow[] = [];
      let exhausted = false;
      let claiming: Promise<void> | null = null;
      let claimedAny = false;
      /** The last claim took all it could: more are due, worth claiming before the queue runs dry. */
      let lastClaimFull = false;
      /** A claim that failed (the database): the lanes finish what they hold, then the pass fails with it. */
      const claimFailures: unknown[] = [];
      const claimOnce = async (): Promise<void> => {
        try {
          if (stopped || (opts.canSend && !opts.canSend())) {
            exhausted = true;
            return;
          }
          const rows = await claimDueMail(opts.database.db, {
            now: now(), limit: BATCH, leaseMs: opts.leaseMs,
            leaveAttached: leaveAttached(),
            ...(opts.claimer ? { claimer: { ...opts.claimer, held: [...held] } } : {}),
          });
          for (const row of rows) held.add(row.id);
          queue.push(...rows);
          if (rows.length > 0) claimedAny = true;
          lastClaimFull = rows.length === BATCH;
          if (rows.length === 0) exhausted = true;
        } catch (err) {
          claimFailures.push(err);
          exhausted = true;
        }
      };
      /** One claim at a time; whoever asks meanwhile waits for that one. */
      const claimMore = (): Promise<void> => (claiming ??= claimOnce().finally(() => {
        claiming = null;
      }));
      const nextRow = async (): Promise<ClaimedOutboxRow | null> => {
        for (;;) {
          const row = queue.shift();
          if (row) {
            // Topped up ahead of need while claims come back full: the claim's round trip overlaps the sends
            // under way. After a partial claim, the next one waits for the queue to empty (the lanes still
            // have their mails under way): claiming again at once would take one or two rows a time.
            if (queue.length < lanes && lastClaimFull && !exhausted) void claimMore();
            return row;
          }
          if (exhausted) return null;
          await claimMore();
        }
      };
      const lane = async () => {
        for (let row = await nextRow(); row; row = await nextRow()) {
          try {
            await sendRow(row);
            held.delete(row.id);
          } catch (err) {
            // Left claimed: this instance takes it again (an orphan) after a pause, not in a tight loop;
            // another takes it at once if this one dies, or when its lease ends. The next row is not held up.
            opts.log.error({ outboxId: row.id, ...errorFields(err) }, 'outbox row failed unexpectedly');
            setTimeout(() => held.delete(row.id), ORPHAN_PAUSE_MS).unref();
          }
        }
      };
      // A lane never throws: a row's failure is that row's.
      await Promise.all(Array.from({ length: lanes }, lane));
      if (claimFailures.length > 0) throw claimFailures[0];
      // A row sent in this pass may have been what held back a later one of its ticket: look once more.
      if (claimedAny) again = true;
    } while (again && !stopped);
  }

  function trigger(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = runOnce()
      .then(() => {
        if (failedPasses > 0) opts.log.info({ failedPasses }, 'outbox passes work again');
        failedPasses = 0;
      })
      .catch((err) => {
        // Once per run of failures (the database is down: every poll would fail the same way).
        if (failedPasses === 0) opts.log.error(errorFields(err), 'outbox pass failed');
        failedPasses += 1;
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    start() {
      stopped = false;
      const tick = () => {
        if (stopped) return;
        void trigger().finally(() => {
          if (!stopped) timer = setTimeout(tick, opts.pollMs);
        });
      };
      tick();
    },
    kick() {
      if (!stopped) void trigger();
    },
    async drain() {
      await trigger();
      if (running) await running;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running;
      const backlog = await outboxBacklog(opts.database.db).catch(() => null);
      if (backlog && backlog.count > 0) opts.log.info({ pending: backlog.count }, 'outbox left with pending mail');
    },
  };
}
