/**
 * Messages between the daemon and a reader process (child_process IPC, 'advanced' serialization, so
 * the document travels as bytes).
 */
import type { DocumentKind, DocumentReading, ReadLimits } from './document-reading';

/** Daemon → reader: read one document. */
export interface ReadRequest {
  type: 'read';
  id: number;
  content: Uint8Array;
  kind: DocumentKind;
  limits: ReadLimits;
}

/** Reader → daemon. */
export type ReaderMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; reading: DocumentReading };
