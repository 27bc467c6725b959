import type { Database } from '../db/client';
import type { TemplateVersionRow } from '../db/schema';
import { activeVersions, activeVersionStamps } from '../db/template-version-queries';
import { errorFields, type Logger } from '../log';
import { isTemplateName } from './catalog';
import type { DatabaseTemplate } from './precedence';
import type { TemplateRejection } from './store';

/** How often an instance looks for a new console version (a cheap query: one row per edited mail). */
export const TEMPLATE_POLL_MS = 2_000;

/** A template_versions row as the store takes it; null for a row of a mail this liquibot does not know. */
export function databaseTemplateOf(row: TemplateVersionRow): DatabaseTemplate | null {
  if (!isTemplateName(row.name)) return null;
  return { name: row.name, version: row.version, id: row.id, parts: { subject: row.subject, text: row.text, html: row.html } };
}

/** The active console version of every mail, read from the database. */
export async function loadDatabaseTemplates(database: Database): Promise<DatabaseTemplate[]> {
  return (await activeVersions(database.db)).map(databaseTemplateOf).filter((t): t is DatabaseTemplate => t !== null);
}

/** What the sync needs of the template store. */
export interface DatabaseTemplateTarget {
  setDatabaseTemplates(versions: readonly DatabaseTemplate[]): TemplateRejection[];
}

export interface TemplateVersionSync {
  /** Reads the active versions now (after a save in this process: no need to wait for the poll). */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Keeps a template store on the active console versions: reads them once now, then polls the version
 * numbers every `intervalMs` and reloads when one changed, so that every instance sends with the same
 * active version within a poll. A database that cannot be read leaves the templates in use as they
 * are (logged); a version that fails the checks is refused by the store (the last good one stays).
 */
export async function startTemplateVersionSync(opts: {
  database: Database;
  store: DatabaseTemplateTarget;
  log: Logger;
  intervalMs?: number;
}): Promise<TemplateVersionSync> {
  const log = opts.log.child({ component: 'templates' });
  let stamp: string | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  async function check(force: boolean): Promise<void> {
    const stamps = await activeVersionStamps(opts.database.db);
    const next = stamps.map((s) => `${s.name}@${s.version}`).join(',');
    if (!force && next === stamp) return;
    const versions = await loadDatabaseTemplates(opts.database);
    opts.store.setDatabaseTemplates(versions);
    if (stamp !== null || versions.length > 0) log.info({ versions: next || 'none' }, 'console template versions loaded');
    stamp = next;
  }

  function run(force: boolean): Promise<void> {
    // One read at a time; a refresh asked during a poll waits for it, then reads again.
    const previous = running ?? Promise.resolve();
    const mine: Promise<void> = previous.catch(() => {}).then(() => check(force)).finally(() => {
      if (running === mine) running = null;
    });
    running = mine;
    return mine;
  }

  await run(true).catch((err) => log.error(errorFields(err), 'console template versions not loaded, files in use'));
  // While the database is away, said once (not every poll), and again when it answers.
  let failing = false;
  const timer = setInterval(() => {
    if (stopped) return;
    run(false).then(() => {
      if (failing) log.info('console template versions checked again');
      failing = false;
    }, (err) => {
      if (!failing) log.warn(errorFields(err), 'console template versions not checked, templates in use kept');
      failing = true;
    });
  }, opts.intervalMs ?? TEMPLATE_POLL_MS);
  timer.unref();
  return {
    refresh: () => run(true),
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
