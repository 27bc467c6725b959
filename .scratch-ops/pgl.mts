import { sql } from 'drizzle-orm';
import { openDatabase, migrateDatabase } from '../src/db/client.ts';
const d = await openDatabase({ dataDir: '/tmp/pgl-test' });
await migrateDatabase(d);
const r = await d.rows(sql`select now() as t, count(*)::int as n, (select min(created_at) from outbox) as m from outbox`);
console.log(r, typeof r[0].t);
await d.close();
