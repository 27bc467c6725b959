import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The daemon's SQL as PostgreSQL saw it: with `log_min_duration_statement=0` passed as a startup
 * parameter in DATABASE_URL (postgres.js forwards unknown URL parameters), the server logs every
 * parse/bind/execute step with its duration. This turns that log into counts and server time per
 * statement shape, which the CPU profile of the client cannot show.
 */

export interface StatementStats {
  /** Statement shape: the SQL with literals and parameter lists folded, cut to 90 characters. */
  shape: string;
  executes: number;
  /** Server time of parse + bind + execute, ms. */
  serverMs: number;
}

export interface StatementLog {
  executes: number;
  serverMs: number;
  byShape: StatementStats[];
}

const LINE = /^\S+ \S+ \S+ \[\d+\] LOG:\s+duration: ([\d.]+) ms\s+(parse|bind|execute|statement)( [^:]*)?: (.*)$/;

export function shapeOf(sql: string): string {
  return sql
    .replace(/\/\*.*?\*\//g, '')
    .replace(/\$\d+(\s*,\s*\$\d+)+/g, '$n…')
    .replace(/'(?:[^']|'')*'/g, "'…'")
    .replace(/\b\d+\b/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 90);
}

/** Accumulates log lines into a StatementLog; lines may be fed in any chunking. */
export class StatementLogSummary {
  private readonly by = new Map<string, StatementStats>();
  private executes = 0;
  private serverMs = 0;
  /** The entry being built: a LOG line plus its tab-indented continuation lines. */
  private pending: string | null = null;

  constructor(private readonly skip: (sql: string) => boolean = () => false) {}

  line(line: string): void {
    if (line.startsWith('\t') && this.pending !== null) {
      // Bounded: a huge statement text adds nothing to its shape.
      if (this.pending.length < 4096) this.pending += ` ${line.trim()}`;
      return;
    }
    this.flush();
    this.pending = line.length > 65_536 ? line.slice(0, 65_536) : line;
  }

  private flush(): void {
    const entry = this.pending;
    this.pending = null;
    if (entry === null) return;
    const m = LINE.exec(entry);
    if (!m) return;
    const [, ms, phase, , sql] = m;
    if (this.skip(sql!)) return;
    const shape = shapeOf(sql!);
    const s = this.by.get(shape) ?? { shape, executes: 0, serverMs: 0 };
    s.serverMs += Number(ms);
    this.serverMs += Number(ms);
    if (phase === 'execute' || phase === 'statement') {
      s.executes += 1;
      this.executes += 1;
    }
    this.by.set(shape, s);
  }

  result(): StatementLog {
    this.flush();
    return { executes: this.executes, serverMs: this.serverMs, byShape: [...this.by.values()].sort((a, b) => b.serverMs - a.serverMs) };
  }
}

/** Aggregate log text; lines for `skip` (e.g. the bench's own queries, marked with a comment) are left out. */
export function summariseStatementLog(text: string, skip: (sql: string) => boolean = () => false): StatementLog {
  const summary = new StatementLogSummary(skip);
  for (const line of text.split('\n')) summary.line(line);
  return summary.result();
}

/**
 * Summarise the log from `offset` to its end, reading it in chunks: with parameters logged, a drain
 * of 1000 mails writes more than V8's longest string.
 */
export function summariseStatementLogFile(file: string, offset: number): StatementLog {
  const summary = new StatementLogSummary();
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    let rest = '';
    for (let pos = offset; pos < size; ) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - pos), pos);
      if (n <= 0) break;
      pos += n;
      const text = rest + chunk.toString('utf8', 0, n);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      if (rest.length > 65_536) rest = rest.slice(0, 65_536);
      for (const line of lines) summary.line(line);
    }
    if (rest) summary.line(rest);
  } finally {
    closeSync(fd);
  }
  return summary.result();
}

export function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
