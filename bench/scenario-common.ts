import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import type { SmtpSink } from '../test/support/sandbox/smtp-sink';
import { sleep } from '../test/support/sandbox/wait-until';
import type { AnswerTracker } from './answer-tracker';
import type { BenchSandbox, ScenarioPlace } from './bench-sandbox';
import { progress } from './bench-progress';
import type { DaemonChild } from './daemon-child';

const RUN_SECRET = randomBytes(32).toString('hex');

/** A fatal start-up error of the CLI ("liquibot: configuration: …") ends the wait at once. */
export function failIfFatal(label: string, child: DaemonChild): void {
  const fatal = /^liquibot: .*$/m.exec(child.stderrTail());
  if (fatal) throw new Error(`${label}: ${fatal[0]}`);
}

/** The daemon's environment: the sandbox's servers, quiet logs, a short outbox poll. */
export function daemonEnv(place: ScenarioPlace, sink: SmtpSink, extra: Record<string, string> = {}): Record<string, string> {
  return {
    IMAP_URL: place.imapUrl,
    SMTP_URL: `${sink.url}?starttls=never`,
    DATABASE_URL: place.databaseUrl,
    MAIL_FROM: 'liquibot@support.example.fr',
    AGENTS_ADDRESS: 'agents@support.example.fr',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    OUTBOX_POLL_MS: '100',
    // Required with DATABASE_URL since the approval flow; ignored by older code.
    RESET_LINK_SECRET: RUN_SECRET,
    // /healthz and /metrics on, as in production, on a free port.
    HTTP_PORT: '0',
    ...extra,
  };
}

/**
 * Wait until `n` distinct requests are answered, printing progress every few seconds. Fails when
 * the daemon dies or when nothing new is answered for `stallMs` (a stuck run must not hang CI).
 */
export async function waitForAnswers(opts: {
  label: string;
  tracker: AnswerTracker;
  n: number;
  child: DaemonChild;
  startedAt: number;
  stallMs?: number;
  everyMs?: number;
}): Promise<void> {
  const { tracker, n, child } = opts;
  const stallMs = opts.stallMs ?? 120_000;
  const everyMs = opts.everyMs ?? 5_000;
  let lastCount = -1;
  let lastChange = Date.now();
  let lastPrint = Date.now();
  for (;;) {
    const count = tracker.poll();
    if (count >= n) return;
    const now = Date.now();
    if (count !== lastCount) {
      lastCount = count;
      lastChange = now;
    } else if (now - lastChange > stallMs) {
      throw new Error(`${opts.label}: stalled at ${count}/${n} answered for ${stallMs / 1000} s\n${child.stderrTail()}`);
    }
    failIfFatal(opts.label, child);
    if (now - lastPrint >= everyMs) {
      lastPrint = now;
      const secs = (now - opts.startedAt) / 1000;
      progress(`${opts.label}: ${count}/${n} answered after ${secs.toFixed(0)} s (${(count / secs).toFixed(1)}/s), daemon RSS ${(child.rssKb().daemon / 1024).toFixed(0)} MB`);
    }
    await Promise.race([sleep(25), child.died]);
  }
}

/**
 * Wait until the outbox has nothing left to send (the approval requests to the agents go out after
 * the acknowledgments' transactions too). Returns false on timeout.
 */
export async function waitForOutboxEmpty(sql: postgres.Sql, child: DaemonChild, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where status in ('pending', 'sending')`;
    if ((row?.n ?? 0) === 0) return true;
    await Promise.race([sleep(50), child.died]);
  }
  return false;
}

export const mb = (kb: number): number => kb / 1024;

export type { BenchSandbox };
