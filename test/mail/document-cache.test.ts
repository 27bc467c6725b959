import { describe, expect, it } from 'vitest';
import { createDocumentCache } from '../../src/mail/document-cache';

const doc = (sha256: string, size: number) => ({ sha256, filename: `${sha256}.pdf`, contentType: 'application/pdf', content: Buffer.alloc(size, sha256) });

describe('document cache (intake → approval request hand-over)', () => {
  it('gives each document once, then misses', () => {
    const cache = createDocumentCache(100);
    cache.put(doc('a', 10));
    expect(cache.take('a')?.content.length).toBe(10);
    expect(cache.take('a')).toBeUndefined();
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0, hits: 1, misses: 1 });
  });

  it('lets the reader look at a document without taking it from the outbox', () => {
    const cache = createDocumentCache(100);
    cache.put(doc('a', 10));
    expect(cache.peek('a')?.content.length).toBe(10);
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.take('a')?.content.length).toBe(10);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0, hits: 1, misses: 0 });
  });

  it('stays within its byte budget by dropping the oldest entries', () => {
    const cache = createDocumentCache(100);
    cache.put(doc('a', 40));
    cache.put(doc('b', 40));
    cache.put(doc('c', 40)); // a goes
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 80 });
    expect(cache.take('a')).toBeUndefined();
    expect(cache.take('b')).toBeDefined();
    expect(cache.take('c')).toBeDefined();
  });

  it('does not keep a document larger than the whole budget, nor evict others for it', () => {
    const cache = createDocumentCache(100);
    cache.put(doc('a', 60));
    cache.put(doc('big', 101));
    expect(cache.take('big')).toBeUndefined();
    expect(cache.take('a')).toBeDefined();
  });

  it('holds a document put by two requests once, and gives it to each of them', () => {
    const cache = createDocumentCache(100);
    cache.put(doc('a', 60));
    cache.put(doc('a', 60));
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 60 });
    expect(cache.take('a')).toBeDefined();
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 60 });
    expect(cache.take('a')).toBeDefined();
    expect(cache.take('a')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, hits: 2, misses: 1 });
  });
});
