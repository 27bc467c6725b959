import type { Config } from '../config';
import { migrateDatabase, openDatabase, type Database } from '../db/client';
import { silentLogger } from '../log';

/** Open and migrate the configured database for a terminal command. */
export async function openDatabaseForCommand(config: Config): Promise<Database> {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, log: silentLogger });
  await migrateDatabase(database);
  return database;
}
