import { entityKind, is, SQL, sql, type Placeholder } from 'drizzle-orm';
import { AppError } from '../errors';
import type { Db, Tx } from './client';

/**
 * Statements built once and run many times. drizzle turns a query builder into SQL text on every
 * execution: for a 25-column insert that is some 60 µs of CPU and, with the other statements of a
 * request, about half a megabyte of short-lived objects per request (issue 15's allocation profile:
 * 536 KB of 1.9 MB per 8 KiB request, more than the MIME parse), which the garbage collector then pays
 * for. A shape is built once with placeholders (drizzle's own `sql.placeholder`), and each call runs it
 * with its own values, on whichever database or transaction it is given, as drizzle's `.prepare()`
 * would if a prepared query could change transactions.
 *
 * It uses internals of drizzle-orm (pinned in package.json): a built query keeps the session's driver
 * client, query logger and cache in `client`, `logger` and `cache`, and each run gets a copy with the
 * caller's. Values are encoded by the columns as drizzle would (a Date as text, jsonb as JSON); nulls are
 * baked into the shape (rowShape), since drizzle's encoders are not called on a constant null but would
 * be on a placeholder. A null therefore makes a shape, and a prepared statement, of its own.
 */
interface BuiltStatement {
  execute(values: Record<string, unknown>): Promise<unknown>;
}

/** A drizzle query builder: `_prepare()` builds its SQL text and parameters once. */
interface Buildable {
  _prepare(): BuiltStatement;
}

/** What a built statement takes from the session it runs on: the driver's client, drizzle's query logger and cache. */
interface Session {
  client: unknown;
  logger: unknown;
  cache: unknown;
}

/** Per driver (postgres.js, PGlite: their built statements differ), the shapes built so far. */
const shapes = new WeakMap<object, Map<string, BuiltStatement>>();

/** The number of shapes built, for the tests: a shape is built once per driver. */
export function shapesBuilt(db: Db | Tx): number {
  return shapes.get(sessionOf(db).constructor)?.size ?? 0;
}

function sessionOf(db: Db | Tx): Session {
  return (db as unknown as { _: { session: Session } })._.session;
}

/**
 * Runs the statement `key` names with `values`: built by `build` (against `db`, with placeholders named
 * as the keys of `values`) the first time, taken as built after that. `key` must name one shape of SQL:
 * everything that changes the text (the columns, a null, an optional clause) belongs in it.
 */
export function runShape<T>(db: Db | Tx, key: string, build: () => unknown, values: Record<string, unknown>): Promise<T> {
  const session = sessionOf(db);
  let byKey = shapes.get(session.constructor);
  if (!byKey) shapes.set(session.constructor, (byKey = new Map()));
  let built = byKey.get(key);
  if (!built) {
    built = (build() as Buildable)._prepare();
    byKey.set(key, built);
  }
  const run = Object.create(built) as BuiltStatement & Session;
  run.client = session.client;
  run.logger = session.logger;
  run.cache = session.cache;
  return run.execute(values) as Promise<T>;
}

/**
 * Whether the driver under `db` sends a Buffer given for a bytea parameter as its bytes: postgres.js does,
 * patched (patches/README.md); PGlite writes it as `'\\x'` + hex, built byte by byte.
 */
export function sendsBytesAsIs(db: Db | Tx): boolean {
  return (sessionOf(db).constructor as unknown as Record<symbol, string>)[entityKind] === 'PostgresJsSession';
}

/** A raw statement (drizzle's `sql`, with placeholders) for runShape's `build`, as `db.execute` would run it. */
export function rawStatement(db: Db | Tx, query: SQL): Buildable {
  const d = db as unknown as { _: { session: { prepareQuery(q: unknown, fields: undefined, name: undefined, arrayMode: boolean): BuiltStatement } }; dialect: { sqlToQuery(q: SQL): unknown } };
  return { _prepare: () => d._.session.prepareQuery(d.dialect.sqlToQuery(query), undefined, undefined, false) };
}

/** A placeholder named `name`. */
export const slot = (name: string): Placeholder => sql.placeholder(name);

/**
 * An insert's row as a shape: each column with a value becomes a placeholder of its own name, a null
 * column is written as null, an undefined one is left to its default. `key` tells the shapes apart.
 */
export function rowShape(row: Record<string, unknown>): { key: string; placeholders: Record<string, unknown>; values: Record<string, unknown> } {
  const placeholders: Record<string, unknown> = {};
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  for (const [column, value] of Object.entries(row)) {
    if (value === undefined) continue;
    if (is(value, SQL)) throw new AppError('INTERNAL', `rowShape: column ${column} is SQL, which has no place in a shape`);
    if (value === null) {
      placeholders[column] = null;
      parts.push(`${column}=null`);
    } else {
      placeholders[column] = slot(column);
      values[column] = value;
      parts.push(column);
    }
  }
  return { key: parts.join(','), placeholders, values };
}
