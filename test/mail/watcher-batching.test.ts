import { describe, expect, it } from 'vitest';
import { chunkUids, runInOrderPerKey } from '../../src/mail/mailbox-watcher';
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
