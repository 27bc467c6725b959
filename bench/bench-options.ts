/** The command line of `npm run bench`, parsed without side effects so it can be tested. */

export const SCENARIOS = ['drain', 'latency', 'memory-big', 'memory-backlog', 'memory-scan', 'floor', 'scale'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * What runs when --only does not say: every scenario but issue 15's floor and scale, which alternate
 * several whole drains (about 6 minutes at full size, 1 minute with --quick) and run when asked:
 * `--only floor,scale`.
 */
export const DEFAULT_SCENARIOS: readonly Scenario[] = SCENARIOS.filter((s) => s !== 'floor' && s !== 'scale');

export interface BenchOptions {
  /** Requests in the drain backlog. */
  n: number;
  /** Requests appended one at a time for the latency figures. */
  latencyN: number;
  /** Small requests in the memory backlog. */
  backlogN: number;
  /** Size of the PDF of each drain and latency request, in KiB. */
  pdfKb: number;
  /** Size of the PDF of each memory-backlog request, in KiB. */
  backlogPdfKb: number;
  /** Size of the single big attachment, in MiB. */
  bigMb: number;
  /** floor: requests per drain (each size: --pdf-kb and --backlog-pdf-kb). */
  floorN: number;
  /** floor: liquibot/floor pairs per size. */
  pairs: number;
  /** scale: requests per drain (--pdf-kb PDFs). */
  scaleN: number;
  /** scale: instance counts to compare; the first is the reference. */
  scaleInstances: number[];
  /** scale: how many times each instance count runs. */
  scaleRounds: number;
  /** scale: also this many mailboxes with one instance each (1: no such step). */
  scaleMailboxes: number;
  /** Pages of the scanned court document of memory-scan (read by OCR, DOCUMENT_MAX_OCR_PAGES at most). */
  scanPages: number;
  only: Scenario[];
  quick: boolean;
  /** Write V8 CPU profiles of the drain daemon here (NODE_OPTIONS=--cpu-prof). */
  cpuProfDir: string | null;
  /** Record IMAP/SMTP spans, memory by kind and SQL statements of each daemon (preloads bench/span-tracer.mjs). */
  spans: boolean;
  /** Have PostgreSQL log the plan of every statement slower than this many ms (auto_explain), null for none. */
  explainMs: number | null;
  /** NODE_OPTIONS for every daemon (experiments such as a heap limit), null for none. */
  daemonNodeOptions: string | null;
  help: boolean;
}

export const DEFAULTS: Omit<BenchOptions, 'only' | 'quick' | 'cpuProfDir' | 'spans' | 'explainMs' | 'daemonNodeOptions' | 'help'> = {
  n: 1000, latencyN: 30, backlogN: 10_000, pdfKb: 150, backlogPdfKb: 5, bigMb: 40, scanPages: 20,
  floorN: 1000, pairs: 3, scaleN: 1000, scaleInstances: [1, 2, 3], scaleRounds: 1, scaleMailboxes: 2,
};

/** What `--quick` changes: sized so the whole run stays well under two minutes on CI. */
export const QUICK: Partial<BenchOptions> = { n: 100, latencyN: 5, backlogN: 50, floorN: 100, pairs: 2, scaleN: 100 };

export const USAGE = `Usage: npm run bench -- [options]

Starts its own Dovecot, PostgreSQL cluster and SMTP sink, runs liquibot as a child process
(bin/liquibot run) and prints a table, then one JSON line with every figure (last line of stdout).
Progress goes to stderr.

  --n N               drain: requests already in the mailbox at start (default ${DEFAULTS.n})
  --latency-n N       latency: requests appended one at a time (default ${DEFAULTS.latencyN})
  --backlog-n N       memory: small requests in the backlog (default ${DEFAULTS.backlogN})
  --pdf-kb K          PDF size of drain/latency requests in KiB (default ${DEFAULTS.pdfKb})
  --backlog-pdf-kb K  PDF size of backlog requests in KiB (default ${DEFAULTS.backlogPdfKb})
  --big-mb M          the single big attachment, in MiB (default ${DEFAULTS.bigMb})
  --scan-pages P      memory-scan: pages of the scanned court document (default ${DEFAULTS.scanPages})
  --only LIST         comma list of drain, latency, memory (= memory-big,memory-backlog,memory-scan),
                      floor, scale
  --floor-n N         floor: requests per drain, for each size (default ${DEFAULTS.floorN})
  --pairs N           floor: liquibot/floor pairs per size, sides alternated (default ${DEFAULTS.pairs})
  --scale-n N         scale: requests per drain (default ${DEFAULTS.scaleN})
  --scale-instances L scale: instance counts, the first is the reference (default ${DEFAULTS.scaleInstances.join(',')})
  --scale-rounds N    scale: runs of each instance count (default ${DEFAULTS.scaleRounds})
  --scale-mailboxes N scale: also N mailboxes (folders), one instance each, the requests dealt into them;
                      1 for none (default ${DEFAULTS.scaleMailboxes})
  --quick             CI size: --n ${QUICK.n} --latency-n ${QUICK.latencyN} --backlog-n ${QUICK.backlogN}
                      (--floor-n ${QUICK.floorN} --pairs ${QUICK.pairs} --scale-n ${QUICK.scaleN})
                      Without --only: every scenario but floor and scale (issue 15), which run when asked
  --cpu-prof DIR      write a V8 CPU profile of each daemon to DIR (summarise with
                      tsx bench/profile-summary.ts DIR/drain-daemon.cpuprofile)
  --spans             record each daemon's IMAP/SMTP round trips, memory by kind, GC, and every
                      SQL statement with its server time (into DIR or data/bench/, and the JSON);
                      profiling slows the daemon: do not compare its figures with a plain run
  --explain MS        have PostgreSQL log the plan, with actual rows and times, of every statement
                      slower than MS ms (auto_explain), written per daemon run to
                      DIR/<scenario>-plans.log (DIR from --cpu-prof, or data/bench/); slows the server
  --daemon-node-options "…"  NODE_OPTIONS for every daemon, e.g. "--max-old-space-size=96"`;

export class UsageError extends Error {}

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive integer, got ${value ?? 'nothing'}`);
  return n;
}

function instancesOf(value: string | undefined): number[] {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError('--scale-instances needs a list such as 1,2,3');
  return list.map((s) => positive('--scale-instances', s));
}

function scenariosOf(list: string | undefined): Scenario[] {
  if (!list) throw new UsageError('--only needs a list: drain,latency,memory,floor,scale');
  const out = new Set<Scenario>();
  for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw === 'memory') {
      out.add('memory-big');
      out.add('memory-backlog');
      out.add('memory-scan');
    } else if ((SCENARIOS as readonly string[]).includes(raw)) {
      out.add(raw as Scenario);
    } else {
      throw new UsageError(`--only: unknown scenario ${raw} (drain, latency, memory, memory-big, memory-backlog, memory-scan, floor, scale)`);
    }
  }
  // Always in the canonical order, whatever order was asked.
  return SCENARIOS.filter((s) => out.has(s));
}

/** Parse argv (without node and script). Explicit sizes win over --quick, wherever they appear. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const explicit: Partial<BenchOptions> = {};
  let only: Scenario[] | null = null;
  let quick = false;
  let cpuProfDir: string | null = null;
  let spans = false;
  let explainMs: number | null = null;
  let daemonNodeOptions: string | null = null;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--n': explicit.n = positive(flag, value()); break;
      case '--latency-n': explicit.latencyN = positive(flag, value()); break;
      case '--backlog-n': explicit.backlogN = positive(flag, value()); break;
      case '--pdf-kb': explicit.pdfKb = positive(flag, value()); break;
      case '--backlog-pdf-kb': explicit.backlogPdfKb = positive(flag, value()); break;
      case '--big-mb': explicit.bigMb = positive(flag, value()); break;
      case '--floor-n': explicit.floorN = positive(flag, value()); break;
      case '--pairs': explicit.pairs = positive(flag, value()); break;
      case '--scale-n': explicit.scaleN = positive(flag, value()); break;
      case '--scale-instances': explicit.scaleInstances = instancesOf(value()); break;
      case '--scale-rounds': explicit.scaleRounds = positive(flag, value()); break;
      case '--scale-mailboxes': explicit.scaleMailboxes = positive(flag, value()); break;
      case '--scan-pages': explicit.scanPages = positive(flag, value()); break;
      case '--only': only = scenariosOf(value()); break;
      case '--quick': quick = true; break;
      case '--cpu-prof': {
        const dir = value();
        if (!dir) throw new UsageError('--cpu-prof needs a directory');
        cpuProfDir = dir;
        break;
      }
      case '--spans': spans = true; break;
      case '--explain': explainMs = positive(flag, value()); break;
      case '--daemon-node-options': {
        const v = value();
        if (!v) throw new UsageError('--daemon-node-options needs a value, e.g. "--max-old-space-size=96"');
        daemonNodeOptions = v;
        break;
      }
      case '--help': case '-h': help = true; break;
      default: throw new UsageError(`unknown option ${arg}`);
    }
  }
  only ??= [...DEFAULT_SCENARIOS];
  return { ...DEFAULTS, ...(quick ? QUICK : {}), ...explicit, only, quick, cpuProfDir, spans, explainMs, daemonNodeOptions, help };
}
