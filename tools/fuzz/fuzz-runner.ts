import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { FuzzOutcome, WorkerOutcome, WorkerRequest } from './fuzz-protocol';

export interface FuzzCase {
  /** fixture name, mutation name and round: enough to make the input again. */
  fixture: string;
  mutation: string;
  round: number;
  seed: number;
  raw: Buffer;
}

export interface FuzzResult {
  fixture: string;
  mutation: string;
  round: number;
  seed: number;
  sizeBytes: number;
  outcome: FuzzOutcome;
}

export interface RunOptions {
  /** Time bound per input; past it the input counts as a hang. */
  timeoutMs: number;
  /** Heap limit of the worker, in MB. */
  maxOldGenerationMb?: number;
  onResult?: (r: FuzzResult) => void;
}

const WORKER_URL = new URL('./fuzz-worker-boot.mjs', import.meta.url);

/** A worker thread that parses inputs; resolves once it is ready. */
function startWorker(maxOldGenerationMb: number): Promise<Worker> {
  const worker = new Worker(WORKER_URL, {
    resourceLimits: { maxOldGenerationSizeMb: maxOldGenerationMb },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve(worker));
    worker.once('error', reject);
  });
}

/**
 * Run each case through parseMail + verdictOf in a worker thread, one at a time. A case with no answer
 * within timeoutMs is a hang: the worker is terminated and a new one started for the next case.
 */
export async function runFuzzCases(cases: Iterable<FuzzCase>, opts: RunOptions): Promise<FuzzResult[]> {
  const maxOld = opts.maxOldGenerationMb ?? 2048;
  const results: FuzzResult[] = [];
  let worker: Worker | null = null;
  let id = 0;
  try {
    for (const c of cases) {
      worker ??= await startWorker(maxOld);
      const w: Worker = worker;
      id += 1;
      const started = performance.now();
      const outcome = await new Promise<FuzzOutcome>((resolve) => {
        const done = (o: FuzzOutcome) => {
          clearTimeout(timer);
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
          resolve(o);
        };
        const onMessage = (m: WorkerOutcome) => {
          if (m.id !== id) return;
          const { id: _id, ...rest } = m;
          done(rest);
        };
        const onError = (err: Error) => done({ kind: 'worker-died', error: `${err.name}: ${err.message}`, ms: performance.now() - started });
        const onExit = (code: number) => done({ kind: 'worker-died', error: `worker exited with code ${code}`, ms: performance.now() - started });
        const timer = setTimeout(() => done({ kind: 'hang', ms: performance.now() - started }), opts.timeoutMs);
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        const copy = new Uint8Array(c.raw.length);
        copy.set(c.raw);
        const req: WorkerRequest = { id, raw: copy.buffer };
        w.postMessage(req, [copy.buffer]);
      });
      if (outcome.kind === 'hang' || outcome.kind === 'worker-died') {
        await w.terminate().catch(() => {});
        worker = null;
      }
      const result: FuzzResult = { fixture: c.fixture, mutation: c.mutation, round: c.round, seed: c.seed, sizeBytes: c.raw.length, outcome };
      results.push(result);
      opts.onResult?.(result);
    }
  } finally {
    await worker?.terminate();
  }
  return results;
}

/** The label under which a result is counted: verdict:conforme, verdict:ignored:bounce, quarantined, crash, hang… */
export function outcomeKey(o: FuzzOutcome): string {
  return o.kind === 'verdict' ? `verdict:${o.verdict}` : o.kind;
}
