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

/** Aggregate log text; lines for `skip` (e.g. the bench's own queries, marked with a comment) are left out. */
export function summariseStatementLog(text: string, skip: (sql: string) => boolean = () => false): StatementLog {
  const by = new Map<string, StatementStats>();
  let executes = 0;
  let serverMs = 0;
  // A statement may go on over continuation lines (starting with a tab): glue them back on.
  const entries: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('\t') && entries.length > 0) entries[entries.length - 1] += ` ${line.trim()}`;
    else entries.push(line);
  }
  for (const line of entries) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, ms, phase, , sql] = m;
    if (skip(sql!)) continue;
    const shape = shapeOf(sql!);
    const s = by.get(shape) ?? { shape, executes: 0, serverMs: 0 };
    s.serverMs += Number(ms);
    serverMs += Number(ms);
    if (phase === 'execute' || phase === 'statement') {
      s.executes += 1;
      executes += 1;
    }
    by.set(shape, s);
  }
  return { executes, serverMs, byShape: [...by.values()].sort((a, b) => b.serverMs - a.serverMs) };
}

/** The log's bytes from `offset` to its end (what one scenario added). */
export function readLogFrom(file: string, offset: number): string {
  const size = statSync(file).size;
  if (size <= offset) return '';
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
