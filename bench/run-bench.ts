/**
 * `npm run bench`: liquibot's throughput, latency and memory against real servers (issue 6).
 * Starts its own Dovecot, PostgreSQL cluster and SMTP sink, runs each scenario against a fresh
 * mailbox and database with liquibot as a child process (bin/liquibot run), prints a table, then
 * exactly one JSON line with every figure as the last line of stdout. Progress goes to stderr.
 * Exit status: 0 when every scenario ran (targets met or not), 1 when one failed, 2 on bad usage.
 */
import { parseBenchArgs, UsageError, USAGE, type BenchOptions } from './bench-options';
import { progress } from './bench-progress';
import { startBenchSandbox, type BenchSandbox } from './bench-sandbox';
import { codeVersion } from './code-version';
import { REPO_ROOT } from './daemon-child';
import { daemonSetup } from './profiling';
import { loadAvg1m, machineInfo } from './machine-info';
import { benchSummary, benchTable, type BenchResults } from './report';
import { runBacklog } from './scenario-backlog';
import { runBig } from './scenario-big';
import { runLatency } from './scenario-latency';
import { runScan } from './scenario-scan';
import { issue15Summary, issue15Table, type Issue15Results } from './report-issue15';
import { runFloor } from './scenario-floor';
import { runScale } from './scenario-scale';

async function attempt<T>(label: string, fn: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    progress(`${label} FAILED: ${message}`);
    return { error: message };
  }
}

/** Issue 15: liquibot against the floor, and 1/2/3 instances (only with --only floor / scale). */
async function runIssue15(opts: BenchOptions, sandbox: BenchSandbox): Promise<Issue15Results> {
  const results: Issue15Results = {};
  if (opts.only.includes('floor')) {
    results.floor = await attempt('floor', () => runFloor(sandbox, { n: opts.floorN, pdfKbs: [opts.pdfKb, opts.backlogPdfKb], pairs: opts.pairs, cpuProfDir: opts.cpuProfDir, spans: opts.spans, explainMs: opts.explainMs, daemonNodeOptions: opts.daemonNodeOptions }));
  }
  if (opts.only.includes('scale')) {
    progress(`scale: ${opts.scaleN} requests, ${opts.scaleInstances.join('/')} instances${opts.scaleMailboxes > 1 ? `, then ${opts.scaleMailboxes} mailboxes` : ''}, ${opts.scaleRounds} round(s)`);
    results.scale = await attempt('scale', () => runScale(sandbox, {
      n: opts.scaleN, pdfKb: opts.pdfKb, instances: opts.scaleInstances, rounds: opts.scaleRounds, mailboxes: opts.scaleMailboxes,
    }));
  }
  return results;
}

async function runAll(opts: BenchOptions, sandbox: BenchSandbox): Promise<BenchResults> {
  const results: BenchResults = {};
  if (opts.only.includes('drain')) {
    progress(`drain: ${opts.n} requests with a ${opts.pdfKb} KiB PDF`);
    results.drain = await attempt('drain', () => runBacklog(sandbox, { label: 'drain', n: opts.n, pdfKb: opts.pdfKb, raw: true, ...daemonSetup(opts, 'drain') }));
  }
  if (opts.only.includes('latency')) {
    progress(`latency: ${opts.latencyN} requests appended one at a time`);
    results.latency = await attempt('latency', () => runLatency(sandbox, { n: opts.latencyN, pdfKb: opts.pdfKb, ...daemonSetup(opts, 'latency', true) }));
  }
  if (opts.only.includes('memory-big')) {
    progress(`memory-big: one request with a ${opts.bigMb} MiB PDF`);
    results.memoryBig = await attempt('memory-big', () => runBig(sandbox, { attachmentMb: opts.bigMb, ...daemonSetup(opts, 'memory-big') }));
  }
  if (opts.only.includes('memory-backlog')) {
    progress(`memory-backlog: ${opts.backlogN} requests with a ${opts.backlogPdfKb} KiB PDF`);
    results.memoryBacklog = await attempt('memory-backlog', () => runBacklog(sandbox, { label: 'backlog', n: opts.backlogN, pdfKb: opts.backlogPdfKb, raw: false, ...daemonSetup(opts, 'memory-backlog') }));
  }
  if (opts.only.includes('memory-scan')) {
    progress(`memory-scan: one request with a ${opts.scanPages}-page scanned court document`);
    results.memoryScan = await attempt('memory-scan', () => runScan(sandbox, { pages: opts.scanPages }));
  }
  return results;
}

async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  const loadAtStart = loadAvg1m();
  progress(`load average (1 min) ${loadAtStart} on ${machineInfo(loadAtStart).nproc} cores`);
  progress('starting the sandbox: PostgreSQL cluster, Dovecot, SMTP sink');
  const sandbox = await startBenchSandbox();
  let results: BenchResults;
  let issue15: Issue15Results = {};
  try {
    progress(`sandbox up in ${((performance.now() - started) / 1000).toFixed(1)} s (PostgreSQL :${sandbox.postgres.port}, Dovecot :${sandbox.dovecot.port}, SMTP :${sandbox.sink.port})`);
    results = await runAll(opts, sandbox);
    issue15 = await runIssue15(opts, sandbox);
  } finally {
    await sandbox.stop();
  }
  const summary = { ...benchSummary(opts, machineInfo(loadAtStart), codeVersion(REPO_ROOT), new Date().toISOString().slice(0, 10), results, (performance.now() - started) / 1000), ...issue15Summary(issue15) };
  process.stdout.write(`${benchTable(summary)}\n`);
  if (issue15.floor || issue15.scale) process.stdout.write(`${issue15Table(issue15)}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return [...Object.values(results), ...Object.values(issue15)].some((r) => r && 'error' in r) ? 1 : 0;
}

// Ctrl-C or a CI timeout: exit normally so the exit hooks stop the daemon and the sandbox servers.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping\n`);
    process.exit(130);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
