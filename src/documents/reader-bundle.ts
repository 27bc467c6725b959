/**
 * The reader process's code as one plain ESM file (src/node-bundle.ts): pdfjs and tesseract.js under
 * tsx would cost each reader ~0.4 s and ~170 MB more at every start.
 */
import { buildNodeBundle, type NodeBundle } from '../node-bundle';

export type ReaderBundle = NodeBundle;

/** Builds the reader's bundle; about 50 ms. */
export function buildReaderBundle(): Promise<ReaderBundle> {
  return buildNodeBundle('documents/reader-process.ts', 'reader');
}
