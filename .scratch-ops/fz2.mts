import { fuzzCases } from '../src/mail/fuzz/fuzz-cases.ts';
import { runFuzzCases } from '../src/mail/fuzz/fuzz-runner.ts';
for (const mutation of ['deep-multipart', 'huge-header-line', 'many-headers', 'truncate']) {
  const r = await runFuzzCases(fuzzCases({ fixturesDir: 'test/fixtures/eml', seed: 1, rounds: 3, heavyFixtures: 'all', only: { mutation, fixture: 'gmail-alternative-pdf-conforming.eml' } }), { timeoutMs: 5000 });
  console.log(mutation, JSON.stringify(r.map((x) => x.outcome)).slice(0, 600));
}
for (const depth of [10, 50, 100, 200]) {
  const r = await runFuzzCases(fuzzCases({ fixturesDir: 'test/fixtures/eml', seed: 1, rounds: 1, heavyFixtures: 'all', only: { mutation: 'deep-multipart', fixture: 'gmail-alternative-pdf-conforming.eml' }, mutation: { depth } }), { timeoutMs: 5000 });
  console.log(depth, JSON.stringify(r.map((x) => x.outcome)).slice(0, 300));
}
