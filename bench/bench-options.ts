/** The command line of `npm run bench`, parsed without side effects so it can be tested. */

export const SCENARIOS = ['drain', 'latency', 'memory-big', 'memory-backlog'] as const;
export type Scenario = (typeof SCENARIOS)[number];

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
  only: Scenario[];
  quick: boolean;
  /** Write V8 CPU profiles of the drain daemon here (NODE_OPTIONS=--cpu-prof). */
  cpuProfDir: string | null;
  /** Record IMAP/SMTP spans, memory by kind and SQL statements of each daemon (preloads bench/span-tracer.mjs). */
  spans: boolean;
  /** NODE_OPTIONS for every daemon (experiments such as a heap limit), null for none. */
  daemonNodeOptions: string | null;
  help: boolean;
}

export const DEFAULTS: Omit<BenchOptions, 'only' | 'quick' | 'cpuProfDir' | 'spans' | 'daemonNodeOptions' | 'help'> = {
  n: 1000, latencyN: 30, backlogN: 10_000, pdfKb: 150, backlogPdfKb: 5, bigMb: 40,
};

/** What `--quick` changes: sized so the whole run stays well under two minutes on CI. */
export const QUICK: Partial<BenchOptions> = { n: 100, latencyN: 5, backlogN: 50 };

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
  --only LIST         comma list of drain, latency, memory (= memory-big,memory-backlog)
  --quick             CI size: --n ${QUICK.n} --latency-n ${QUICK.latencyN} --backlog-n ${QUICK.backlogN}
  --cpu-prof DIR      write a V8 CPU profile of each daemon to DIR (summarise with
                      tsx bench/profile-summary.ts DIR/drain-daemon.cpuprofile)
  --spans             record each daemon's IMAP/SMTP round trips, memory by kind, GC, and every
                      SQL statement with its server time (into DIR or data/bench/, and the JSON);
                      profiling slows the daemon: do not compare its figures with a plain run
  --daemon-node-options "…"  NODE_OPTIONS for every daemon, e.g. "--max-old-space-size=96"`;

export class UsageError extends Error {}

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive integer, got ${value ?? 'nothing'}`);
  return n;
}

function scenariosOf(list: string | undefined): Scenario[] {
  if (!list) throw new UsageError('--only needs a list: drain,latency,memory');
  const out = new Set<Scenario>();
  for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw === 'memory') {
      out.add('memory-big');
      out.add('memory-backlog');
    } else if ((SCENARIOS as readonly string[]).includes(raw)) {
      out.add(raw as Scenario);
    } else {
      throw new UsageError(`--only: unknown scenario ${raw} (drain, latency, memory, memory-big, memory-backlog)`);
    }
  }
  // Always in the canonical order, whatever order was asked.
  return SCENARIOS.filter((s) => out.has(s));
}

/** Parse argv (without node and script). Explicit sizes win over --quick, wherever they appear. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const explicit: Partial<BenchOptions> = {};
  let only: Scenario[] = [...SCENARIOS];
  let quick = false;
  let cpuProfDir: string | null = null;
  let spans = false;
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
      case '--only': only = scenariosOf(value()); break;
      case '--quick': quick = true; break;
      case '--cpu-prof': {
        const dir = value();
        if (!dir) throw new UsageError('--cpu-prof needs a directory');
        cpuProfDir = dir;
        break;
      }
      case '--spans': spans = true; break;
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
  return { ...DEFAULTS, ...(quick ? QUICK : {}), ...explicit, only, quick, cpuProfDir, spans, daemonNodeOptions, help };
}
