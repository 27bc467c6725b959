import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { startPostgresCluster } from '../src/sandbox/postgres-cluster.ts';
import { openDatabase, migrateDatabase } from '../src/db/client.ts';
const cluster = await startPostgresCluster();
try {
  const admin = postgres(cluster.url(), { max: 1, onnotice: () => {} });
  await admin`create database m`;
  await admin.end();
  const database = await openDatabase({ url: cluster.url('m'), dataDir: '/tmp/m-unused' });
  await migrateDatabase(database);
  const T = 20000;
  await database.rows(sql`insert into tickets (id, ref, status, requester_email, "check", created_at, updated_at)
    select g, 'LJ-' || g, (array['resolved','refused','non_conforming','awaiting_approval','link_sent'])[1 + g % 5], 'r' || g || '@x.fr', '{}'::jsonb, now() - interval '200 days', now() - interval '150 days' from generate_series(1, ${T}) g`);
  await database.rows(sql`insert into inbound_messages (id, mailbox, uid_validity, uid, sha256, size_bytes, raw, status, outcome, ticket_id, received_at, processed_at)
    select g, 'INBOX', 1, g, md5(g::text) || md5((g+1)::text), 30000, convert_to(repeat(md5(g::text), 900), 'UTF8'), 'processed', 'new-request', case when g % 2 = 1 then (g+1)/2 else null end, now() - interval '200 days', now() - interval '199 days' from generate_series(1, ${T * 2}) g`);
  await database.rows(sql`insert into outbox (purpose_key, ticket_id, kind, message_id, to_address, subject, text_body, template_name, template_version, status, created_at, sent_at)
    select 'p' || g, 1 + (g % ${T}), 'acknowledgment', '<m' || g || '@x>', 'r@x.fr', 'subj', 'b', 't', 'v', case when g % 1000 = 1 then 'pending' else 'sent' end, now(), now() from generate_series(1, ${T * 2}) g`);
  await database.rows(sql`analyze`);
  const plan = await database.rows<{ 'QUERY PLAN': string }>(sql`explain analyze select i.id::int as id, i.status, i.processed_at, i.size_bytes, i.sha256, i.ticket_id, t.status as ticket_status, t.updated_at,
    exists (select 1 from outbox o where o.status in ('pending', 'sending') and o.attachments @> jsonb_build_array(jsonb_build_object('inboundMessageId', i.id))) as awaited
    from inbound_messages i left join tickets t on t.id = i.ticket_id
    where i.id > 20000 and i.raw is not null and i.status <> 'stored' and i.processed_at < now() - interval '90 days' order by i.id limit 200`);
  console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
  await database.close();
} finally { await cluster.stop(); }
