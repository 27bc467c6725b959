import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { isUniqueViolation, rowsOf, type Db, type Tx } from './client';
import { templateVersions, type TemplateVersionRow } from './schema';


/**
 * The console's mail templates (table template_versions): every save is a new row, never an update;
 * the active version of a mail is its highest `version`.
 */

/** Every mail's active version number: the cheap query the instances poll. */
export async function activeVersionStamps(db: Db | Tx): Promise<Array<{ name: string; version: number }>> {
  const result = await db.execute(sql`select name, max(version)::int as version from template_versions group by name order by name`);
  return rowsOf<{ name: string; version: number }>(result).map((r) => ({ name: r.name, version: Number(r.version) }));
}

/** Every mail's active version, whole. */
export async function activeVersions(db: Db | Tx): Promise<TemplateVersionRow[]> {
  const result = await db.execute(sql`
    select id from template_versions t
    where version = (select max(version) from template_versions u where u.name = t.name)`);
  const ids = rowsOf<{ id: number | string }>(result).map((r) => Number(r.id));
  if (ids.length === 0) return [];
  return db.select().from(templateVersions).where(inArray(templateVersions.id, ids)).orderBy(templateVersions.name);
}

/** The active version of one mail, or null when it has none (it runs on its files). */
export async function activeVersionOf(db: Db | Tx, name: string): Promise<TemplateVersionRow | null> {
  const [row] = await db.select().from(templateVersions).where(eq(templateVersions.name, name)).orderBy(desc(templateVersions.version)).limit(1);
  return row ?? null;
}

/** Every version of one mail, the newest first. */
export async function versionsOf(db: Db | Tx, name: string): Promise<TemplateVersionRow[]> {
  return db.select().from(templateVersions).where(eq(templateVersions.name, name)).orderBy(desc(templateVersions.version));
}

/** Version `version` of one mail, or null. */
export async function versionOfTemplate(db: Db | Tx, name: string, version: number): Promise<TemplateVersionRow | null> {
  const [row] = await db.select().from(templateVersions).where(and(eq(templateVersions.name, name), eq(templateVersions.version, version)));
  return row ?? null;
}

export interface NewTemplateVersion {
  name: string;
  subject: string | null;
  text: string | null;
  html: string | null;
  /** For a rollback: the version number it restores. */
  basedOn: number | null;
  author: string;
  comment: string | null;
  createdAt: Date;
  /** The active version the author started from (0: none); another one saved meanwhile is a conflict. */
  expectedActive: number;
}

/**
 * Adds the next version of a mail, unless the active version is no longer the one the author started
 * from (someone saved in between): then nothing is written and the active version is returned.
 */
export async function insertTemplateVersion(
  db: Db, input: NewTemplateVersion,
  /** Runs in the same transaction once the row is in (the console's audit line: both or neither). */
  onSaved?: (tx: Tx, row: TemplateVersionRow) => Promise<void>,
): Promise<{ kind: 'saved'; row: TemplateVersionRow } | { kind: 'conflict'; active: number }> {
  try {
    return await db.transaction(async (tx) => {
      const active = await activeVersionOf(tx, input.name);
      const current = active?.version ?? 0;
      if (current !== input.expectedActive) return { kind: 'conflict' as const, active: current };
      const [row] = await tx.insert(templateVersions).values({
        name: input.name, version: current + 1, subject: input.subject, text: input.text, html: input.html,
        basedOn: input.basedOn, author: input.author, comment: input.comment, createdAt: input.createdAt,
      }).returning();
      await onSaved?.(tx, row!);
      return { kind: 'saved' as const, row: row! };
    });
  } catch (err) {
    // Two saves at the same moment: the unique (name, version) lets one through.
    if (isUniqueViolation(err)) {
      const active = await activeVersionOf(db, input.name);
      return { kind: 'conflict', active: active?.version ?? 0 };
    }
    throw err;
  }
}

