/**
 * One reader process, seen from the daemon: started with node's heap bound, given one document at a
 * time, watched (wall time, resident memory from /proc) and killed with SIGKILL past a bound. A child
 * process rather than a worker thread: its memory is its own (tesseract's wasm heap, the canvas's
 * pixels, both outside V8's limits, are measured and bounded with it), and a native crash there
 * (a codec, the canvas) cannot take the daemon down.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root';
import type { DocumentReading, DocumentReaderOptions, ReadLimits, UnreadableReason } from './document-reading';
import type { ReaderMessage, ReadRequest } from './reader-protocol';

/** How often the reader's resident memory is looked at while it reads. */
const MEMORY_POLL_MS = 50;
/** A reader that ends a reading above this share of workerMaxMb is retired, not reused. */
const RETIRE_SHARE = 0.6;
/** The environment variables a reader gets from the daemon. */
const READER_ENV = ['PATH', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL'];
/** stderr kept from a reader, to tell a V8 out-of-memory abort from another death. */
const STDERR_KEEP = 4096;

export interface ReaderJob {
  id: number;
  content: Uint8Array;
  kind: ReadRequest['kind'];
}

/** Resident memory of a process, MB, from /proc (Linux); null elsewhere or when it is gone. */
async function rssMb(pid: number): Promise<number | null> {
  try {
    const statm = await readFile(`/proc/${pid}/statm`, 'latin1');
    return (Number(statm.split(' ')[1]) * 4096) / (1024 * 1024);
  } catch {
    return null;
  }
}

export class ReaderChild {
  readonly #options: DocumentReaderOptions;
  readonly #child: ChildProcess;
  #stderr = '';
  #exited = false;
  #exit: Promise<void>;
  #busy: { id: number; finish: (reading: DocumentReading) => void } | null = null;
  #killedFor: UnreadableReason | null = null;
  #lastRssMb = 0;
  /** Highest resident memory seen, MB. */
  peakRssMb = 0;
  readings = 0;

  constructor(bundleFile: string, options: DocumentReaderOptions) {
    this.#options = options;
    // A few variables only: the reader parses hostile files, it has no use for the daemon's secrets
    // (database URL, SMTP password), nor for its NODE_OPTIONS (a tracer, a heap size).
    const env = Object.fromEntries(READER_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
    this.#child = fork(bundleFile, [join(PROJECT_ROOT, 'package.json')], {
      execArgv: [`--max-old-space-size=${Math.max(64, Math.floor(options.workerMaxMb * 0.75))}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env,
    });
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_KEEP);
    });
    this.#child.on('message', (m: ReaderMessage) => this.#onMessage(m));
    this.#exit = new Promise((resolve) => {
      this.#child.on('exit', (code, signal) => {
        this.#exited = true;
        this.#onExit(code, signal);
        resolve();
      });
    });
    // a spawn failure (ENOMEM, EAGAIN) arrives as 'error', and 'exit' may never follow
    this.#child.on('error', (err) => {
      if (!this.#exited) {
        this.#exited = true;
        this.#finish({ status: 'unreadable', reason: 'READER_FAILED', detail: `reader did not start: ${err.message}`, elapsedMs: 0 });
      }
    });
    this.#setRef(false);
  }

  get alive(): boolean {
    return !this.#exited;
  }
  get idle(): boolean {
    return !this.#exited && this.#busy === null;
  }
  /** Whether it should be ended rather than given another document. */
  get worn(): boolean {
    return this.#lastRssMb > this.#options.workerMaxMb * RETIRE_SHARE;
  }

  /** Reads one document; always resolves, never rejects. */
  read(job: ReaderJob, limits: ReadLimits): Promise<DocumentReading> {
    const started = performance.now();
    return new Promise((resolve) => {
      const elapsed = () => Math.round(performance.now() - started);
      const timer = setTimeout(() => this.kill('TIMEOUT'), this.#options.timeoutMs);
      const poll = setInterval(() => void this.#checkMemory(), MEMORY_POLL_MS);
      this.#busy = {
        id: job.id,
        finish: (reading) => {
          clearTimeout(timer);
          clearInterval(poll);
          this.#busy = null;
          this.readings++;
          this.#setRef(false);
          void this.#checkMemory();
          resolve(reading.status === 'unreadable' && reading.elapsedMs === 0 ? { ...reading, elapsedMs: elapsed() } : reading);
        },
      };
      this.#setRef(true);
      const request: ReadRequest = { type: 'read', id: job.id, content: job.content, kind: job.kind, limits };
      this.#child.send(request, (err) => {
        if (err) this.kill('READER_FAILED');
      });
    });
  }

  /** Kills the process (SIGKILL); a reading in progress ends with `reason`. */
  kill(reason: UnreadableReason = 'CANCELLED'): void {
    if (this.#exited) return;
    this.#killedFor ??= reason;
    this.#child.kill('SIGKILL');
  }

  /** Ends the process and waits for it. */
  async close(): Promise<void> {
    // Waiting for the exit of an unreferenced child keeps nothing alive: `liquibot check` would end,
    // exit code 0 and nothing printed, before the reader's exit. Referenced until it is gone.
    if (!this.#exited) this.#setRef(true);
    this.kill('CANCELLED');
    if (this.#child.pid !== undefined) await this.#exit;
  }

  async #checkMemory(): Promise<void> {
    const pid = this.#child.pid;
    if (pid === undefined || this.#exited) return;
    const mb = await rssMb(pid);
    if (mb === null) return;
    this.#lastRssMb = mb;
    this.peakRssMb = Math.max(this.peakRssMb, mb);
    if (this.#busy && mb > this.#options.workerMaxMb) this.kill('MEMORY');
  }

  #onMessage(m: ReaderMessage): void {
    if (m.type === 'result' && this.#busy?.id === m.id) this.#finish(m.reading);
  }

  #finish(reading: DocumentReading): void {
    this.#busy?.finish(reading);
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#busy === null) return;
    let reason = this.#killedFor;
    let detail: string;
    if (reason === 'TIMEOUT') detail = `still reading after ${this.#options.timeoutMs} ms`;
    else if (reason === 'MEMORY') detail = `reader above ${this.#options.workerMaxMb} MB resident`;
    else if (reason !== null) detail = 'reading stopped';
    else if (/heap out of memory|Allocation failed|ERR_WORKER_OUT_OF_MEMORY/i.test(this.#stderr)) {
      reason = 'MEMORY';
      detail = 'reader ran out of heap';
    } else {
      reason = 'READER_FAILED';
      detail = `reader died (${signal ?? `exit ${code}`})`;
    }
    this.#finish({ status: 'unreadable', reason, detail, elapsedMs: 0 });
  }

  /** A reader at rest must not keep the daemon (or `liquibot check`) from exiting. */
  #setRef(on: boolean): void {
    const channel = this.#child.channel as { ref?: () => void; unref?: () => void } | undefined;
    const stderr = this.#child.stderr as { ref?: () => void; unref?: () => void } | null;
    if (on) {
      this.#child.ref();
      channel?.ref?.();
      stderr?.ref?.();
    } else {
      this.#child.unref();
      channel?.unref?.();
      stderr?.unref?.();
    }
  }
}
