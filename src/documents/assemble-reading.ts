/**
 * A reading from the text of its pages: bounded text with page separators, the facts, the method, or
 * NO_TEXT when no page gave anything legible. Pure; the reader process calls it last.
 */
import { extractDocumentFacts } from './document-facts';
import type { DocumentReading, UnreadableReason } from './document-reading';

export interface PagesRead {
  pages: number;
  /** Text of each page (`pages` entries), in order; null for a page not read (skipped, or its reading failed). */
  texts: (string | null)[];
  /** 1-based pages whose text came from OCR. */
  ocrPages: number[];
  /** OCR confidence of each page in ocrPages. */
  confidences: number[];
  /** Why pages gave nothing, for the detail of NO_TEXT: "page 1: noise", … */
  notes: string[];
  /** The reason to give when nothing was read, NO_TEXT unless the time ran out first. */
  emptyReason?: UnreadableReason;
}

const PAGE_BREAK = '\f';

/** Letters and digits: what makes a page's text worth anything. */
export function alnumCount(text: string): number {
  return text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
}

export function assembleReading(read: PagesRead, maxTextChars: number, elapsedMs: number): DocumentReading {
  const texts = read.texts.map((t) => t ?? '');
  if (!texts.some((t) => alnumCount(t) > 0)) {
    const detail = read.notes.length > 0 ? read.notes.join('; ') : 'no text on any page';
    return { status: 'unreadable', reason: read.emptyReason ?? 'NO_TEXT', detail, pages: read.pages, elapsedMs };
  }
  // each page's text is cut to what is left of the budget, so page n stays the n-th segment
  let left = maxTextChars;
  let textTruncated = false;
  const kept = texts.map((t) => {
    const cut = t.replace(/\f/g, '\n').slice(0, Math.max(0, left));
    if (cut.length < t.length) textTruncated = true;
    left -= cut.length;
    return cut;
  });
  const skippedPages = read.texts.flatMap((t, i) => (t === null ? [i + 1] : []));
  const mean = read.confidences.length === 0 ? undefined : read.confidences.reduce((a, b) => a + b, 0) / read.confidences.length;
  return {
    status: 'read',
    method: read.ocrPages.length > 0 ? 'ocr' : 'text',
    pages: read.pages,
    pagesRead: read.pages - skippedPages.length,
    ocrPages: read.ocrPages,
    skippedPages,
    text: kept.join(PAGE_BREAK),
    textTruncated,
    ...(mean === undefined ? {} : { confidence: Math.round(mean) }),
    facts: extractDocumentFacts(kept),
    elapsedMs,
  };
}
