import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropIntoMaildir, maildirName, virtualSizeOf } from '../../bench/maildir-drop';

describe('maildirName', () => {
  it('is unique per sequence number and carries the exact sizes', () => {
    const now = new Date(1_764_172_800_123);
    expect(maildirName({ now, pid: 77, seq: 3, size: 2048, virtualSize: 2050 })).toBe('1764172800.M123000P77Q3.liquibot-bench,S=2048,W=2050');
  });
});

describe('virtualSizeOf', () => {
  it.each([
    ['CRLF already', 'a\r\nb\r\n', 6],
    ['bare LFs count twice', 'a\nb\n', 6],
    ['a leading LF', '\nx', 3],
    ['mixed', 'a\r\nb\nc', 7],
    ['no line end', 'abc', 3],
  ])('%s', (_l, text, want) => {
    expect(virtualSizeOf(Buffer.from(text, 'latin1'))).toBe(want);
  });
});

describe('dropIntoMaildir', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('writes every message to new/, leaves tmp/ empty, and sizes match the names', () => {
    const maildir = join(mkdtempSync(join(tmpdir(), 'bench-maildir-')), 'user');
    dirs.push(join(maildir, '..'));
    const messages = [Buffer.from('Subject: a\r\n\r\none\r\n'), Buffer.from('Subject: b\r\n\r\ntwo, longer\r\n')];
    const seen: number[] = [];
    const result = dropIntoMaildir(maildir, messages, null, (n) => seen.push(n));
    expect(result).toEqual({ count: 2, bytes: messages[0]!.length + messages[1]!.length });
    expect(seen).toEqual([1, 2]);
    expect(readdirSync(join(maildir, 'tmp'))).toEqual([]);
    expect(readdirSync(join(maildir, 'cur'))).toEqual([]);
    const files = readdirSync(join(maildir, 'new'));
    expect(files).toHaveLength(2);
    for (const f of files) {
      const [, size, virtual] = /,S=(\d+),W=(\d+)$/.exec(f)!;
      expect(readFileSync(join(maildir, 'new', f)).length).toBe(Number(size));
      expect(Number(virtual)).toBe(Number(size)); // CRLF messages: the same
    }
  });
});
