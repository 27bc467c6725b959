/**
 * Worker thread of the fuzzer: parses each input it is sent with the real adapter and computes its
 * verdict, and reports how it ended. Runs in a worker so that a hang can be cut off (terminate) and a
 * crash or memory blow-up does not take the fuzzer down.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { isAppError } from '../../src/errors';
import { parseMail } from '../../src/mail/parse-mail';
import { verdictOf } from '../../parsers/check-verdict';
import type { WorkerOutcome, WorkerRequest } from './fuzz-protocol';

const OWN = { addresses: ['liquibot@support.example.fr'], messageIdDomain: 'liquibot.support.example.fr' };

async function handle(req: WorkerRequest): Promise<WorkerOutcome> {
  const started = performance.now();
  try {
    const mail = await parseMail(Buffer.from(req.raw));
    const v = verdictOf(mail, OWN);
    const kind = v.handled ? v.verdict! : `ignored:${v.ignoreReason}`;
    return { id: req.id, kind: 'verdict', verdict: kind, problems: v.problems, ms: performance.now() - started };
  } catch (err) {
    const ms = performance.now() - started;
    if (isAppError(err, 'MAIL_UNPARSEABLE')) return { id: req.id, kind: 'quarantined', code: err.code, detail: err.message.slice(0, 300), ms };
    const e = err as Error;
    return { id: req.id, kind: 'crash', error: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`.slice(0, 500), stack: e?.stack ?? null, ms };
  }
}

parentPort!.on('message', (req: WorkerRequest) => {
  void handle(req).then((outcome) => parentPort!.postMessage(outcome));
});
parentPort!.postMessage({ ready: true });
