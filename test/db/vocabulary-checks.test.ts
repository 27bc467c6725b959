import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTableColumns, is, Table } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Database } from '../../src/db/client';
import * as schema from '../../src/db/schema';
import { replaceVocabularyCheckSql, sqlStringList, VOCABULARY_COLUMNS, vocabularyCheckName } from '../../src/db/vocabulary-sql';
import { readCheckConstraints, type CheckConstraint } from './migration-support';

const NEW_MIGRATION = [
  'Migrations are never edited once applied: write a NEW one that replaces the constraint.',
  'Run `npm run db:generate` (drizzle-kit renders the CHECK from src/db/schema.ts, which reads src/db/vocabulary.ts),',
  'and before the replacement, in the same migration, map the rows that hold a value leaving the list. The statements:',
].join('\n');

/**
 * vocabulary.ts is the one source of the closed sets; the database's CHECK constraints are written once, by
 * migrations. This test reads them back from a database migrated to the latest and fails when they differ.
 */
describe('CHECK constraints of a migrated database and src/db/vocabulary.ts', () => {
  let dataDir: string;
  let database: Database;
  let checks: CheckConstraint[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'liquibot-vocabulary-'));
    database = await openDatabase({ dataDir });
    await migrateDatabase(database);
    checks = await readCheckConstraints(database);
  }, 60_000);

  afterAll(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(VOCABULARY_COLUMNS.map((v) => [`${v.table}.${v.column}`, v] as const))('%s holds exactly its list', (_name, entry) => {
    const found = checks.filter((c) => c.table === entry.table && c.columns.length === 1 && c.columns[0] === entry.column);
    const expected: string[] = [...entry.values].sort();
    const applied = found.flatMap((c) => c.values).sort();
    const missing = expected.filter((v) => !applied.includes(v));
    const extra = applied.filter((v) => !expected.includes(v));
    expect(
      found.length === 1 && found[0]!.name === vocabularyCheckName(entry.table, entry.column) && missing.length === 0 && extra.length === 0,
      `${entry.table}.${entry.column}: the database ${found.length === 0 ? 'has no CHECK' : `has ${found.map((c) => c.definition).join(' and ')}`}`
        + `${missing.length ? `; not in the database: ${missing.join(', ')}` : ''}${extra.length ? `; not in vocabulary.ts: ${extra.join(', ')}` : ''}.\n`
        + `${NEW_MIGRATION}\n${replaceVocabularyCheckSql(entry)}`,
    ).toBe(true);
  });

  it('has no CHECK constraint that vocabulary-sql.ts does not know', () => {
    const known = new Set(VOCABULARY_COLUMNS.map((v) => vocabularyCheckName(v.table, v.column)));
    expect(checks.map((c) => c.name).filter((n) => !known.has(n)), 'a CHECK in the database with no entry in VOCABULARY_COLUMNS').toEqual([]);
  });

  it('gives every enum column of schema.ts a CHECK from the same list as its TypeScript union', () => {
    const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, Table));
    const enumColumns = tables.flatMap((t) => {
      const { name } = getTableConfig(t);
      return Object.values(getTableColumns(t))
        .filter((c) => (c.enumValues?.length ?? 0) > 0)
        .map((c) => ({ key: `${name}.${c.name}`, values: [...c.enumValues!] }));
    });
    expect(enumColumns.map((c) => c.key).sort()).toEqual(VOCABULARY_COLUMNS.map((v) => `${v.table}.${v.column}`).sort());
    for (const c of enumColumns) {
      const entry = VOCABULARY_COLUMNS.find((v) => `${v.table}.${v.column}` === c.key)!;
      expect(c.values, c.key).toEqual([...entry.values]);
    }
  });
});

describe('rendering a list as SQL', () => {
  it('quotes each value as a string literal', () => {
    expect(sqlStringList(['a', "it's"])).toBe("'a', 'it''s'");
    expect(() => sqlStringList([])).toThrow();
  });

  it('writes the statements of a replacement in drizzle-kit’s breakpoint format', () => {
    expect(replaceVocabularyCheckSql({ table: 'outbox', column: 'status', values: ['pending', 'sent'] })).toBe(
      'ALTER TABLE "outbox" DROP CONSTRAINT IF EXISTS "outbox_status_check";--> statement-breakpoint\n'
      + 'ALTER TABLE "outbox" ADD CONSTRAINT "outbox_status_check" CHECK ("status" IN (\'pending\', \'sent\'));',
    );
  });
});
