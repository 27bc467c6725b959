import { simpleParser } from 'mailparser';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../../../src/config';
import { startDaemon, type Daemon } from '../../../src/daemon';
import type { DkimResolver } from '../../../src/approval/dkim-check';
import { migrateDatabase, openDatabase, type Database } from '../../../src/db/client';
import { createLogger } from '../../../src/log';
import type { SinkMessage, SmtpSink } from '../../support/sandbox/smtp-sink';
import type { ProcessResult } from '../../../src/workflow/context';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { tickets, type Ticket } from '../../../src/db/schema';
import { buildRequestMail } from '../../support/sample-mails';
import { freshDatabaseUrl } from '../../helpers/fresh-database';
import { freshMailbox, type FreshMailbox } from '../../helpers/fresh-mailbox';
import { imapUrl } from '../../support/sandbox/dovecot';
import { startSink } from '../../helpers/smtp-sink';

export type DbKind = 'postgres' | 'pglite';

/** Every JSON log line the daemon wrote, for asserting what it logged (and did not). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** A database of the given kind, migrated: a fresh PostgreSQL database, or a PGlite in a temp dir. */
export async function freshDatabase(kind: DbKind): Promise<{ database: Database; url: string | undefined; dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liquibot-test-'));
  const url = kind === 'postgres' ? await freshDatabaseUrl('it') : undefined;
  const database = await openDatabase({ url, dataDir });
  await migrateDatabase(database);
  return {
    database, url, dataDir,
    async cleanup() {
      await database.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Approval tokens and reset-link tokens in the mails liquibot sent. */
export async function tokensSent(messages: SinkMessage[]): Promise<string[]> {
  const tokens = new Set<string>();
  for (const m of messages) {
    // Decoded, not raw: a part sent in base64 or quoted-printable would hide a token from a raw scan.
    const parsed = await simpleParser(m.raw);
    const text = `${m.raw.toString('latin1')}\n${parsed.text ?? ''}\n${typeof parsed.html === 'string' ? parsed.html : ''}`;
    for (const t of text.match(/ljv-[0-9a-f]{32}/g) ?? []) tokens.add(t);
    for (const t of text.match(/token=3D([A-Za-z0-9_-]{43})|token=([A-Za-z0-9_-]{43})/g) ?? []) tokens.add(t.replace(/^token=(3D)?/, ''));
  }
  return [...tokens];
}

/** Which of these secrets appear in the text. */
export function secretsIn(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => s.length >= 8 && text.includes(s));
}

export interface Harness {
  mailbox: FreshMailbox;
  sink: SmtpSink;
  config: Config;
  database: Database;
  logs: LogCapture;
  processed: (ProcessResult & { inboundId: number })[];
  /** Mails the sink received for one recipient. */
  mailsTo(address: string): SinkMessage[];
  daemon: Daemon | null;
  start(): Promise<Daemon>;
  /** Wait until `n` messages in total were processed and the outbox has nothing due. */
  waitForProcessed(n: number, timeoutMs?: number): Promise<void>;
  /** Append one mail to the mailbox and wait until it is processed; its result. */
  deliver(raw: string | Buffer): Promise<ProcessResult & { inboundId: number }>;
  stopDaemon(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh database of `kind` for the enclosing describe block: made before its tests, removed after
 * them. The fields are filled in once the block's beforeAll has run.
 */
export function databaseForSuite(kind: DbKind): Awaited<ReturnType<typeof freshDatabase>> {
  const holder = {} as Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    Object.assign(holder, await freshDatabase(kind));
  });
  afterAll(async () => {
    await holder.cleanup?.();
  });
  return holder;
}

/**
 * A harness for the enclosing describe block, its daemon started before the block's tests and everything
 * closed after them. As databaseForSuite, the fields are filled in once the block's beforeAll has run;
 * `daemon` follows the harness (null again after stopDaemon).
 */
export function startedHarnessForSuite(opts: Parameters<typeof createHarness>[0] = {}): Harness {
  const holder = {} as Harness;
  let real: Harness | null = null;
  beforeAll(async () => {
    real = await createHarness(opts);
    await real.start();
    Object.assign(holder, real);
    Object.defineProperty(holder, 'daemon', { get: () => real!.daemon });
  });
  afterAll(async () => {
    await real?.close();
  });
  return holder;
}

/**
 * Harnesses for the tests of the enclosing describe block (or file), each closed (newest first) after the test that
 * made it: `const harness = harnessesPerTest();` then `await harness({ joinDatabase: … })` in a test.
 */
export function harnessesPerTest(): (opts?: Parameters<typeof createHarness>[0]) => Promise<Harness> {
  const opened: Harness[] = [];
  afterEach(async () => {
    for (const h of opened.splice(0).reverse()) await h.close();
  });
  return async (opts = {}) => {
    const h = await createHarness(opts);
    opened.push(h);
    return h;
  };
}

/**
 * A conforming request from `requester` for `siret`, delivered; its ticket (awaiting the agents) and the
 * approval request the agents received for it.
 */
export async function conformingRequest(h: Harness, r: { requester: string; liquidator: string; siret: string }): Promise<{ ticket: Ticket; approval: SinkMessage }> {
  const messageId = `<req-${randomUUID()}@custhelp.example.net>`;
  await h.deliver(buildRequestMail({ from: r.requester, liquidatorEmail: r.liquidator, siret: r.siret, messageId }));
  const [ticket] = await h.database.db.select().from(tickets).where(eq(tickets.rootMessageId, messageId));
  if (ticket?.status !== 'awaiting_approval') throw new Error(`request ${messageId}: ticket ${ticket?.ref ?? 'missing'} is ${ticket?.status}, not awaiting_approval`);
  const approval = await h.sink.waitFor((m) => m.envelope.to[0] === h.config.AGENTS_ADDRESS && m.headers['x-liquibot-ticket']?.[0]?.trim() === ticket.ref);
  return { ticket, approval };
}

/** An existing, migrated PostgreSQL database: opened on its own connections, never dropped. */
async function joinedDatabase(url: string): Promise<Awaited<ReturnType<typeof freshDatabase>>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liquibot-test-'));
  const database = await openDatabase({ url, dataDir });
  return {
    database, url, dataDir,
    async cleanup() {
      await database.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * liquibot in-process against the run's Dovecot, a fresh database and its own SMTP sink.
 * `joinDatabase`: the URL of another harness's PostgreSQL database, to run a second instance on it.
 * The HTTP server listens on a free port (daemon.operations.http.port) unless env says otherwise.
 */
export async function createHarness(
  opts: {
    db?: DbKind; env?: Record<string, string>; now?: () => Date; joinDatabase?: string; dkimResolver?: DkimResolver;
    /** Watch this folder of the fresh mailbox instead of INBOX. */
    folder?: string;
  } = {},
): Promise<Harness> {
  const mailbox = freshMailbox('it');
  const sink = await startSink();
  const db = opts.joinDatabase ? await joinedDatabase(opts.joinDatabase) : await freshDatabase(opts.db ?? 'postgres');
  const logs = new LogCapture();
  const config = loadConfig({
    IMAP_URL: opts.folder ? imapUrl(mailbox.host, mailbox.port, mailbox.user, mailbox.password, opts.folder) : mailbox.imapUrl,
    SMTP_URL: `${sink.url}?starttls=never`,
    DATA_DIR: db.dataDir,
    DATABASE_URL: db.url ?? '',
    MAIL_FROM: 'liquibot@support.example.fr',
    AGENTS_ADDRESS: 'agents@support.example.fr',
    LOG_LEVEL: 'info',
    OUTBOX_POLL_MS: '200',
    RESET_LINK_SECRET: 'test-secret-0123456789-0123456789-abcdef',
    AGENT_SENDERS: '@support.example.fr',
    // The harness runs on PostgreSQL, where start-up refuses unsigned agent replies unless told otherwise
    // (src/config.ts, agentReplyAuthenticationProblem). The tests' agent replies are unsigned on purpose:
    // they exercise the allow-list and the binding, not DKIM. DKIM itself is tested with
    // `env: { REQUIRE_DKIM: 'true' }` and an injected `dkimResolver`; the refusal with
    // `env: { ALLOW_UNSIGNED_AGENT_REPLIES: '' }` (test/integration/identity-spoofing.e2e.test.ts).
    ALLOW_UNSIGNED_AGENT_REPLIES: 'true',
    // Reading the court documents (reader processes, OCR) is tested where it matters, with
    // `env: { DOCUMENT_READING: 'true' }` (test/integration/document-reading.e2e.test.ts): the other
    // end-to-end tests exercise the mail flow, and their sample PDFs have no text to read.
    DOCUMENT_READING: 'false',
    OUTBOX_RETRY_BASE_MS: '200',
    OUTBOX_LEASE_SECONDS: '5',
    RECONNECT_MAX_SECONDS: '2',
    HTTP_PORT: '0',
    ...opts.env,
  }, ['IMAP_URL', 'SMTP_URL']);
  const processed: Harness['processed'] = [];
  const h: Harness = {
    mailbox, sink, config, database: db.database, logs, processed, daemon: null,
    mailsTo: (address) => sink.messages.filter((m) => m.envelope.to.includes(address)),
    async start() {
      h.daemon = await startDaemon({
        config, database: db.database, now: opts.now, dkimResolver: opts.dkimResolver,
        log: createLogger({ level: config.LOG_LEVEL, destination: logs }),
        onProcessed: (r) => processed.push(r),
      });
      return h.daemon;
    },
    async deliver(raw) {
      const n = processed.length;
      await mailbox.append(raw);
      await h.waitForProcessed(n + 1);
      return processed[n]!;
    },
    async waitForProcessed(n, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        if (processed.length >= n && h.daemon) {
          await h.daemon.outbox.drain();
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`only ${processed.length} of ${n} messages processed within ${timeoutMs} ms`);
    },
    async stopDaemon() {
      await h.daemon?.stop();
      h.daemon = null;
    },
    async close() {
      await h.stopDaemon();
      await sink.stop();
      await db.cleanup();
      // Every end-to-end test also proves that no secret reached the logs.
      const leaked = secretsIn(logs.text(), [mailbox.password, config.RESET_LINK_SECRET ?? '', config.VERIFY_API_TOKEN ?? '', ...(await tokensSent(sink.messages))]);
      if (leaked.length > 0) throw new Error(`secrets found in the daemon's logs: ${leaked.map((s) => `${s.slice(0, 6)}…`).join(', ')}`);
    },
  };
  return h;
}
