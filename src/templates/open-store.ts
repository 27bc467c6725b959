import type { Config } from '../config';
import type { Database } from '../db/client';
import { loadDatabaseTemplates } from './db-versions';
import type { Logger } from '../log';
import { TemplateStore, type TemplateRejection } from './store';

export interface OpenTemplateStoreOptions {
  /** Lay the active console versions of this database over the files (read once; the daemon polls instead). */
  database?: Database;
  /** Also told about each refused edit (once per refused version), e.g. to mail the admins. */
  onRejected?: (rejection: TemplateRejection) => void;
}

/**
 * Opens the template store for the daemon and the commands: TEMPLATES_DIR over the shipped templates,
 * dates in TIMEZONE, refused edits and reloads logged. Call `watch()` to hot-reload, `close()` to stop.
 */
export async function openTemplateStore(
  config: Pick<Config, 'TEMPLATES_DIR' | 'TIMEZONE'>,
  log: Logger,
  options: OpenTemplateStoreOptions = {},
): Promise<TemplateStore> {
  const tlog = log.child({ component: 'templates' });
  const store = new TemplateStore({
    templatesDir: config.TEMPLATES_DIR ?? null,
    timeZone: config.TIMEZONE,
    onRejected: (rejection) => {
      tlog.warn(
        {
          template: rejection.name,
          version: rejection.version,
          activeVersion: rejection.activeVersion,
          issues: rejection.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`),
        },
        'template edit refused, previous version kept',
      );
      options.onRejected?.(rejection);
    },
    onReloaded: (event) => tlog.info({ template: event.name, version: event.version, origin: event.origin }, 'template reloaded'),
    onError: (err) => tlog.error({ err }, 'template reload failed'),
  });
  if (options.database) store.setDatabaseTemplates(await loadDatabaseTemplates(options.database));
  return store;
}
