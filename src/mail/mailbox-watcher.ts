import { ImapFlow } from 'imapflow';
import { errorFields, type Logger } from '../log';
import { mailboxIdentity } from './mailbox-identity';
import { reconnectDelayMs, troubleText, type ConnectionTrouble, type ConnectionTroubleKind } from './retry-backoff';

/** A message as fetched: the raw source and where it lives. */
export interface FetchedMessage {
  /** The mailbox's identity (WatcherOptions.mailboxKey), not only its folder. */
  mailbox: string;
  uidValidity: bigint;
  uid: number;
  /** The whole source; only the header when the message is larger than maxMessageBytes. */
  raw: Buffer;
  /** RFC822.SIZE as the server reports it. */
  sizeBytes: number;
  /** True when `raw` holds only the header because the message is too large to process. */
  headerOnly: boolean;
  /**
   * Set for a message over STREAMED_FETCH_BYTES: `raw` then holds only its header, and this fetches the
   * whole source in pieces (null when the message vanished meanwhile), so that it is stored and parsed
   * as it comes instead of being held whole.
   */
  download?: () => Promise<AsyncIterable<Buffer> | null>;
}

/** What to do with a handled message on the server once its ticket is committed. */
export interface Disposition {
  /** Move it to this folder after flagging it; null leaves it where it is. */
  moveTo: string | null;
}

export interface WatcherOptions {
  imapUrl: string;
  log: Logger;
  /** Store, process and commit; resolve only when the result is durable. Throwing leaves the message for the next pass. */
  handle(msg: FetchedMessage): Promise<Disposition>;
  /**
   * The mailbox's identity among the mailboxes sharing the database (see mailbox-identity.ts): given to
   * onMailboxOpened and with each message. Default: the folder's name.
   */
  mailboxKey?: string;
  /**
   * Called once per connection with the mailbox's identity and UIDVALIDITY, before any message is
   * handled; returns the UID up to which messages are skipped (0: none).
   */
  onMailboxOpened?(info: { mailbox: string; folder: string; uidValidity: bigint; exists: number; uidNext: number }): Promise<number>;
  /** Called with the number of unprocessed messages a pass found, and after each one. */
  onProgress?(p: { done: number; total: number }): void;
  maxIdleMinutes: number;
  reconnectMaxSeconds: number;
  /** Larger messages are not downloaded: only their header is fetched, for the quarantine and the notice. */
  maxMessageBytes: number;
  /**
   * Messages with the same key are handled one after the other, in UID order; messages with different keys
   * up to `concurrency` at a time. Default: one key, one at a time.
   */
  orderKey?: (msg: FetchedMessage) => string;
  concurrency?: number;
  /**
   * A server that accepts the connection and then says nothing: connecting and the greeting get
   * min(15 s, this); later silence this long makes imapflow send a NOOP, and a second one ends the session
   * (reopened with backoff). Keep it above the server's IDLE keepalive. Default 120 s.
   */
  timeoutMs?: number;
  /** Delay before reconnection attempt `attempt` after a failure of `kind`; default reconnectDelayMs with reconnectMaxSeconds. */
  reconnectDelay?: (kind: ConnectionTroubleKind, attempt: number) => number;
}

/**
 * Run `fn` over items: items sharing a key one after the other in their order, different keys up to
 * `concurrency` at a time. Stops starting new items once `stopped()` is true.
 */
export async function runInOrderPerKey<T>(
  items: T[], keyOf: (item: T) => string, concurrency: number, fn: (item: T) => Promise<void>, stopped: () => boolean,
): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const item of group) {
        if (stopped()) return;
        await fn(item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
}

const CHUNK_MAX_MESSAGES = 25;
const CHUNK_MAX_BYTES = 16 * 1024 * 1024;

/**
 * A message above this size is fetched in pieces (partial FETCH of BODY[]), stored and parsed as they
 * come, and never held whole: a FETCH of the whole literal holds it twice (imapflow's chunks of it and
 * their concatenation) until the next GC, +110 MB for a 55 MB mail, and the source next to its decoded
 * attachments is another +55 MB. Smaller ones, the usual requests, keep the one FETCH per chunk of
 * messages, which is what makes a backlog drain fast.
 */
export const STREAMED_FETCH_BYTES = 8 * 1024 * 1024;
const FETCH_PIECE_BYTES = 1024 * 1024;

/**
 * Messages of at most this size (or MAX_MESSAGE_BYTES when smaller) are not asked their size: a SEARCH
 * LARGER finds those above it, and only theirs are fetched. 25 of them fit in a chunk's 16 MiB.
 */
export const UNSIZED_MAX_BYTES = Math.floor(CHUNK_MAX_BYTES / CHUNK_MAX_MESSAGES);

/**
 * Group UIDs into fetch chunks: at most 25 messages and 16 MiB per chunk; a message over the size limit
 * (only its header is fetched) or over STREAMED_FETCH_BYTES (fetched in pieces) alone in its own. Bounds memory: two chunks at most are held at a time.
 * A UID missing from `sizes` counts as `unsizedBytes` (the most it can weigh). The first chunk holds at
 * most `firstChunkMessages`: the work starts once that few have arrived, while the next chunk is
 * fetched (a backlog's first answer went out only after 25 messages, 5 MB of common requests, had come
 * in whole).
 */
export function chunkUids(
  uids: number[], sizes: Map<number, number>, maxMessageBytes: number,
  opts: { firstChunkMessages?: number; unsizedBytes?: number } = {},
): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  const first = Math.max(1, Math.min(opts.firstChunkMessages ?? CHUNK_MAX_MESSAGES, CHUNK_MAX_MESSAGES));
  const limit = () => (chunks.length === 0 ? first : CHUNK_MAX_MESSAGES);
  for (const uid of uids) {
    const size = sizes.get(uid) ?? opts.unsizedBytes ?? 0;
    if (size > maxMessageBytes || size > STREAMED_FETCH_BYTES) {
      if (current.length) chunks.push(current);
      chunks.push([uid]);
      current = [];
      bytes = 0;
      continue;
    }
    if (current.length > 0 && (current.length >= limit() || bytes + size > CHUNK_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(uid);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** 'auth_failed': the server refused the login; it stays so, through the retries, until a login succeeds. */
export type WatcherState = 'stopped' | 'connecting' | 'connected' | 'backoff' | 'auth_failed';

/**
 * What a failed IMAP session says about the connection. imapflow sets `authenticationFailed` when the
 * server answered LOGIN/AUTHENTICATE with NO or BAD (its message is then only "Command failed": the
 * server's text is in `response`, its code in `serverResponseCode`). NO [UNAVAILABLE] is the server's
 * own authentication backend being down (Dovecot's "Temporary authentication failure"), not our password.
 */
export function imapTrouble(err: unknown): { kind: ConnectionTroubleKind; error: string; code?: string } {
  const e = (err ?? {}) as { message?: string; code?: string; authenticationFailed?: boolean; serverResponseCode?: string; response?: unknown };
  const response = typeof e.response === 'string' ? e.response : '';
  const code = e.serverResponseCode ?? e.code;
  if (e.authenticationFailed && e.serverResponseCode !== 'UNAVAILABLE') {
    return { kind: 'auth_failed', error: troubleText(`authentication failed: ${[e.serverResponseCode, response || e.message].filter(Boolean).join(' ')}`), code };
  }
  const message = e.message ?? String(err);
  return { kind: 'unreachable', error: troubleText([e.code, message, response && response !== message ? response : ''].filter(Boolean).join(' ')), code };
}

export interface MailboxWatcher {
  start(): void;
  /** Ask for a pass over unprocessed messages (IDLE push and the cron resync call this). */
  requestSync(reason: string): void;
  /** Resolves when the current pass (if any) is over. */
  idle(): Promise<void>;
  /** Finish the message in hand, then log out. */
  stop(): Promise<void>;
  state(): WatcherState;
  reconnects(): number;
  /** Why the last attempts to open a session failed; null once a session is open (or before any attempt). */
  trouble(): ConnectionTrouble | null;
}

/** How long a stop waits for the server to acknowledge LOGOUT before closing the connection. */
const LOGOUT_DEADLINE_MS = 5_000;

/** The keyword that marks a message as handled; kept on the server so a restart skips it. */
export const DONE_KEYWORD = '$LiquibotDone';

/**
 * The only file that imports imapflow. Watches one mailbox: IDLE for push, passes on request,
 * reconnection with capped exponential backoff and jitter. One ImapFlow instance per connection.
 */
export function createMailboxWatcher(opts: WatcherOptions): MailboxWatcher {
  const url = new URL(opts.imapUrl);
  const mailbox = mailboxIdentity(opts.imapUrl).folder;
  const mailboxKey = opts.mailboxKey ?? mailbox;
  const log = opts.log.child({ component: 'imap', mailbox });
  let state: WatcherState = 'stopped';
  let stopping = false;
  let client: ImapFlow | null = null;
  let pass: Promise<void> | null = null;
  let passWanted = false;
  let reconnectCount = 0;
  let trouble: ConnectionTrouble | null = null;
  let skipUpTo = 0;
  let wakeUp: (() => void) | null = null;
  let loop: Promise<void> | null = null;

  const setState = (next: WatcherState, fields: Record<string, unknown> = {}) => {
    if (next !== state) log.info({ from: state, to: next, ...fields }, 'imap state changed');
    state = next;
  };

  function makeClient(): ImapFlow {
    return new ImapFlow({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'imaps:' ? 993 : 143)),
      secure: url.protocol === 'imaps:',
      auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
      logger: false,
      maxIdleTime: opts.maxIdleMinutes * 60_000,
      // Enter IDLE right after each pass (the library waits 15 s by default): new mail is pushed at once.
      autoIdleDelay: 200,
      connectionTimeout: Math.min(15_000, opts.timeoutMs ?? 120_000),
      greetingTimeout: Math.min(15_000, opts.timeoutMs ?? 120_000),
      socketTimeout: opts.timeoutMs ?? 120_000,
      tls: { rejectUnauthorized: url.searchParams.get('tls') !== 'insecure' },
    });
  }

  async function runPass(c: ImapFlow): Promise<void> {
    do {
      passWanted = false;
      const lock = await c.getMailboxLock(mailbox);
      try {
        const uidValidity = BigInt(typeof c.mailbox === 'object' ? c.mailbox.uidValidity : 0n);
        const uids = ((await c.search({ unKeyword: DONE_KEYWORD }, { uid: true })) || []).filter((u) => u > skipUpTo).sort((a, b) => a - b);
        if (uids.length > 0) log.info({ count: uids.length }, 'unprocessed messages found');
        let done = 0;
        opts.onProgress?.({ done, total: uids.length });
        // Sizes only of the messages that may need them (chunkUids); the others weigh UNSIZED_MAX_BYTES at most.
        const unsizedBytes = Math.min(UNSIZED_MAX_BYTES, opts.maxMessageBytes);
        const sizes = await sizesOf(c, uids.length === 0 ? [] : await largerThan(c, uids, unsizedBytes));
        // The first chunk as large as the work done at once: processing starts while the rest comes in.
        const chunks = chunkUids(uids, sizes, opts.maxMessageBytes, { firstChunkMessages: opts.concurrency ?? 1, unsizedBytes });
        // Fetch the next chunk while this one is processed: the IMAP round trips overlap the work. A prefetch
        // is marked handled at once: when the session ends mid-chunk (the server closes it on a UIDVALIDITY
        // change, a restart), flagging fails and the pass ends before awaiting it, and its rejection would
        // otherwise be unhandled, which ends the process.
        const prefetch = (chunk: number[]) => {
          const fetching = fetchChunk(c, chunk, sizes, uidValidity);
          fetching.catch(() => {});
          return fetching;
        };
        let next: Promise<FetchedMessage[]> | null = chunks.length > 0 ? prefetch(chunks[0]!) : null;
        for (let i = 0; i < chunks.length && next; i += 1) {
          const messages = await next;
          next = !stopping && i + 1 < chunks.length ? prefetch(chunks[i + 1]!) : null;
          const handled: number[] = [];
          const moves = new Map<string, number[]>();
          const handleOne = async (msg: FetchedMessage) => {
            let disposition: Disposition;
            try {
              disposition = await opts.handle(msg);
            } catch (err) {
              // Not flagged: it comes back on the next pass. One bad message never stops the batch.
              log.error({ uid: msg.uid, ...errorFields(err) }, 'message not handled, will retry');
              return;
            }
            handled.push(msg.uid);
            if (disposition.moveTo && disposition.moveTo !== mailbox) moves.set(disposition.moveTo, [...(moves.get(disposition.moveTo) ?? []), msg.uid]);
            done += 1;
            opts.onProgress?.({ done, total: uids.length });
          };
          await runInOrderPerKey(messages, opts.orderKey ?? (() => ''), opts.concurrency ?? 1, handleOne, () => stopping);
          handled.sort((a, b) => a - b);
          // Flag (and move) only what was committed.
          if (handled.length > 0) await c.messageFlagsAdd(handled.join(','), [DONE_KEYWORD], { uid: true });
          for (const [folder, moved] of moves) {
            await ensureFolder(c, folder);
            await c.messageMove(moved.join(','), folder, { uid: true });
          }
        }
        if (next) await next.catch(() => {});
      } finally {
        lock.release();
      }
    } while (passWanted && !stopping);
  }

  /** The messages of a chunk: whole sources, or only the header of one too large to download. */
  async function fetchChunk(c: ImapFlow, chunk: number[], sizes: Map<number, number>, uidValidity: bigint): Promise<FetchedMessage[]> {
    const headerOnly = chunk.length === 1 && (sizes.get(chunk[0]!) ?? 0) > opts.maxMessageBytes;
    const streamed = chunk.length === 1 && !headerOnly && (sizes.get(chunk[0]!) ?? 0) > STREAMED_FETCH_BYTES;
    const fetched = await c.fetchAll(chunk.join(','), headerOnly || streamed ? { headers: true } : { source: true }, { uid: true });
    const byUid = new Map(fetched.map((m) => [m.uid, m]));
    const out: FetchedMessage[] = [];
    for (const uid of chunk) {
      const m = byUid.get(uid);
      const raw = m ? (headerOnly || streamed ? m.headers : m.source) : undefined;
      if (!raw) {
        log.warn({ uid }, 'message vanished before fetch');
        continue;
      }
      const download = streamed
        ? async () => (await c.download(String(uid), undefined, { uid: true, chunkSize: FETCH_PIECE_BYTES })).content ?? null
        : undefined;
      out.push({ mailbox: mailboxKey, uidValidity, uid, raw, sizeBytes: sizes.get(uid) || raw.length, headerOnly, ...(download ? { download } : {}) });
    }
    return out;
  }

  /**
   * Which of `uids` are larger than `bytes` (RFC822.SIZE, the size with CRLF line ends): one SEARCH, where
   * fetching every size cost ~80 ms of this thread for a backlog of 1000 (each answer parsed and handed
   * through an async iterator). Whatever their flags (a large message flagged meanwhile must not be
   * taken for a small one), within the UIDs of `uids` (sorted): a mailbox that keeps its processed mail
   * does not list a year of large messages at each pass. The server's answer is kept to `uids`.
   */
  async function largerThan(c: ImapFlow, uids: number[], bytes: number): Promise<number[]> {
    const wanted = new Set(uids);
    const range = `${uids[0]!}:${uids[uids.length - 1]!}`;
    return ((await c.search({ uid: range, larger: bytes }, { uid: true })) || []).filter((u) => wanted.has(u));
  }

  /** RFC822.SIZE of each message, fetched for a range at a time (collected first: no command inside a fetch loop). */
  async function sizesOf(c: ImapFlow, uids: number[]): Promise<Map<number, number>> {
    const sizes = new Map<number, number>();
    for (let i = 0; i < uids.length; i += 500) {
      const range = uids.slice(i, i + 500).join(',');
      for await (const m of c.fetch(range, { size: true }, { uid: true })) sizes.set(m.uid, m.size ?? 0);
    }
    return sizes;
  }

  const knownFolders = new Set<string>();
  async function ensureFolder(c: ImapFlow, folder: string): Promise<void> {
    if (knownFolders.has(folder)) return;
    try {
      await c.mailboxCreate(folder);
    } catch {
      // Exists already (ALREADYEXISTS) or cannot be created: the MOVE then reports the real problem.
    }
    knownFolders.add(folder);
  }

  function requestSync(reason: string): void {
    if (stopping) return;
    const c = client;
    if (!c || state !== 'connected') {
      // A refused login keeps its long backoff: a resync would only be refused again (and count as one more failure).
      if (state !== 'auth_failed') wakeUp?.();
      return;
    }
    if (pass) {
      passWanted = true;
      return;
    }
    log.debug({ reason }, 'sync requested');
    pass = runPass(c)
      .catch((err) => log.warn(errorFields(err), 'sync pass interrupted'))
      .finally(() => {
        pass = null;
      });
  }

  async function session(): Promise<void> {
    const c = makeClient();
    client = c;
    const closed = new Promise<void>((resolve) => {
      c.on('close', () => resolve());
    });
    c.on('error', (err: Error) => log.warn({ err: err.message }, 'imap connection error'));
    await c.connect();
    const opened = await c.mailboxOpen(mailbox);
    skipUpTo = (await opts.onMailboxOpened?.({ mailbox: mailboxKey, folder: mailbox, uidValidity: BigInt(opened.uidValidity), exists: opened.exists, uidNext: opened.uidNext })) ?? 0;
    c.on('exists', () => requestSync('exists'));
    trouble = null;
    setState('connected', { uidValidity: String(opened.uidValidity), exists: opened.exists });
    requestSync('connected');
    await closed;
    if (pass) await pass;
  }

  async function run(): Promise<void> {
    let attempt = 0;
    while (!stopping) {
      // After a refused login the state stays auth_failed until a login succeeds, through the retries.
      if (state !== 'auth_failed') setState('connecting');
      const startedAt = Date.now();
      let failure: ReturnType<typeof imapTrouble> | null = null;
      try {
        await session();
      } catch (err) {
        failure = imapTrouble(err);
        if (client) client.close();
      }
      client = null;
      if (stopping) break;
      // A session that lived a while resets the backoff; a failing one grows it.
      attempt = Date.now() - startedAt > 60_000 ? 1 : attempt + 1;
      reconnectCount += 1;
      const kind = failure?.kind ?? 'unreachable';
      const delay = opts.reconnectDelay?.(kind, attempt) ?? reconnectDelayMs(kind, attempt, { maxMs: opts.reconnectMaxSeconds * 1000 });
      if (failure) {
        trouble = {
          kind: failure.kind, error: failure.error, since: trouble?.since ?? new Date(startedAt), lastAttemptAt: new Date(startedAt),
          attempts: (trouble?.attempts ?? 0) + 1, nextAttemptAt: new Date(Date.now() + delay),
        };
        const fields = { err: failure.error, code: failure.code, attempt: trouble.attempts, retryInMs: delay };
        // A refused login is the operator's to fix: an error, once per attempt, and the attempts are minutes apart.
        if (failure.kind === 'auth_failed') log.error(fields, 'imap authentication failed');
        else log.warn(fields, 'imap session failed');
      }
      setState(failure?.kind === 'auth_failed' ? 'auth_failed' : 'backoff', { retryInMs: delay, attempt });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wakeUp = null;
    }
    setState('stopped');
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      trouble = null;
      loop = run();
    },
    requestSync,
    async idle() {
      while (pass) await pass;
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      if (pass) await pass;
      const c = client;
      if (c) {
        // A server that stopped answering would hold LOGOUT until the socket timeout: a few seconds, then close.
        let deadline: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => {
          deadline = setTimeout(resolve, LOGOUT_DEADLINE_MS);
        });
        await Promise.race([c.logout().catch(() => {}), late]);
        clearTimeout(deadline);
        c.close();
      }
      if (loop) await loop;
      loop = null;
    },
    state: () => state,
    reconnects: () => reconnectCount,
    trouble: () => trouble,
  };
}
