import { AppError } from '../errors';
/**
 * Loading the accounts directory into the database.
 */
import { eq, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accounts, type Account } from '../db/schema';
import { isValidSiret } from '../../parsers/siret';
import type { AccountRow } from './parse-accounts-csv';

export interface ImportCounts {
  inserted: number;
  /** Rows whose names changed. */
  updated: number;
  /** Rows already there with the same names (left untouched, updated_at kept). */
  unchanged: number;
}

/** Rows per INSERT statement: 3 parameters each, far below PostgreSQL's 65,535. */
const BATCH = 1000;

/**
 * Upserts the rows by SIRET, all in one transaction (a failure leaves the directory as it was):
 * new SIRETs are inserted, known ones get the new names and `updated_at = now` when a name
 * changed. A SIRET given twice keeps its first row. Rows missing from the file are not deleted.
 * Throws on a row whose SIRET is not a valid normalized SIRET (the parser never gives one).
 */
export async function importAccounts(db: Db, rows: readonly AccountRow[], now: Date): Promise<ImportCounts> {
  const unique = new Map<string, AccountRow>();
  for (const row of rows) {
    if (!isValidSiret(row.siret)) throw new AppError('INTERNAL', `importAccounts: invalid SIRET ${JSON.stringify(row.siret)}`);
    if (!unique.has(row.siret)) unique.set(row.siret, row);
  }
  const values = [...unique.values()].map((r) => ({ siret: r.siret, lastName: r.lastName, firstName: r.firstName, updatedAt: now }));
  const counts: ImportCounts = { inserted: 0, updated: 0, unchanged: 0 };
  await db.transaction(async (tx) => {
    for (let i = 0; i < values.length; i += BATCH) {
      const batch = values.slice(i, i + BATCH);
      const written = await tx
        .insert(accounts)
        .values(batch)
        .onConflictDoUpdate({
          target: accounts.siret,
          set: { lastName: sql`excluded.last_name`, firstName: sql`excluded.first_name`, updatedAt: sql`excluded.updated_at` },
          setWhere: or(
            sql`${accounts.lastName} is distinct from excluded.last_name`,
            sql`${accounts.firstName} is distinct from excluded.first_name`,
          ),
        })
        // xmax = 0 only on a freshly inserted row version
        .returning({ inserted: sql<boolean>`(xmax = 0)` });
      const inserted = written.filter((w) => w.inserted === true || String(w.inserted) === 'true').length;
      counts.inserted += inserted;
      counts.updated += written.length - inserted;
      counts.unchanged += batch.length - written.length;
    }
  });
  return counts;
}

/** The directory entry of a SIRET, or null. */
export async function findAccount(db: Db, siret: string): Promise<Account | null> {
  const [row] = await db.select().from(accounts).where(eq(accounts.siret, siret));
  return row ?? null;
}
