/**
 * What reading a court document gives, and the bounds it runs under. Shared by the daemon side
 * (read-document.ts) and the reader process (reader-process.ts); types and constants only.
 */
import type { DocumentKind } from '../../parsers/document-sniff.js';
import type { DocumentFacts } from './document-facts';

export type { DocumentKind };

/** Why a document gave no text. SCREAMING_SNAKE like the other codes of liquibot. */
export const UNREADABLE_REASONS = {
  ENCRYPTED: 'The PDF needs a password to be opened',
  DAMAGED: 'The file is not a readable PDF or image (truncated, corrupt, not what its bytes claim)',
  TOO_LARGE: 'The file is larger than maxBytes',
  TOO_MANY_PAGES: 'The document declares more pages than maxPages (a page bomb, or not a judgment)',
  IMAGE_TOO_LARGE: 'An image declares more pixels than maxImagePixels',
  UNSUPPORTED: 'A format variant the reader does not handle (e.g. a Deflate-compressed TIFF)',
  NO_TEXT: 'Nothing legible: no text layer, and OCR found no real words (blank, noise, too blurred)',
  TIMEOUT: 'The reading took longer than timeoutMs; the reader was killed',
  MEMORY: 'The reader went over workerMaxMb; it was killed',
  READER_FAILED: 'The reader process could not start or died for another reason',
  CANCELLED: 'The caller aborted the reading, or the reader was closed',
  QUEUE_FULL: 'More readings were waiting than maxQueue',
} as const;

export type UnreadableReason = keyof typeof UNREADABLE_REASONS;

/** A document that gave text: from its text layer, or by OCR for some of its pages. */
export interface DocumentRead {
  status: 'read';
  /** 'ocr' when the text of at least one page comes from OCR. */
  method: 'text' | 'ocr';
  /** Pages of the document (1 for a JPEG or PNG, the directories of a TIFF). */
  pages: number;
  /** Pages whose text was obtained (text layer or OCR). */
  pagesRead: number;
  /** Pages read by OCR, 1-based. */
  ocrPages: number[];
  /** Pages left unread: past maxOcrPages, past the time budget, or whose reading failed. 1-based. */
  skippedPages: number[];
  /** The text, page after page, pages separated by '\f' (page n is the n-th segment); bounded by maxTextChars. */
  text: string;
  textTruncated: boolean;
  /** Mean OCR confidence (0–100) over the OCR pages; absent when no page was OCRed. */
  confidence?: number;
  facts: DocumentFacts;
  /** Time spent by the reader on this document (queue wait excluded). */
  elapsedMs: number;
}

export interface DocumentUnreadable {
  status: 'unreadable';
  reason: UnreadableReason;
  /** For logs and the agents: what exactly went wrong. Never personal data. */
  detail: string;
  /** Pages of the document, when it got that far. */
  pages?: number;
  elapsedMs: number;
}

export type DocumentReading = DocumentRead | DocumentUnreadable;

/** Bounds of the reading; each has a default below, named as its configuration variable would be. */
export interface DocumentReaderOptions {
  /** Reader processes running side by side. */
  poolSize: number;
  /** Readings waiting for a reader beyond this are refused at once (QUEUE_FULL). */
  maxQueue: number;
  /** Largest input, bytes. */
  maxBytes: number;
  /** A document declaring more pages is refused (TOO_MANY_PAGES) without reading any. */
  maxPages: number;
  /** Pages read by OCR at most, first ones first; text-layer pages are not counted. */
  maxOcrPages: number;
  /** Wall time of one reading; the reader is killed past it (TIMEOUT). */
  timeoutMs: number;
  /** Resident memory of a reader process, MB; it is killed past it (MEMORY). */
  workerMaxMb: number;
  /** Resolution PDF pages are rasterised at for OCR. */
  ocrDpi: number;
  /** An image (attachment or image in a PDF) with more pixels is refused (IMAGE_TOO_LARGE) or not drawn. */
  maxImagePixels: number;
  /** Text kept per document. */
  maxTextChars: number;
  /** A reader process idle this long exits, giving its memory back; the next reading starts a new one. */
  idleMs: number;
}

/** Reader processes: one is enough for a support mailbox, and OCR takes a whole core. */
export const DOCUMENT_READERS = 1;
export const DOCUMENT_QUEUE_MAX = 32;
/** As MAX_MESSAGE_BYTES: a document cannot be larger than the mail that brings it. */
export const DOCUMENT_MAX_BYTES = 50 * 1024 * 1024;
/** Court minutes run to a few pages; thousands are a page bomb. */
export const DOCUMENT_MAX_PAGES = 100;
/** The SIREN and the ruling are on the first pages; ~3 s of CPU per page at OCR_DPI. */
export const DOCUMENT_MAX_OCR_PAGES = 5;
export const DOCUMENT_READ_TIMEOUT_MS = 60_000;
/**
 * Measured peaks of a reader (bench/documents.ts): ~80–210 MB reading text PDFs (a 40 MiB one
 * included), 350–430 MB OCRing A4 pages at 200 dpi, ~520 MB at 300 dpi.
 */
export const DOCUMENT_WORKER_MAX_MB = 768;
/**
 * Measured on A4 pages scanned at 300 dpi (7, 8, 11 pt; clean and faded; bench/documents.ts): 150 and
 * 200 dpi read every word (faded: 99 %) and every fact; 200 gives tesseract more confidence on 7 pt
 * (88 vs 85) for ~20 % more time; 300 is 20–40 % slower still, takes 100 MB more, and does worse on the
 * faded JPEG scans (artefacts at full size: 97–98 % of words, a SIREN or a court missed).
 */
export const OCR_DPI = 200;
/** 40 Mpx: an A4 page scanned at 600 dpi is 35 Mpx, a 48 Mpx phone photo is refused. */
export const DOCUMENT_MAX_IMAGE_PIXELS = 40_000_000;
export const DOCUMENT_MAX_TEXT_CHARS = 200_000;
export const DOCUMENT_READER_IDLE_MS = 60_000;

export const DOCUMENT_READER_DEFAULTS: Readonly<DocumentReaderOptions> = Object.freeze({
  poolSize: DOCUMENT_READERS,
  maxQueue: DOCUMENT_QUEUE_MAX,
  maxBytes: DOCUMENT_MAX_BYTES,
  maxPages: DOCUMENT_MAX_PAGES,
  maxOcrPages: DOCUMENT_MAX_OCR_PAGES,
  timeoutMs: DOCUMENT_READ_TIMEOUT_MS,
  workerMaxMb: DOCUMENT_WORKER_MAX_MB,
  ocrDpi: OCR_DPI,
  maxImagePixels: DOCUMENT_MAX_IMAGE_PIXELS,
  maxTextChars: DOCUMENT_MAX_TEXT_CHARS,
  idleMs: DOCUMENT_READER_IDLE_MS,
});

/** The part of the options the reader process needs for one document. */
export type ReadLimits = Pick<DocumentReaderOptions, 'maxPages' | 'maxOcrPages' | 'ocrDpi' | 'maxImagePixels' | 'maxTextChars'> & {
  /** Past this many ms from the start, no new OCR page is begun (the rest is skipped, not lost to TIMEOUT). */
  ocrBudgetMs: number;
};
