import { randomBytes } from 'node:crypto';

/**
 * The HTML previews of the template editor, kept a short while in memory for the frame that shows them
 * (the page's own CSP forbids the inline styles a mail uses; the frame's response has its own, sandboxed
 * one). A preview is only given back to the account that made it. In memory on purpose: a draft is never
 * written anywhere; behind several instances without sticky sessions, a frame may land on another
 * instance and say the preview expired.
 */
export class PreviewCache {
  private readonly entries = new Map<string, { html: string; userId: number; at: number }>();

  constructor(private readonly opts: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Keeps `html` for `userId`; returns its key (128 random bits, hex). */
  put(userId: number, html: string): string {
    const now = this.now();
    const ttl = this.opts.ttlMs ?? 30 * 60_000;
    for (const [key, e] of this.entries) {
      if (now - e.at > ttl) this.entries.delete(key);
    }
    const max = this.opts.maxEntries ?? 500;
    while (this.entries.size >= max) this.entries.delete(this.entries.keys().next().value!);
    const key = randomBytes(16).toString('hex');
    this.entries.set(key, { html, userId, at: now });
    return key;
  }

  /** The preview under `key` if `userId` made it and it has not expired; else null. */
  get(userId: number, key: string): string | null {
    const e = this.entries.get(key);
    if (!e || e.userId !== userId || this.now() - e.at > (this.opts.ttlMs ?? 30 * 60_000)) return null;
    return e.html;
  }
}
