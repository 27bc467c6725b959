/**
 * Reading court documents for the daemon and `liquibot check`: a small pool of reader processes and a
 * queue in front of it. The daemon makes one reader at start (`createDocumentReader`), calls
 * `readDocument` for each document, and `close()` on stop. Readings never throw: a document that cannot
 * be read, a reader that is killed past its bounds, a closed reader, all resolve as
 * `{ status: 'unreadable', reason }`. No database, no transaction, no lock is held while reading.
 */
import type { DocumentKind } from '../../parsers/document-sniff.js';
import {
  DOCUMENT_READER_DEFAULTS,
  type DocumentReaderOptions,
  type DocumentReading,
  type ReadLimits,
  type UnreadableReason,
} from './document-reading';
import { buildReaderBundle, type ReaderBundle } from './reader-bundle';
import { ReaderChild, type ReaderJob } from './reader-child';

export type { DocumentReading, DocumentReaderOptions };

export interface ReadDocumentOptions {
  /** Aborting cancels the reading (CANCELLED): dropped from the queue, or its reader killed. */
  signal?: AbortSignal;
}

export interface DocumentReaderStats {
  readers: number;
  busy: number;
  queued: number;
  /** Highest resident memory of any reader so far, MB (from /proc; 0 where there is none). */
  peakReaderRssMb: number;
}

export interface DocumentReader {
  readonly options: Readonly<DocumentReaderOptions>;
  /** Reads one document (its bytes and the kind its magic numbers gave, parsers/document-sniff.ts). */
  readDocument(content: Uint8Array, kind: DocumentKind, opts?: ReadDocumentOptions): Promise<DocumentReading>;
  stats(): DocumentReaderStats;
  /** Cancels what waits, kills the readers and removes their code; later readings are CANCELLED. */
  close(): Promise<void>;
}

interface Queued {
  job: ReaderJob;
  signal?: AbortSignal;
  resolve: (reading: DocumentReading) => void;
}

/** Share of timeoutMs after which the reader begins no new OCR page (it returns what it has). */
const OCR_BUDGET_SHARE = 0.6;

function unreadable(reason: UnreadableReason, detail: string): DocumentReading {
  return { status: 'unreadable', reason, detail, elapsedMs: 0 };
}

/** Options with the defaults filled in; a bad value is a programmer's error (config validates them). */
function withDefaults(partial: Partial<DocumentReaderOptions>): DocumentReaderOptions {
  const options = { ...DOCUMENT_READER_DEFAULTS, ...partial };
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`document reader option ${name}: ${value}`);
  }
  if (options.poolSize < 1) throw new RangeError('document reader option poolSize must be at least 1');
  return options;
}

export function createDocumentReader(partial: Partial<DocumentReaderOptions> = {}): DocumentReader {
  const options = Object.freeze(withDefaults(partial));
  const limits: ReadLimits = {
    maxPages: options.maxPages,
    maxOcrPages: options.maxOcrPages,
    ocrDpi: options.ocrDpi,
    maxImagePixels: options.maxImagePixels,
    maxTextChars: options.maxTextChars,
    ocrBudgetMs: options.timeoutMs * OCR_BUDGET_SHARE,
  };
  const queue: Queued[] = [];
  const children = new Set<ReaderChild>();
  const idleTimers = new Map<ReaderChild, NodeJS.Timeout>();
  let bundle: Promise<ReaderBundle> | null = null;
  let closed = false;
  let nextId = 1;
  let busy = 0;
  let peakReaderRssMb = 0;

  function retire(child: ReaderChild): Promise<void> {
    clearTimeout(idleTimers.get(child));
    idleTimers.delete(child);
    children.delete(child);
    peakReaderRssMb = Math.max(peakReaderRssMb, child.peakRssMb);
    return child.close();
  }

  async function run(item: Queued, child: ReaderChild): Promise<void> {
    busy++;
    const onAbort = () => child.kill('CANCELLED');
    item.signal?.addEventListener('abort', onAbort, { once: true });
    // aborted while its reader was starting: the listener above will never fire
    const reading = item.signal?.aborted ? unreadable('CANCELLED', 'aborted before reading') : await child.read(item.job, limits);
    item.signal?.removeEventListener('abort', onAbort);
    busy--;
    peakReaderRssMb = Math.max(peakReaderRssMb, child.peakRssMb);
    if (!child.alive || child.worn || closed) void retire(child);
    else idleTimers.set(child, setTimeout(() => void retire(child), options.idleMs).unref());
    item.resolve(reading);
    pump();
  }

  async function startChild(): Promise<ReaderChild | null> {
    bundle ??= buildReaderBundle();
    const b = await bundle.catch(() => null);
    // a failed build is tried again by the next reading
    if (b === null) bundle = null;
    if (b === null || closed) return null;
    return new ReaderChild(b.file, options);
  }

  let starting = 0;
  function pump(): void {
    // a reader that died at rest (killed from outside, crashed) frees its place in the pool
    for (const c of children) if (!c.alive && idleTimers.has(c)) void retire(c);
    while (queue.length > 0 && !closed) {
      const idle = [...children].find((c) => c.idle && idleTimers.has(c));
      if (idle) {
        clearTimeout(idleTimers.get(idle));
        idleTimers.delete(idle);
        void run(queue.shift()!, idle);
        continue;
      }
      if (children.size + starting >= options.poolSize) return;
      const item = queue.shift()!;
      starting++;
      void startChild().then((child) => {
        starting--;
        if (child === null) {
          item.resolve(closed ? unreadable('CANCELLED', 'the document reader is closed') : unreadable('READER_FAILED', 'the reader could not be built'));
          return;
        }
        children.add(child);
        void run(item, child);
      });
    }
  }

  return {
    options,
    readDocument(content, kind, opts = {}) {
      if (closed) return Promise.resolve(unreadable('CANCELLED', 'the document reader is closed'));
      if (content.byteLength > options.maxBytes) {
        return Promise.resolve(unreadable('TOO_LARGE', `${content.byteLength} bytes, more than ${options.maxBytes}`));
      }
      if (opts.signal?.aborted) return Promise.resolve(unreadable('CANCELLED', 'aborted before reading'));
      if (queue.length >= options.maxQueue) return Promise.resolve(unreadable('QUEUE_FULL', `${queue.length} documents waiting`));
      return new Promise((resolve) => {
        const item: Queued = { job: { id: nextId++, content, kind }, resolve };
        if (opts.signal) {
          item.signal = opts.signal;
          opts.signal.addEventListener(
            'abort',
            () => {
              const at = queue.indexOf(item);
              if (at >= 0) {
                queue.splice(at, 1);
                resolve(unreadable('CANCELLED', 'aborted while waiting'));
              }
            },
            { once: true },
          );
        }
        queue.push(item);
        pump();
      });
    },
    stats() {
      const peak = Math.max(peakReaderRssMb, ...[...children].map((c) => c.peakRssMb));
      return { readers: children.size, busy, queued: queue.length, peakReaderRssMb: Math.round(peak) };
    },
    async close() {
      closed = true;
      for (const item of queue.splice(0)) item.resolve(unreadable('CANCELLED', 'the document reader is closed'));
      await Promise.all([...children].map(retire));
      const b = await bundle?.catch(() => null);
      b?.remove();
    },
  };
}
