import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTATIONS, type MutationOptions } from '../../tools/fuzz/mutations';
import { seededRandom, seedOf } from '../../tools/fuzz/seeded-random';

const fixture = readFileSync(join(__dirname, '../fixtures/eml/gmail-alternative-pdf-conforming.eml'));
const small: MutationOptions = { hugeBytes: 64 * 1024, depth: 50 };
const byName = (name: string) => MUTATIONS.find((m) => m.name === name)!;
const run = (name: string, seed = 7, opts = small) => byName(name).apply(fixture, seededRandom(seed), opts);

describe('seeded random', () => {
  it('gives the same sequence for the same seed, another for another seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => seededRandom(43).next())).not.toEqual(seqA);
    expect(seedOf(1, 'a.eml', 'truncate', 0)).toBe(seedOf(1, 'a.eml', 'truncate', 0));
    expect(seedOf(1, 'a.eml', 'truncate', 0)).not.toBe(seedOf(1, 'a.eml', 'truncate', 1));
  });
});

describe('mutations', () => {
  it.each(MUTATIONS.map((m) => [m.name]))('%s is deterministic and changes the input', (name) => {
    for (const seed of [1, 2, 3]) {
      const once = run(name, seed);
      expect(run(name, seed).equals(once)).toBe(true);
      expect(once.equals(fixture)).toBe(false);
    }
  });

  it.each<[string, (out: Buffer) => boolean]>([
    ['truncate', (out) => out.length < fixture.length && fixture.subarray(0, out.length).equals(out)],
    ['nul-bytes', (out) => out.includes(0)],
    ['huge-header-line', (out) => out.indexOf('\r\n') >= 1024 * 1024],
    ['deep-multipart', (out) => (out.toString('latin1').match(/^Content-Type: multipart\/mixed; boundary="b\d+"/gm) ?? []).length === small.depth + 1
      && out.toString('latin1').includes(`--b${small.depth}--`)],
    ['huge-attachment', (out) => out.length > small.hugeBytes && out.toString('latin1').includes('filename="huge.pdf"')],
    ['unknown-charset', (out) => !/charset="?utf-8"?[;\r\n]/i.test(out.toString('latin1'))],
    ['line-endings', (out) => !out.equals(fixture) && out.length !== fixture.length],
    ['encoded-word-garbage', (out) => /^Subject: .*=\?/m.test(out.toString('latin1'))],
    ['many-headers', (out) => (out.toString('latin1').match(/^X-H\d: /gm) ?? []).length >= 10_000],
  ])('%s makes what it says', (name, check) => {
    expect(check(run(name))).toBe(true);
  });

  it('has the mutations the brief asks for', () => {
    expect(MUTATIONS.map((m) => m.name)).toEqual(expect.arrayContaining([
      'truncate', 'broken-base64', 'broken-quoted-printable', 'huge-header-line', 'deep-multipart', 'unknown-charset',
      'empty', 'nul-bytes', 'huge-attachment',
    ]));
  });
});
