import { describe, expect, it } from 'vitest';
import { ByteCollector, collectInto } from '../../src/mail/byte-collector';

describe('collectInto', () => {
  async function* pieces(...parts: string[]) {
    for (const p of parts) yield Buffer.from(p);
  }
  it('gives the bytes as they came, whether the announced size is exact, too large or too small', async () => {
    for (const expected of [10, 64, 3, 0]) {
      const got = await collectInto(pieces('abc', 'defg', '', 'hij'), expected);
      expect(got.toString(), `announced ${expected}`).toBe('abcdefghij');
    }
    expect((await collectInto(pieces(), 100)).length).toBe(0);
  });
});

describe('ByteCollector', () => {
  it('copies small results out of a large allocation, and keeps the view of large ones', () => {
    const c = new ByteCollector(1 << 20);
    c.push(Buffer.from('abc'));
    const small = c.bytes(1024);
    expect(small.toString()).toBe('abc');
    expect(small.buffer.byteLength).toBeLessThan(1 << 20);
    expect(c.bytes().buffer.byteLength).toBeGreaterThanOrEqual(1 << 20);
  });
});
