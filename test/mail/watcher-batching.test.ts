import { describe, expect, it } from 'vitest';
import { chunkUids, runInOrderPerKey, UNSIZED_MAX_BYTES } from '../../src/mail/mailbox-watcher';
import { senderKey } from '../../src/mail/sender-key';

describe('chunkUids', () => {
  const sizes = (entries: [number, number][]) => new Map(entries);
  it.each([
    ['small messages, 25 per chunk', Array.from({ length: 60 }, (_, i) => i + 1), new Map<number, number>(), [25, 25, 10]],
    ['bytes bound a chunk', [1, 2, 3], sizes([[1, 7e6], [2, 7e6], [3, 7e6]]), [2, 1]],
    ['a message fetched in pieces alone', [1, 2, 3], sizes([[1, 10], [2, 9e6], [3, 10]]), [1, 1, 1]],
    ['an oversized message alone', [1, 2, 3], sizes([[1, 10], [2, 9e9], [3, 10]]), [1, 1, 1]],
  ])('%s', (_l, uids, map, want) => {
    const chunks = chunkUids(uids, map, 50e6);
    expect(chunks.map((c) => c.length)).toEqual(want);
    expect(chunks.flat()).toEqual(uids);
  });

  it.each([
    ['a backlog: a first chunk of 4, then 25 a chunk', 60, 4, [4, 25, 25, 6]],
    ['fewer messages than the first chunk', 3, 4, [3]],
    ['one at a time', 27, 1, [1, 25, 1]],
    ['a first chunk is never larger than the others', 30, 40, [25, 5]],
  ])('%s', (_l, count, first, want) => {
    const uids = Array.from({ length: count }, (_, i) => i + 1);
    const chunks = chunkUids(uids, new Map(), 50e6, { firstChunkMessages: first });
    expect(chunks.map((c) => c.length)).toEqual(want);
    expect(chunks.flat()).toEqual(uids);
  });

  it('a message whose size is not asked counts as the most it can weigh', () => {
    const uids = Array.from({ length: 30 }, (_, i) => i + 1);
    // 25 unsized messages of at most UNSIZED_MAX_BYTES fill a chunk; one sized larger message goes alone.
    expect(chunkUids(uids, new Map(), 50e6, { unsizedBytes: UNSIZED_MAX_BYTES }).map((c) => c.length)).toEqual([25, 5]);
    expect(chunkUids(uids, new Map([[3, 9e6]]), 50e6, { unsizedBytes: UNSIZED_MAX_BYTES }).map((c) => c.length)).toEqual([2, 1, 25, 2]);
    expect(chunkUids(uids, new Map(), 50e6, { unsizedBytes: 4 * 1024 * 1024 }).map((c) => c.length)).toEqual([4, 4, 4, 4, 4, 4, 4, 2]);
  });

  it('a large message first keeps its chunk of its own, and the next chunk is a full one', () => {
    const chunks = chunkUids([1, 2, 3], new Map([[1, 9e6], [2, 10], [3, 10]]), 50e6, { firstChunkMessages: 1 });
    expect(chunks).toEqual([[1], [2, 3]]);
  });
});

describe('runInOrderPerKey', () => {
  it('keeps one key in order, runs keys side by side, and honours the limit', async () => {
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    const items = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3', 'd1'];
    await runInOrderPerKey(items, (i) => i[0]!, 2, async (i) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, i.startsWith('a') ? 5 : 1));
      log.push(i);
      running -= 1;
    }, () => false);
    expect(log.filter((i) => i.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(log.filter((i) => i.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(log.sort()).toEqual([...items].sort());
    expect(peak).toBe(2);
  });

  it('starts nothing more once stopped', async () => {
    const seen: string[] = [];
    await runInOrderPerKey(['x1', 'x2', 'x3'], () => 'x', 4, async (i) => {
      seen.push(i);
    }, () => seen.length >= 1);
    expect(seen).toEqual(['x1']);
  });
});

describe('senderKey', () => {
  it.each([
    ['From: Maître Martin <Etude@Martin.FR>\r\nSubject: x\r\n\r\nbody', 'etude@martin.fr'],
    ['Subject: x\r\nfrom: plain@x.fr\r\n\r\n', 'plain@x.fr'],
    ['From: "Long,\r\n Name" <folded@x.fr>\r\n\r\n', 'folded@x.fr'],
    ['Subject: no sender\r\n\r\nFrom: body@x.fr', ''],
  ])('%j → %s', (raw, want) => {
    expect(senderKey(Buffer.from(raw, 'latin1'))).toBe(want);
  });
});
