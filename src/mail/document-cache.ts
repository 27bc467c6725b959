import type { AttachmentContent } from './parse-mail';

/**
 * Court documents decoded at intake, kept in memory for the approval request that forwards them a
 * moment later, so the outbox need not read the stored source back and parse it again. It is only a
 * shortcut: entries are keyed by the SHA-256 of their content (a hit is always the right bytes), each is
 * taken as many times as it was put, the total is bounded, and a miss (a restart, another instance's outbox, an evicted entry)
 * falls back to decoding the durable raw source.
 */
export interface DocumentCache {
  put(doc: AttachmentContent): void;
  /** The document with this content hash, removed from the cache; undefined on a miss. */
  take(sha256: string): AttachmentContent | undefined;
  /** The document with this content hash, left in the cache (the reader's look before the outbox takes it). */
  peek(sha256: string): AttachmentContent | undefined;
  stats(): { entries: number; bytes: number; hits: number; misses: number };
}

export function createDocumentCache(maxBytes: number): DocumentCache {
  // Insertion order: oldest first. `wanted` counts the puts not yet taken (several requests may carry
  // the same document); the bytes are held once.
  const entries = new Map<string, { doc: AttachmentContent; wanted: number }>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  const drop = (sha256: string) => {
    const entry = entries.get(sha256);
    if (!entry) return;
    entries.delete(sha256);
    bytes -= entry.doc.content.length;
  };
  return {
    put(doc) {
      const entry = entries.get(doc.sha256);
      if (entry) {
        entry.wanted += 1;
        return;
      }
      if (doc.content.length > maxBytes) return;
      while (bytes + doc.content.length > maxBytes) drop(entries.keys().next().value!);
      entries.set(doc.sha256, { doc, wanted: 1 });
      bytes += doc.content.length;
    },
    take(sha256) {
      const entry = entries.get(sha256);
      if (!entry) {
        misses += 1;
        return undefined;
      }
      hits += 1;
      entry.wanted -= 1;
      if (entry.wanted <= 0) drop(sha256);
      return entry.doc;
    },
    peek: (sha256) => entries.get(sha256)?.doc,
    stats: () => ({ entries: entries.size, bytes, hits, misses }),
  };
}
