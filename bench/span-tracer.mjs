// Preloaded into the daemon by `npm run bench -- --spans / --cpu-prof DIR` (NODE_OPTIONS=--import=…),
// so the daemon needs no hook in src/. Plain JS because it loads before tsx's loader. Only active in
// the node process that runs src/cli.ts (tsx's launcher gets the same NODE_OPTIONS and is left alone).
//  - $LIQUIBOT_BENCH_CPUPROF: V8 CPU profile of the whole run, written at exit (Node 20 does not
//    allow --cpu-prof in NODE_OPTIONS, so it goes through node:inspector).
//  - $LIQUIBOT_BENCH_HEAPPROF=1 (with the CPU profile): what the run allocated, by function.
//  - $LIQUIBOT_BENCH_SPANS: times of the daemon's IMAP round trips and SMTP sends, the event-loop
//    delay and GC pauses, as a JSON summary written at exit.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';

const isDaemon = /\bcli\.(ts|mjs|js)$/.test(process.argv[1] ?? '');
const profileOut = process.env.LIQUIBOT_BENCH_CPUPROF;
if (profileOut && isDaemon) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // The in-process session answers synchronously, so this works inside 'exit'.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(profileOut, JSON.stringify(result.profile));
    });
  });
}

// With $LIQUIBOT_BENCH_HEAPPROF=1 beside --cpu-prof: V8's sampling heap profiler, counting the objects
// garbage collection already took (what a request allocates, not what it keeps), written next to the CPU
// profile as .heapprofile (summarise with tsx bench/heap-profile-summary.ts FILE REQUESTS).
if (profileOut && isDaemon && process.env.LIQUIBOT_BENCH_HEAPPROF === '1') {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
  });
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (err, result) => {
      if (!err) writeFileSync(profileOut.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(result.profile));
    });
  });
}

const out = process.env.LIQUIBOT_BENCH_SPANS;
if (out && isDaemon) {
  const { ImapFlow } = await import('imapflow');
  const nodemailer = (await import('nodemailer')).default;
  /** name → [start, end] pairs, in ms since process start */
  const spans = new Map();
  /** With $LIQUIBOT_BENCH_TIMELINE=1: every span and event in wall-clock ms, to line up with the bench's clock. */
  const timeline = process.env.LIQUIBOT_BENCH_TIMELINE === '1' ? [] : null;
  const epoch = (t) => performance.timeOrigin + t;
  const record = (name, start) => {
    const end = performance.now();
    const list = spans.get(name) ?? [];
    list.push([start, end]);
    spans.set(name, list);
    timeline?.push({ name, start: epoch(start), end: epoch(end) });
  };
  const wrap = (obj, method, name, nameOf) => {
    const original = obj[method];
    obj[method] = async function wrapped(...args) {
      const start = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        record(nameOf ? nameOf(args) : name, start);
      }
    };
  };
  // fetch() is an async generator: time it from the call to the last message (the watcher may fetch a
  // range of sources at once instead of one fetchOne per UID).
  const fetch = ImapFlow.prototype.fetch;
  ImapFlow.prototype.fetch = function tracedFetch(...args) {
    const name = args[1]?.source ? 'imap.fetch(source)' : 'imap.fetch(other)';
    const start = performance.now();
    const inner = fetch.apply(this, args);
    return (async function* traced() {
      try {
        yield* inner;
      } finally {
        record(name, start);
      }
    })();
  };
  const emit = ImapFlow.prototype.emit;
  ImapFlow.prototype.emit = function tracedEmit(event, ...args) {
    if (event === 'exists' && timeline) {
      const t = epoch(performance.now());
      timeline.push({ name: 'imap.existsEvent', start: t, end: t });
    }
    return emit.call(this, event, ...args);
  };
  for (const [method, name] of [
    ['fetchOne', 'imap.fetchOne'], ['messageFlagsAdd', 'imap.flagsAdd'], ['search', 'imap.search'],
    ['getMailboxLock', 'imap.lock'], ['messageMove', 'imap.move'],
  ]) wrap(ImapFlow.prototype, method, name);
  const createTransport = nodemailer.createTransport;
  nodemailer.createTransport = function patched(...args) {
    const transport = createTransport.apply(this, args);
    // The acknowledgment answers the request (In-Reply-To); the approval request to the agents does not.
    wrap(transport, 'sendMail', 'smtp.sendMail', (args) => (args[0]?.inReplyTo ? 'smtp.sendMail(answer)' : 'smtp.sendMail(other)'));
    return transport;
  };

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let gcMs = 0;
  let gcCount = 0;
  // perf_hooks' NODE_PERFORMANCE_GC_* kinds: scavenges are minor; mark-sweep-compact is a full collection.
  const GC_KINDS = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
  const gcByKind = {};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcCount += 1;
      const kind = GC_KINDS[e.detail?.kind] ?? String(e.detail?.kind);
      const k = (gcByKind[kind] ??= { count: 0, totalMs: 0 });
      k.count += 1;
      k.totalMs += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });

  // Memory by kind, sampled: what the resident set is made of (V8 heap, Buffers, the rest).
  const memory = { samples: 0, max: { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }, atMaxRss: null };
  const sampleMemory = () => {
    const m = process.memoryUsage();
    memory.samples += 1;
    for (const k of Object.keys(memory.max)) memory.max[k] = Math.max(memory.max[k], m[k]);
    if (m.rss >= memory.max.rss) memory.atMaxRss = m;
  };
  setInterval(sampleMemory, 25).unref();

  const stats = (values) => {
    if (values.length === 0) return { count: 0 };
    const sorted = [...values].sort((a, b) => a - b);
    const pick = (p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
    const total = values.reduce((a, b) => a + b, 0);
    return { count: values.length, totalMs: total, meanMs: total / values.length, p50Ms: pick(50), p95Ms: pick(95), maxMs: sorted.at(-1) };
  };

  process.on('exit', () => {
    const summary = {};
    for (const [name, list] of spans) summary[name] = stats(list.map(([s, e]) => e - s));
    // Per message: fetchOne ends, the handler runs (hash, store, parse, ticket transaction), then
    // messageFlagsAdd starts. Pair them in order: the watcher handles one UID at a time.
    const fetches = spans.get('imap.fetchOne') ?? [];
    const flags = spans.get('imap.flagsAdd') ?? [];
    const handle = [];
    const cycle = [];
    let j = 0;
    for (let i = 0; i < fetches.length; i += 1) {
      const [, fetchEnd] = fetches[i];
      while (j < flags.length && flags[j][0] < fetchEnd) j += 1;
      if (j >= flags.length) break;
      const next = fetches[i + 1];
      if (next && flags[j][0] > next[0]) continue; // this fetch was not followed by a flag (handler threw)
      handle.push(flags[j][0] - fetchEnd);
      if (next) cycle.push(next[0] - fetches[i][0]);
    }
    summary['handler (between fetch and flag)'] = stats(handle);
    summary['cycle (fetch start to next fetch start)'] = stats(cycle);
    summary.eventLoopDelay = {
      p50Ms: loop.percentile(50) / 1e6, p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6, meanMs: loop.mean / 1e6,
    };
    summary.gc = { count: gcCount, totalMs: gcMs, byKind: gcByKind };
    const toMb = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round((v / 1048576) * 10) / 10]));
    summary.memoryMb = { samples: memory.samples, max: toMb(memory.max), atMaxRss: memory.atMaxRss ? toMb(memory.atMaxRss) : null };
    summary.uptimeMs = performance.now();
    if (timeline) summary.timeline = timeline.sort((a, b) => a.start - b.start);
    writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  });
}
