import type { AttachmentContent } from './parse-mail';

/**
 * Court documents decoded at intake, kept in memory for the approval request that forwards them a
 * moment later, so the outbox need not read the stored source back and parse it again. It is only a
 * shortcut: entries are keyed by the SHA-256 of their content (a hit is always the right bytes), each is
 * taken once, the total is bounded, and a miss (a restart, another instance's outbox, an evicted entry)
 * falls back to decoding the durable raw source.
 */
export interface DocumentCache {
  put(doc: AttachmentContent): void;
  /** The document with this content hash, removed from the cache; undefined on a miss. */
  take(sha256: string): AttachmentContent | undefined;
  stats(): { entries: number; bytes: number; hits: number; misses: number };
}

export function createDocumentCache(maxBytes: number): DocumentCache {
  const entries = new Map<string, AttachmentContent>(); // insertion order: oldest first
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  const drop = (sha256: string) => {
    const doc = entries.get(sha256);
    if (!doc) return;
    entries.delete(sha256);
    bytes -= doc.content.length;
  };
  return {
    put(doc) {
      if (doc.content.length > maxBytes) return;
      drop(doc.sha256);
      while (bytes + doc.content.length > maxBytes) drop(entries.keys().next().value!);
      entries.set(doc.sha256, doc);
      bytes += doc.content.length;
    },
    take(sha256) {
      const doc = entries.get(sha256);
      if (doc) {
        hits += 1;
        drop(sha256);
      } else misses += 1;
      return doc;
    },
    stats: () => ({ entries: entries.size, bytes, hits, misses }),
  };
}
