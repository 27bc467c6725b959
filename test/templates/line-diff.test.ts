import { describe, expect, it } from 'vitest';
import { diffLines, hasChanges, MAX_DIFF_CELLS, withContext } from '../../src/templates/line-diff';

const compact = (before: string, after: string) => diffLines(before, after).map((d) => `${d.kind === 'same' ? ' ' : d.kind === 'added' ? '+' : '-'}${d.text}`);

describe('diffLines', () => {
  it.each([
    { label: 'identical', before: 'a\nb\n', after: 'a\nb\n', expected: [' a', ' b'] },
    { label: 'a line changed in the middle', before: 'a\nb\nc\n', after: 'a\nB\nc\n', expected: [' a', '-b', '+B', ' c'] },
    { label: 'a line added at the end', before: 'a\n', after: 'a\nb\n', expected: [' a', '+b'] },
    { label: 'a line removed at the start', before: 'x\na\nb', after: 'a\nb', expected: ['-x', ' a', ' b'] },
    { label: 'from nothing', before: '', after: 'a\nb', expected: ['+a', '+b'] },
    { label: 'to nothing', before: 'a', after: '', expected: ['-a'] },
    { label: 'CRLF is the same as LF', before: 'a\r\nb\r\n', after: 'a\nb\n', expected: [' a', ' b'] },
    { label: 'moved block', before: 'a\nb\nc\nd\n', after: 'c\nd\na\nb\n', expected: ['-a', '-b', ' c', ' d', '+a', '+b'] },
  ])('$label', ({ before, after, expected }) => {
    expect(compact(before, after)).toEqual(expected);
  });

  it('numbers the lines of both sides', () => {
    expect(diffLines('a\nb\nc', 'a\nc\nd')).toEqual([
      { kind: 'same', text: 'a', oldLine: 1, newLine: 1 },
      { kind: 'removed', text: 'b', oldLine: 2 },
      { kind: 'same', text: 'c', oldLine: 3, newLine: 2 },
      { kind: 'added', text: 'd', newLine: 3 },
    ]);
  });

  it('past the size limit, the middle is removed then added, head and tail kept', () => {
    const n = Math.ceil(Math.sqrt(MAX_DIFF_CELLS)) + 1;
    const before = ['head', ...Array.from({ length: n }, (_, i) => `old ${i}`), 'tail'].join('\n');
    const after = ['head', ...Array.from({ length: n }, (_, i) => `new ${i}`), 'tail'].join('\n');
    const d = diffLines(before, after);
    expect(d[0]).toMatchObject({ kind: 'same', text: 'head' });
    expect(d.at(-1)).toMatchObject({ kind: 'same', text: 'tail' });
    expect(d.filter((x) => x.kind === 'removed')).toHaveLength(n);
    expect(d.filter((x) => x.kind === 'added')).toHaveLength(n);
  });

  it('hasChanges and withContext', () => {
    expect(hasChanges(diffLines('a', 'a'))).toBe(false);
    expect(hasChanges(diffLines('a', 'b'))).toBe(true);
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const changed = [...lines];
    changed[10] = 'X';
    const ctx = withContext(diffLines(lines.join('\n'), changed.join('\n')), 2);
    expect(ctx.map((l) => (l.kind === 'skip' ? `…${l.count}` : `${l.kind[0]}${l.text}`))).toEqual(['…8', 'sl8', 'sl9', 'rl10', 'aX', 'sl11', 'sl12', '…7']);
  });
});
