import type { TemplateName } from './catalog';
import { TEMPLATE_PARTS, type TemplatePart } from './engine';

/**
 * Which text of a mail's part is used, part by part (subject, text, html):
 *
 *   1. the active console version in the database (its highest version), when that part is not null;
 *   2. else the file in TEMPLATES_DIR, when there is one;
 *   3. else the shipped file in templates/.
 *
 * A database part that is null falls back to the files; an empty string is a real value (an empty
 * html part sends the mail as text only, as an empty html.liquid does).
 */

/** Where a part in use comes from: a console version in the database, TEMPLATES_DIR, or the shipped files. */
export type PartOrigin = 'database' | 'custom' | 'shipped';

/** One template file as read (or one part of a database version). */
export interface PartSource {
  part: TemplatePart;
  /** The file, or for a database version `database:NAME@vN/PART.liquid`. */
  file: string;
  content: string;
  origin: PartOrigin;
}

/** The active console version of one mail, as the store and the checks need it. */
export interface DatabaseTemplate {
  name: TemplateName;
  /** 1, 2, 3… per mail. */
  version: number;
  /** The row's id (template_versions.id). */
  id: number;
  parts: Record<TemplatePart, string | null>;
}

/** The name a database part goes by in issues and logs, like a file: `database:reset-link@v3/text.liquid`. */
export function databasePartFile(name: TemplateName, version: number | 'brouillon', part: TemplatePart): string {
  return `database:${name}@${version === 'brouillon' ? 'brouillon' : `v${version}`}/${part}.liquid`;
}

/** The three candidates of one part, from the highest precedence to the lowest. */
export interface PartCandidates {
  database: string | null;
  templatesDir: string | null;
  shipped: string | null;
}

/** The part in use and where it comes from; null when no candidate has it. Pure. */
export function pickPart(c: PartCandidates): { content: string; origin: PartOrigin } | null {
  if (c.database !== null) return { content: c.database, origin: 'database' };
  if (c.templatesDir !== null) return { content: c.templatesDir, origin: 'custom' };
  if (c.shipped !== null) return { content: c.shipped, origin: 'shipped' };
  return null;
}

/** The files' parts with the database version's non-null parts laid over them. Pure. */
export function overlayDatabase(
  files: Record<TemplatePart, PartSource | null>, database: DatabaseTemplate,
): Record<TemplatePart, PartSource | null> {
  const out = {} as Record<TemplatePart, PartSource | null>;
  for (const part of TEMPLATE_PARTS) {
    const content = database.parts[part];
    out[part] = content === null ? files[part] : { part, file: databasePartFile(database.name, database.version, part), content, origin: 'database' };
  }
  return out;
}

/** French label of a part's origin, as the console shows it. */
export function originLabel(origin: PartOrigin | null, databaseVersion: number | null): string {
  switch (origin) {
    case 'database':
      return `console v${databaseVersion ?? '?'}`;
    case 'custom':
      return 'TEMPLATES_DIR';
    case 'shipped':
      return 'livré';
    default:
      return 'aucune';
  }
}

/**
 * What to store for a part saved in the console: null (fall back to the files) when the text is the
 * files' own, else the text. `files` is the part the files give ('' when there is none). Pure.
 */
export function partToStore(submitted: string, files: string | null): string | null {
  return submitted === (files ?? '') ? null : submitted;
}
