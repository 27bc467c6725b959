import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FuzzCase } from './fuzz-runner';
import { DEFAULT_MUTATION_OPTIONS, MUTATIONS, type MutationOptions } from './mutations';
import { seededRandom, seedOf } from './seeded-random';

export interface CaseOptions {
  fixturesDir: string;
  seed: number;
  /** Rounds of each light mutation per fixture (each round another random variant). */
  rounds: number;
  /** Fixtures the heavy mutations (huge, deep) are applied to, once each; 'all' for every fixture. */
  heavyFixtures: readonly string[] | 'all';
  /** Only these fixtures / mutations / rounds (reproducing one input). */
  only?: { fixture?: string; mutation?: string; round?: number };
  mutation?: Partial<MutationOptions>;
}

/** Fixtures the heavy mutations use by default: a conforming multipart, an HTML-only QP, an all-missing one. */
export const DEFAULT_HEAVY_FIXTURES = [
  'gmail-alternative-pdf-conforming.eml', 'outlook-html-only-qp-cp1252-conforming.eml', 'all-problems-missing.eml',
];

/**
 * The fuzz inputs, made one at a time (huge ones are not all held in memory). Each input is a pure
 * function of (seed, fixture, mutation, round), so any one of them can be made again with `only`.
 */
export function* fuzzCases(opts: CaseOptions): Generator<FuzzCase> {
  const mutationOptions = { ...DEFAULT_MUTATION_OPTIONS, ...opts.mutation };
  const fixtures = readdirSync(opts.fixturesDir).filter((f) => f.endsWith('.eml')).sort();
  for (const fixture of fixtures) {
    if (opts.only?.fixture && opts.only.fixture !== fixture) continue;
    const original = readFileSync(join(opts.fixturesDir, fixture));
    for (const mutation of MUTATIONS) {
      if (opts.only?.mutation && opts.only.mutation !== mutation.name) continue;
      if (mutation.heavy && opts.heavyFixtures !== 'all' && !opts.heavyFixtures.includes(fixture) && !opts.only?.fixture) continue;
      const rounds = mutation.heavy ? 1 : opts.rounds;
      for (let round = 0; round < rounds; round += 1) {
        if (opts.only?.round !== undefined && opts.only.round !== round) continue;
        const seed = seedOf(opts.seed, fixture, mutation.name, round);
        yield { fixture, mutation: mutation.name, round, seed, raw: mutation.apply(original, seededRandom(seed), mutationOptions) };
      }
    }
  }
}
