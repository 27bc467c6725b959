import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { migrateDatabase, openDatabase } from '../../src/db/client';
import { freshDatabaseUrl } from '../helpers/fresh-database';
import { requireProvided } from '../helpers/require-provided';

describe('DATABASE_URL naming a Unix socket (libpq form)', () => {
  it('connects, migrates under the advisory lock and queries through the socket', async () => {
    const { socketDir } = requireProvided('sandboxPostgres');
    const tcp = new URL(await freshDatabaseUrl('socket'));
    const url = `postgresql://${tcp.username}@${tcp.pathname}?host=${encodeURIComponent(socketDir)}&port=${tcp.port}&application_name=liquibot-socket-test`;
    const database = await openDatabase({ url, dataDir: '/nonexistent' });
    try {
      await migrateDatabase(database);
      const [row] = await database.rows<{ app: string; socket: boolean }>(
        sql`select current_setting('application_name') as app, inet_client_addr() is null as socket`,
      );
      // No client address: the session came through the Unix socket, not TCP.
      expect(row).toEqual({ app: 'liquibot-socket-test', socket: true });
      expect((await database.rows<{ n: number }>(sql`select count(*)::int as n from tickets`))[0]!.n).toBe(0);
    } finally {
      await database.close();
    }
  });
});
