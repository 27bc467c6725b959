import { readFileSync } from 'node:fs';
import { runFuzzCases } from '../src/mail/fuzz/fuzz-runner.ts';
const raw = readFileSync('test/fixtures/eml/gmail-alternative-pdf-conforming.eml');
const r = await runFuzzCases([{ fixture: 'x', mutation: 'none', round: 0, seed: 0, raw }, { fixture: 'x', mutation: 'empty', round: 0, seed: 0, raw: Buffer.alloc(0) }], { timeoutMs: 5000 });
console.log(JSON.stringify(r, null, 1));
