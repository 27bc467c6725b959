import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSiren, type DocumentFacts } from '../../src/documents/document-facts';
import type { DocumentRead, DocumentReading, UnreadableReason } from '../../src/documents/document-reading';
import { createDocumentReader, type DocumentReader } from '../../src/documents/read-document';
import { buildCorpus, cidFontPdf, pdfkit, scannedPdf, scanPng, scanTiff, type CorpusDocument, type PdfKit } from '../support/documents/corpus';
import { CORPUS_SIREN, OTHER_SIREN } from '../support/documents/judgment-text';

// The generated corpus read by real reader processes (pdfjs, tesseract), one document after another.
// About 20 s on a 2-core machine: the OCR cases are few and mostly small.

const NANTERRE = 'Tribunal de commerce de Nanterre';
const MJ = 'SELARL MJ CONSEIL (Maître Jeanne MARTIN)';

interface Expected {
  method: 'text' | 'ocr';
  pages?: number;
  siren: ReturnType<typeof compareSiren>;
  court?: string;
  date?: string;
  company?: string;
  liquidator?: string | null;
}

const READ: [string, Expected][] = [
  ['cid-font', { method: 'text', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE', liquidator: MJ }],
  ['standard-font', { method: 'text', siren: { result: 'found', page: 1 }, court: 'Tribunal judiciaire de Strasbourg', date: '2026-04-02', company: 'EXEMPLE INDUSTRIE', liquidator: MJ }],
  ['letter-spaced', { method: 'text', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE', liquidator: MJ }],
  ['multi-page', { method: 'text', pages: 3, siren: { result: 'found', page: 2 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE', liquidator: MJ }],
  ['table', { method: 'text', siren: { result: 'found', page: 1 }, court: 'Tribunal de commerce de Lyon', date: '2026-04-02', company: 'LES JARDINS DE MARIE', liquidator: 'Maître Paul LEROY' }],
  ['other-company', { method: 'text', siren: { result: 'other', sirens: [OTHER_SIREN] }, court: 'Tribunal de commerce de Paris', date: '2026-03-15', company: 'AUTRE ENTREPRISE', liquidator: MJ }],
  ['scanned', { method: 'ocr', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE', liquidator: MJ }],
  ['photo', { method: 'ocr', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE', liquidator: null }],
  ['photo-sideways', { method: 'ocr', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE' }],
  ['scan-png', { method: 'ocr', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE' }],
  ['scan-tiff', { method: 'ocr', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE' }],
  // Deflate: tesseract's libtiff cannot, the `tiff` package decodes it for the raster path
  ['scan-tiff-deflate', { method: 'ocr', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE' }],
  // read badly as they are, then turned the way their ink says
  ['scan-sideways', { method: 'ocr', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE' }],
  ['scan-upside-down', { method: 'ocr', siren: { result: 'found', page: 1 }, court: NANTERRE, date: '2026-03-15', company: 'EXEMPLE INDUSTRIE' }],
];

const UNREADABLE: [string, UnreadableReason, RegExp][] = [
  ['blank-scan', 'NO_TEXT', /blank/],
  ['noise-scan', 'NO_TEXT', /noise/],
  ['encrypted', 'ENCRYPTED', /password/],
  ['truncated', 'DAMAGED', /Invalid PDF/],
  ['garbage', 'DAMAGED', /Invalid PDF/],
  ['page-bomb', 'TOO_MANY_PAGES', /20000 pages/],
  ['huge-image-pdf', 'NO_TEXT', /page 1: blank/],
  ['huge-png', 'IMAGE_TOO_LARGE', /100000 × 100000/],
  ['decompression-bomb', 'MEMORY', /768 MB/],
];

let corpus: Map<string, CorpusDocument>;
let reader: DocumentReader;

beforeAll(async () => {
  corpus = new Map((await buildCorpus()).map((d) => [d.name, d]));
  reader = createDocumentReader();
}, 30_000);

afterAll(async () => {
  await reader?.close();
});

/** Lateness of a 10 ms timer while the corpus is read, ms: the daemon's event loop while its readers work. */
let worstLateness = 0;

async function read(name: string): Promise<DocumentReading> {
  const doc = corpus.get(name)!;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    worstLateness = Math.max(worstLateness, now - last - 10);
    last = now;
  }, 10);
  try {
    return await reader.readDocument(doc.content, doc.kind);
  } finally {
    clearInterval(tick);
  }
}

function summary(facts: DocumentFacts) {
  return {
    court: facts.court?.value,
    date: facts.judgmentDate?.date,
    company: facts.company?.value,
    liquidator: facts.liquidator?.value ?? null,
  };
}

describe('the corpus, read', () => {
  it('has a case for every document', () => {
    // nested-forms runs until its reader is killed: under 'bounds', with a short timeoutMs
    expect([...READ.map(([n]) => n), ...UNREADABLE.map(([n]) => n), 'nested-forms'].sort()).toEqual([...corpus.keys()].sort());
  });

  it.each(READ)('%s', async (name, expected) => {
    const reading = await read(name);
    expect(reading).toMatchObject({ status: 'read', method: expected.method, pages: expected.pages ?? 1, pagesRead: expected.pages ?? 1, skippedPages: [] });
    const { facts } = reading as DocumentRead;
    expect(compareSiren(facts, CORPUS_SIREN)).toEqual(expected.siren);
    expect(facts.liquidation).not.toBeNull();
    const wanted = Object.fromEntries(Object.entries({ court: expected.court, date: expected.date, company: expected.company, liquidator: expected.liquidator }).filter(([, v]) => v !== undefined));
    expect(summary(facts)).toMatchObject(wanted);
    if (expected.method === 'ocr') expect((reading as DocumentRead).confidence).toBeGreaterThan(50);
  }, 30_000);

  it.each(UNREADABLE)('%s → %s', async (name, reason, detail) => {
    const reading = await read(name);
    expect(reading).toMatchObject({ status: 'unreadable', reason });
    expect(reading.status === 'unreadable' && reading.detail).toMatch(detail);
  }, 30_000);

  it('kept the event loop free meanwhile', () => {
    // the scanned page alone takes 1.5–3 s of OCR: done on this thread, one tick would be that late
    expect(worstLateness).toBeLessThan(500);
  });

  it('kept the reader within its bounds, and a new reader served the readings after the bomb', async () => {
    expect(reader.stats().peakReaderRssMb).toBeLessThan(reader.options.workerMaxMb + 150);
    expect(await reader.readDocument(corpus.get('cid-font')!.content, 'pdf')).toMatchObject({ status: 'read' });
  }, 30_000);
});

describe('bounds', () => {
  it.each([
    ['an endless loop (10⁹ nested form calls)', () => corpus.get('nested-forms')!.content],
    ['an OCR longer than the bound', () => scannedPdf()],
  ])('kills %s past timeoutMs (TIMEOUT), and the next reading gets a new reader', async (_, make) => {
    const r = createDocumentReader({ timeoutMs: 1500 });
    try {
      const started = performance.now();
      expect(await r.readDocument(await make(), 'pdf')).toMatchObject({ status: 'unreadable', reason: 'TIMEOUT' });
      expect(performance.now() - started).toBeLessThan(4000);
      expect(r.stats().peakReaderRssMb).toBeLessThan(r.options.workerMaxMb);
      expect(await r.readDocument(await cidFontPdf(), 'pdf')).toMatchObject({ status: 'read', method: 'text' });
    } finally {
      await r.close();
    }
  }, 30_000);

  it('OCRs at most maxOcrPages pages and says which were skipped', async () => {
    const scan = scanPng();
    const pdf = await pdfkit((doc) => {
      for (let p = 0; p < 3; p++) (p === 0 ? doc : doc.addPage()).image(scan, 0, 0, { width: doc.page.width });
    }, { margin: 0, size: SCAN_PAGE });
    const r = createDocumentReader({ maxOcrPages: 1 });
    try {
      expect(await r.readDocument(pdf, 'pdf')).toMatchObject({ status: 'read', method: 'ocr', pages: 3, pagesRead: 1, ocrPages: [1], skippedPages: [2, 3] });
    } finally {
      await r.close();
    }
  }, 30_000);

  // pages the size of the scan (8.27 × 4.5 in), so that OCR stays short
  const SCAN_PAGE: [number, number] = [595, 324];
  const drawings: Record<string, (doc: PdfKit, scan: Buffer) => unknown> = {
    'a scan with a line of text over it': (doc, scan) => doc.image(scan, 0, 0, { width: doc.page.width }).text('Copie certifiée conforme', 60, 300),
    'a short page of plain text (a signature page)': (doc) => doc.text('Le Greffier          Le Président', 60, 100),
  };
  it.each([
    ['a scan with a line of text over it', 'ocr'],
    ['a short page of plain text (a signature page)', 'text'],
  ])('reads %s by %s', async (name, method) => {
    const scan = scanPng();
    const pdf = await pdfkit((doc) => void drawings[name]!(doc.font('Helvetica'), scan), { margin: 0, size: SCAN_PAGE });
    expect(await reader.readDocument(pdf, 'pdf')).toMatchObject({ status: 'read', method });
  }, 30_000);

  it('refuses a document larger than maxBytes without starting a reader', async () => {
    const r = createDocumentReader({ maxBytes: 1000 });
    expect(await r.readDocument(await cidFontPdf(), 'pdf')).toMatchObject({ status: 'unreadable', reason: 'TOO_LARGE' });
    expect(r.stats().readers).toBe(0);
    await r.close();
  });

  it('queues readings for a pool of one, refuses past maxQueue, and cancels on abort', async () => {
    const r = createDocumentReader({ poolSize: 1, maxQueue: 2 });
    try {
      const pdf = await cidFontPdf();
      const aborted = new AbortController();
      const all = Promise.all([
        r.readDocument(pdf, 'pdf'),
        r.readDocument(pdf, 'pdf', { signal: aborted.signal }),
        r.readDocument(pdf, 'pdf'),
        r.readDocument(pdf, 'pdf'),
      ]);
      expect(r.stats()).toMatchObject({ queued: 2 });
      aborted.abort();
      const [first, cancelled, third, refused] = await all;
      expect([first.status, cancelled.status, third.status, refused.status]).toEqual(['read', 'unreadable', 'read', 'unreadable']);
      expect(cancelled).toMatchObject({ reason: 'CANCELLED' });
      expect(refused).toMatchObject({ reason: 'QUEUE_FULL' });
    } finally {
      await r.close();
    }
  }, 30_000);

  it('stops a running reading on abort (its reader is killed) and reads the next one', async () => {
    const r = createDocumentReader();
    try {
      const aborted = new AbortController();
      const running = r.readDocument(await scannedPdf(), 'pdf', { signal: aborted.signal });
      setTimeout(() => aborted.abort(), 400);
      expect(await running).toMatchObject({ status: 'unreadable', reason: 'CANCELLED' });
      expect(await r.readDocument(await cidFontPdf(), 'pdf')).toMatchObject({ status: 'read' });
    } finally {
      await r.close();
    }
  }, 30_000);

  it('replaces a reader killed from outside, at rest or while reading (READER_FAILED)', async () => {
    const readerPids = () =>
      execFileSync('pgrep', ['-P', String(process.pid), '-f', 'liquibot-reader-'], { encoding: 'utf8' }).trim().split('\n').map(Number);
    const r = createDocumentReader();
    try {
      const pdf = await cidFontPdf();
      expect(await r.readDocument(pdf, 'pdf')).toMatchObject({ status: 'read' });
      for (const pid of readerPids()) process.kill(pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await r.readDocument(pdf, 'pdf')).toMatchObject({ status: 'read' });
      const running = r.readDocument(await scannedPdf(), 'pdf');
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const pid of readerPids()) process.kill(pid, 'SIGKILL');
      expect(await running).toMatchObject({ status: 'unreadable', reason: 'READER_FAILED', detail: 'reader died (SIGKILL)' });
      expect(await r.readDocument(pdf, 'pdf')).toMatchObject({ status: 'read' });
    } finally {
      await r.close();
    }
  }, 30_000);

  it('cancels what waits on close, and every later reading', async () => {
    const r = createDocumentReader();
    const pdf = await cidFontPdf();
    const pending = [r.readDocument(pdf, 'pdf'), r.readDocument(pdf, 'pdf')];
    await r.close();
    for (const reading of await Promise.all(pending)) expect(reading).toMatchObject({ status: 'unreadable', reason: 'CANCELLED' });
    expect(await r.readDocument(pdf, 'pdf')).toMatchObject({ status: 'unreadable', reason: 'CANCELLED' });
    expect(r.stats().readers).toBe(0);
  }, 30_000);

});
