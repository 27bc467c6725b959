import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { startPostgresCluster } from '../src/sandbox/postgres-cluster.ts';
import { openDatabase, migrateDatabase } from '../src/db/client.ts';
import { checkCounts, outboxHealth, quarantinedCount, lastProcessedAt } from '../src/db/ops-queries.ts';
import { countTicketsByStatus } from '../src/db/ticket-queries.ts';
import { createDaemonMetrics } from '../src/metrics/daemon-metrics.ts';
import { createHealthProbe } from '../src/http/health-probe.ts';
import { runRetentionPurge } from '../src/jobs/retention-purge.ts';
import { silentLogger } from '../src/log.ts';

const TICKETS = Number(process.env.TICKETS ?? 20000);
const RAW_KB = Number(process.env.RAW_KB ?? 30);
const cluster = await startPostgresCluster();
try {
  const admin = postgres(cluster.url(), { max: 1, onnotice: () => {} });
  await admin`create database m`;
  await admin.end();
  const database = await openDatabase({ url: cluster.url('m'), dataDir: '/tmp/m-unused' });
  await migrateDatabase(database);
  const t0 = Date.now();
  // TICKETS tickets, 2 inbound messages each (one with RAW_KB of raw), 6 events each (1-2 checked), 2 outbox rows each.
  await database.rows(sql`insert into tickets (id, ref, status, requester_email, "check", created_at, updated_at)
    select g, 'LJ-' || g, (array['resolved','refused','non_conforming','awaiting_approval','link_sent'])[1 + g % 5], 'r' || g || '@x.fr',
      jsonb_build_object('documents', jsonb_build_array(jsonb_build_object('filename','j.pdf','kind','pdf','size',1234,'sha256',md5(g::text),'inboundMessageId', g*2-1)), 'problems', '[]'::jsonb),
      now() - interval '200 days', now() - interval '150 days'
    from generate_series(1, ${TICKETS}) g`);
  await database.rows(sql`insert into inbound_messages (id, mailbox, uid_validity, uid, sha256, size_bytes, raw, status, outcome, ticket_id, received_at, processed_at)
    select g, 'INBOX', 1, g, md5(g::text) || md5((g+1)::text), ${RAW_KB * 1024}, convert_to(repeat(md5(g::text), ${RAW_KB * 1024 / 32}), 'UTF8'),
      case when g % 97 = 0 then 'quarantined' else 'processed' end, 'new-request', case when g % 2 = 1 then (g+1)/2 else null end,
      now() - interval '200 days', now() - interval '199 days'
    from generate_series(1, ${TICKETS * 2}) g`);
  await database.rows(sql`insert into ticket_events (ticket_id, kind, actor, detail)
    select 1 + (g % ${TICKETS}), (array['request_received','checked','status_changed','mail_queued','checked','mail_sent'])[1 + g % 6], 'liquibot',
      case when g % 6 in (1, 4) then jsonb_build_object('verdict', case when g % 3 = 0 then 'conforme' else 'non_conforme' end, 'problems', case when g % 3 = 0 then '[]'::jsonb else '["SIRET_INVALID","ATTACHMENT_MISSING"]'::jsonb end, 'documents', 1) else '{}'::jsonb end
    from generate_series(1, ${TICKETS * 6}) g`);
  await database.rows(sql`insert into outbox (purpose_key, ticket_id, kind, message_id, to_address, subject, text_body, template_name, template_version, status, created_at, sent_at)
    select 'p' || g, 1 + (g % ${TICKETS}), 'acknowledgment', '<m' || g || '@x>', 'r@x.fr', 'subj', repeat('body text ', 200), 't', 'v',
      case when g % 500 = 0 then 'failed' when g % 1000 = 1 then 'pending' else 'sent' end, now() - interval '150 days', now() - interval '150 days'
    from generate_series(1, ${TICKETS * 2}) g`);
  await database.rows(sql`analyze`);
  const [{ size }] = await database.rows<{ size: string }>(sql`select pg_size_pretty(pg_database_size('m')) as size`);
  console.log(`seeded ${TICKETS} tickets, ${TICKETS * 2} inbound (${RAW_KB} KiB raw), ${TICKETS * 6} events, ${TICKETS * 2} outbox in ${Date.now() - t0} ms; db ${size}`);

  const time = async (name: string, f: () => Promise<unknown>, n = 20) => {
    await f();
    const s = performance.now();
    for (let i = 0; i < n; i += 1) await f();
    console.log(`${name.padEnd(24)} ${((performance.now() - s) / n).toFixed(2)} ms`);
  };
  await time('countTicketsByStatus', () => countTicketsByStatus(database.db));
  await time('outboxHealth', () => outboxHealth(database.db));
  await time('quarantinedCount', () => quarantinedCount(database.db));
  await time('lastProcessedAt', () => lastProcessedAt(database.db));
  await time('checkCounts', () => checkCounts(database.db));
  const metrics = createDaemonMetrics({ database, log: silentLogger, now: () => new Date() });
  metrics.watch({ state: () => 'connected', reconnects: () => 0 });
  await time('metrics render', () => metrics.render());
  const health = createHealthProbe({ database, imapState: () => 'connected', maxOutboxAgeSeconds: 900, now: () => new Date() });
  await time('health probe', () => health());
  const dry = await runRetentionPurge({ database, log: silentLogger, now: new Date(), days: 90, dryRun: true });
  console.log('dry run', JSON.stringify({ raw: dry.raw, outbox: dry.outboxBodies, ms: dry.ms }));
  const real = await runRetentionPurge({ database, log: silentLogger, now: new Date(), days: 90, dryRun: false, progressEvery: 10000 });
  console.log('purge', JSON.stringify({ raw: real.raw, outbox: real.outboxBodies, ms: real.ms }));
  const again = await runRetentionPurge({ database, log: silentLogger, now: new Date(), days: 90, dryRun: false });
  console.log('second purge', JSON.stringify({ raw: again.raw.purged, outbox: again.outboxBodies.purged, ms: again.ms }));
  await database.close();
} finally {
  await cluster.stop();
}
