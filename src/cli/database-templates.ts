import type { Config } from '../config';
import type { DatabaseTemplate } from '../templates/precedence';
import { loadDatabaseTemplates } from '../templates/db-versions';
import { openDatabaseForCommand } from './open-database';

/** The active console versions of the configured database, for `liquibot templates check`. */
export async function databaseTemplatesForCommand(config: Config): Promise<DatabaseTemplate[]> {
  const database = await openDatabaseForCommand(config);
  try {
    return await loadDatabaseTemplates(database);
  } finally {
    await database.close();
  }
}
