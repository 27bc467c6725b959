import { AppError } from '../errors';
import { sql } from 'drizzle-orm';
import { check, type PgColumn } from 'drizzle-orm/pg-core';
import {
  AUTO_SUBMITTED_VALUES, CONSOLE_AUDIT_ACTIONS, CONSOLE_ROLES, INBOUND_STATUSES, OUTBOX_STATUSES, RESET_LINK_STATUSES, TICKET_DECISIONS,
  TICKET_EVENT_KINDS, TICKET_STATUSES,
} from './vocabulary';

/**
 * Which column holds which closed set of vocabulary.ts: schema.ts turns each entry into a CHECK
 * constraint (drizzle-kit writes it into the migration), and test/db/vocabulary-checks.test.ts reads
 * the constraints back from a migrated database and compares them with these lists.
 *
 * `outbox.kind` and `outbox.template_name` are not here on purpose: they hold template names, a set
 * owned by src/templates/catalog.ts that grows with the product, and rows must keep the name of a
 * template that was later renamed or removed (the history says which mail was sent).
 */
export const VOCABULARY_COLUMNS = [
  { table: 'tickets', column: 'status', values: TICKET_STATUSES },
  { table: 'tickets', column: 'decision', values: TICKET_DECISIONS },
  { table: 'ticket_events', column: 'kind', values: TICKET_EVENT_KINDS },
  { table: 'ticket_events', column: 'from_status', values: TICKET_STATUSES },
  { table: 'ticket_events', column: 'to_status', values: TICKET_STATUSES },
  { table: 'inbound_messages', column: 'status', values: INBOUND_STATUSES },
  { table: 'outbox', column: 'status', values: OUTBOX_STATUSES },
  { table: 'outbox', column: 'auto_submitted', values: AUTO_SUBMITTED_VALUES },
  { table: 'reset_links', column: 'status', values: RESET_LINK_STATUSES },
  { table: 'console_users', column: 'role', values: CONSOLE_ROLES },
  { table: 'console_audit', column: 'action', values: CONSOLE_AUDIT_ACTIONS },
] as const satisfies readonly { table: string; column: string; values: readonly string[] }[];

export type VocabularyColumn = (typeof VOCABULARY_COLUMNS)[number];

/** PostgreSQL's own name for a one-column CHECK (`<table>_<column>_check`). */
export function vocabularyCheckName(table: string, column: string): string {
  return `${table}_${column}_check`;
}

/** `'a', 'b'` as SQL string literals. The values are ours, but quote them properly all the same. */
export function sqlStringList(values: readonly string[]): string {
  if (values.length === 0) throw new AppError('INTERNAL', 'a closed set needs at least one value');
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
}

/**
 * The CHECK constraints of one table, for the extra-config callback of its pgTable. Values are
 * inlined (drizzle-kit cannot write parameters into a migration). A NULL passes a CHECK, so nullable
 * columns (from_status, decision, …) need no `is null or`.
 */
export function vocabularyChecks(table: string, columns: Record<string, PgColumn>) {
  return VOCABULARY_COLUMNS.filter((v) => v.table === table).map((v) => {
    const column = Object.values(columns).find((c) => c.name === v.column);
    if (!column) throw new AppError('INTERNAL', `vocabulary: ${table} has no column ${v.column}`);
    return check(vocabularyCheckName(table, v.column), sql`${column} in (${sql.raw(sqlStringList(v.values))})`);
  });
}

/**
 * The statements that replace one constraint, for a hand-written migration (drizzle-kit writes the same
 * from schema.ts with `npm run db:generate`). Rows already holding a value that left the list make the
 * ADD fail: map them first, in the same migration.
 */
export function replaceVocabularyCheckSql(entry: { table: string; column: string; values: readonly string[] }): string {
  const name = vocabularyCheckName(entry.table, entry.column);
  return `ALTER TABLE "${entry.table}" DROP CONSTRAINT IF EXISTS "${name}";--> statement-breakpoint\n`
    + `ALTER TABLE "${entry.table}" ADD CONSTRAINT "${name}" CHECK ("${entry.column}" IN (${sqlStringList(entry.values)}));`;
}
