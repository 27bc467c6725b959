/**
 * The reader process: reads the documents the daemon sends, one at a time, and answers with the
 * reading. It is run bundled (reader-bundle.ts) by plain node, and killed by the daemon past its time
 * or memory bound; it exits when the daemon goes away. Argument 1: a file in liquibot's root, from
 * which the packages (pdfjs-dist, tesseract.js) are resolved at run time.
 */
import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { assembleReading } from './assemble-reading';
import type { DocumentReading } from './document-reading';
import { OcrEngine } from './ocr-engine';
import { readImage } from './read-image';
import { readPdf } from './read-pdf';
import type { ReaderMessage, ReadRequest } from './reader-protocol';

const nodeModulesFrom = process.argv[2] ?? import.meta.url;
const ocr = new OcrEngine();

/** The private directory of this bundle (reader-bundle.ts), removed if the daemon dies without doing it. */
const here = dirname(fileURLToPath(import.meta.url));
const bundleDir = basename(here).startsWith('liquibot-reader-') ? here : null;

// If the daemon dies (SIGKILL, a crash) while this process is stuck in a reading, 'disconnect' cannot
// be handled: the main thread is busy. A watchdog thread sees the parent change and kills the process.
new Worker(
  `const { workerData } = require('node:worker_threads');
   setInterval(() => {
     if (process.ppid === workerData.ppid) return;
     if (workerData.bundleDir) require('node:fs').rmSync(workerData.bundleDir, { recursive: true, force: true });
     process.kill(process.pid, 'SIGKILL');
   }, 1000);`,
  { eval: true, workerData: { ppid: process.ppid, bundleDir } },
).unref();

function send(message: ReaderMessage): void {
  process.send?.(message);
}

async function read(req: ReadRequest): Promise<DocumentReading> {
  const started = performance.now();
  const { buffer, byteOffset, byteLength } = req.content;
  // pdfjs refuses a Buffer, the canvas wants one
  const outcome =
    req.kind === 'pdf'
      ? await readPdf(new Uint8Array(buffer, byteOffset, byteLength), req.limits, ocr, nodeModulesFrom, started)
      : await readImage(Buffer.from(buffer, byteOffset, byteLength), req.kind, req.limits, ocr, nodeModulesFrom);
  const elapsedMs = Math.round(performance.now() - started);
  if ('unreadable' in outcome) {
    return { status: 'unreadable', reason: outcome.unreadable, detail: outcome.detail, ...(outcome.pages === undefined ? {} : { pages: outcome.pages }), elapsedMs };
  }
  return assembleReading(outcome, req.limits.maxTextChars, elapsedMs);
}

let current: ReadRequest | null = null;

process.on('message', (req: ReadRequest) => {
  if (req?.type !== 'read') return;
  current = req;
  const started = performance.now();
  read(req)
    // the document's own faults are outcomes of readPdf/readImage; what throws is the reader's (tesseract, the canvas)
    .catch((err: unknown): DocumentReading => ({
      status: 'unreadable',
      reason: 'READER_FAILED',
      detail: `reader error: ${String((err as Error)?.message ?? err).slice(0, 200)}`,
      elapsedMs: Math.round(performance.now() - started),
    }))
    .then((reading) => {
      current = null;
      send({ type: 'result', id: req.id, reading });
    });
});

// A library failing outside the reading's promise (a worker's stray error): answer, then die; the
// daemon starts a fresh reader for the next document.
process.on('uncaughtException', (err) => {
  if (current) {
    const detail = `reader crashed: ${String(err?.message ?? err).slice(0, 200)}`;
    send({ type: 'result', id: current.id, reading: { status: 'unreadable', reason: 'READER_FAILED', detail, elapsedMs: 0 } });
  }
  process.exitCode = 70;
  setImmediate(() => process.exit(70));
});
process.on('disconnect', () => {
  // the daemon is gone; had it closed us, it would have removed the bundle itself (force: no error)
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  void ocr.terminate().finally(() => process.exit(0));
});

send({ type: 'ready' });
