import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_FOLDER, type Database } from '../../src/db/client';

/** What reading the database's own catalog says about its constraints (not what drizzle believes). */
export interface CheckConstraint {
  table: string;
  name: string;
  columns: string[];
  definition: string;
  /** The quoted values of the definition, e.g. `CHECK ((status = ANY (ARRAY['a'::text, 'b'::text])))`. */
  values: string[];
}

export interface ForeignKey {
  table: string;
  name: string;
  columns: string[];
  references: string;
  onDelete: 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';
}

interface JournalEntry { idx: number; when: number; tag: string }

export function journalEntries(folder = MIGRATIONS_FOLDER): JournalEntry[] {
  return (JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] }).entries;
}

/**
 * Apply the migrations up to and including `lastTag`, as a database deployed back then got them: a copy
 * of drizzle/ whose journal stops there, run through drizzle's own migrator for the driver.
 */
export async function migrateUpTo(database: Database, lastTag: string): Promise<void> {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  const upTo = journal.entries.findIndex((e) => e.tag === lastTag);
  if (upTo < 0) throw new Error(`no migration ${lastTag} in the journal`);
  const folder = mkdtempSync(join(tmpdir(), 'liquibot-migrations-'));
  try {
    mkdirSync(join(folder, 'meta'));
    const entries = journal.entries.slice(0, upTo + 1);
    for (const e of entries) cpSync(join(MIGRATIONS_FOLDER, `${e.tag}.sql`), join(folder, `${e.tag}.sql`));
    writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
    if (database.kind === 'postgres') {
      const { migrate } = await import('drizzle-orm/postgres-js/migrator');
      await migrate(database.db as never, { migrationsFolder: folder });
    } else {
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      await migrate(database.db as never, { migrationsFolder: folder });
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** created_at of the migrations the database recorded as applied, oldest first. */
export async function appliedMigrations(database: Database): Promise<number[]> {
  const rows = await database.rows<{ created_at: string | number }>(sql`select created_at from drizzle.__drizzle_migrations order by created_at`);
  return rows.map((r) => Number(r.created_at));
}

const constraintsQuery = (type: 'c' | 'f') => sql`
  select c.conname as name, cl.relname as "table", pg_get_constraintdef(c.oid) as definition,
    (select string_agg(a.attname, ',' order by a.attnum) from pg_attribute a
      where a.attrelid = c.conrelid and a.attnum = any (c.conkey)) as columns,
    f.relname as "references",
    case c.confdeltype when 'a' then 'no action' when 'r' then 'restrict' when 'c' then 'cascade'
      when 'n' then 'set null' when 'd' then 'set default' end as on_delete
  from pg_constraint c
    join pg_class cl on cl.oid = c.conrelid
    join pg_namespace n on n.oid = cl.relnamespace
    left join pg_class f on f.oid = c.confrelid
  where n.nspname = 'public' and c.contype = ${type}
  order by cl.relname, c.conname`;

interface ConstraintRow { name: string; table: string; definition: string; columns: string; references: string | null; on_delete: string | null }

/** Every CHECK constraint of the public schema, with the values of its list. */
export async function readCheckConstraints(database: Database): Promise<CheckConstraint[]> {
  const rows = await database.rows<ConstraintRow>(constraintsQuery('c'));
  return rows.map((r) => ({
    table: r.table, name: r.name, columns: r.columns.split(','), definition: r.definition,
    values: [...r.definition.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1]!.replace(/''/g, "'")),
  }));
}

export async function readForeignKeys(database: Database): Promise<ForeignKey[]> {
  const rows = await database.rows<ConstraintRow>(constraintsQuery('f'));
  return rows.map((r) => ({
    table: r.table, name: r.name, columns: r.columns.split(','), references: r.references!, onDelete: r.on_delete as ForeignKey['onDelete'],
  }));
}

export async function columnType(database: Database, table: string, column: string): Promise<string | undefined> {
  const [row] = await database.rows<{ data_type: string }>(sql`
    select data_type from information_schema.columns where table_schema = 'public' and table_name = ${table} and column_name = ${column}`);
  return row?.data_type;
}

/** The driver's error of a statement expected to fail (drizzle wraps it as `cause`), or null when it passed. */
export async function failureOf(statement: Promise<unknown>): Promise<{ code: string | undefined; message: string } | null> {
  try {
    await statement;
    return null;
  } catch (err) {
    const cause = ((err as { cause?: unknown }).cause ?? err) as { code?: string; message: string };
    return { code: cause.code, message: cause.message };
  }
}
