import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzCases } from '../../tools/fuzz/fuzz-cases';
import { runFuzzCases, type FuzzCase, type FuzzResult } from '../../tools/fuzz/fuzz-runner';
import { summarise } from '../../tools/fuzz/fuzz-summary';
import { MUTATIONS } from '../../tools/fuzz/mutations';

const FIXTURES = join(__dirname, '../fixtures/eml');
const BOUND_MS = 5_000;
const LIGHT_FIXTURES = [
  'gmail-alternative-pdf-conforming.eml', 'outlook-html-only-qp-cp1252-conforming.eml', 'windows-1252-qp-euro-apostrophe-conforming.eml',
  'bounce-mailer-daemon-delivery-status.eml', 'forwarded-mail-rfc822-only-attachment.eml', 'latin1-8bit-no-charset-no-attachment.eml',
];

const HEAVY = MUTATIONS.filter((m) => m.heavy).map((m) => m.name);

/** A fixed (seeded) subset: six fixtures × every light mutation × 2 rounds, and the heavy ones on one fixture. */
function subset(): FuzzCase[] {
  const light = LIGHT_FIXTURES.flatMap((fixture) => [...fuzzCases({
    fixturesDir: FIXTURES, seed: 42, rounds: 2, heavyFixtures: [], only: { fixture },
  })].filter((c) => !HEAVY.includes(c.mutation)));
  const heavy = [...fuzzCases({
    fixturesDir: FIXTURES, seed: 42, rounds: 1, heavyFixtures: ['gmail-alternative-pdf-conforming.eml'],
    only: { fixture: 'gmail-alternative-pdf-conforming.eml' }, mutation: { hugeBytes: 30 * 1024 * 1024, depth: 2000 },
  })].filter((c) => HEAVY.includes(c.mutation));
  return [...light, ...heavy];
}

describe('fuzzing parseMail + verdictOf (seed 42)', () => {
  let results: FuzzResult[] = [];
  const result = (mutation: string) => results.find((r) => r.mutation === mutation)!;

  it('ends every input as a verdict or a MAIL_UNPARSEABLE quarantine, within the bound', async () => {
    results = await runFuzzCases(subset(), { timeoutMs: BOUND_MS });
    const summary = summarise(results, BOUND_MS);
    const heavy = MUTATIONS.filter((m) => m.heavy).length;
    expect(summary.inputs).toBe(LIGHT_FIXTURES.length * (MUTATIONS.length - heavy) * 2 + heavy);
    expect(summary.problems.map((p) => `${p.fixture} ${p.mutation} ${p.round}: ${p.outcome.kind}`)).toEqual([]);
    expect(summary.maxMs).toBeLessThan(BOUND_MS);
    expect(summary.outcomes['verdict:conforme']).toBeGreaterThan(0);
    expect(summary.outcomes['verdict:non_conforme']).toBeGreaterThan(0);
    expect(summary.outcomes.quarantined).toBeGreaterThan(0);
  }, 120_000);

  it.each<[string, string]>([
    // mailsplit limits: 1000 child nodes, 1 MiB of header per MIME node.
    ['deep-multipart', 'quarantined'],
    ['huge-header-line', 'quarantined'],
    // A 30 MiB PDF added to a conforming request: still a verdict, and the document counts.
    ['huge-attachment', 'verdict'],
    ['long-body-line', 'verdict'],
  ])('%s ends as %s', (mutation, kind) => {
    const r = result(mutation);
    expect(r.outcome.kind).toBe(kind);
    if (r.outcome.kind === 'quarantined') expect(r.outcome.code).toBe('MAIL_UNPARSEABLE');
  });

  it('quarantines a mail with no header and no body', () => {
    const empties = results.filter((r) => r.mutation === 'empty' && r.sizeBytes <= 4);
    expect(empties.length).toBeGreaterThan(0);
    for (const r of empties) expect(r.outcome.kind).toBe('quarantined');
  });
});

describe('the runner', () => {
  it('reports a hang when an input takes longer than the bound, and goes on with a new worker', async () => {
    const [heavy] = [...fuzzCases({
      fixturesDir: FIXTURES, seed: 1, rounds: 1, heavyFixtures: 'all',
      only: { fixture: 'gmail-alternative-pdf-conforming.eml', mutation: 'huge-attachment' }, mutation: { hugeBytes: 30 * 1024 * 1024 },
    })];
    const small = { ...heavy!, mutation: 'none', raw: Buffer.from('From: a@b.fr\r\nSubject: x\r\n\r\nhello\r\n') };
    const results = await runFuzzCases([heavy!, small], { timeoutMs: 1 });
    expect(results[0]!.outcome.kind).toBe('hang');
    const again = await runFuzzCases([small], { timeoutMs: BOUND_MS });
    expect(again[0]!.outcome).toMatchObject({ kind: 'verdict', verdict: 'ignored:not-a-request' });
  }, 60_000);
});
