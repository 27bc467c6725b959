import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildAutoReply, buildRequestMail } from '../support/sample-mails';
import { parsePrometheusText, sampleValue, type Sample } from '../../src/metrics/prometheus-text';
import { createHarness, type Harness } from './support/liquibot-harness';

/** Four mails: one conforming, one with an invalid SIRET and no document, one auto-reply, one too large. */
async function appendBatch(h: Harness): Promise<void> {
  await h.mailbox.append(buildRequestMail({ from: 'ok@etude.example.fr' }));
  await h.mailbox.append(buildRequestMail({ from: 'bad@etude.example.fr', siret: '12345678912345', attachment: 'none' }));
  await h.mailbox.append(buildAutoReply('away@etude.example.fr'));
  await h.mailbox.append(buildRequestMail({ from: 'big@etude.example.fr', pdfPadBytes: 5000 }));
}

async function scrape(h: Harness): Promise<{ samples: Sample[]; text: string; contentType: string | null }> {
  const res = await fetch(`http://127.0.0.1:${h.daemon!.operations.http!.port}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { samples: parsePrometheusText(text), text, contentType: res.headers.get('content-type') };
}

describe('/metrics after a small batch', () => {
  let h: Harness;
  let sentAnswers: number;
  let sentAll: number;
  beforeAll(async () => {
    h = await createHarness({ env: { MAX_MESSAGE_BYTES: '3000' } });
    await appendBatch(h);
    await h.start();
    await h.waitForProcessed(4);
    const [row] = await h.database.rows<{ all: number; answers: number }>(sql`
      select count(*)::int as all,
             count(*) filter (where in_reply_to in (select message_id from inbound_messages where message_id is not null))::int as answers
      from outbox where status = 'sent'`);
    sentAll = row!.all;
    sentAnswers = row!.answers;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves the Prometheus text format', async () => {
    const { contentType, text } = await scrape(h);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE liquibot_answer_seconds histogram');
    expect(text).toContain('# TYPE liquibot_checks_total counter');
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it.each<[string, Record<string, string>, number]>([
    ['liquibot_tickets', { status: 'awaiting_approval' }, 1],
    ['liquibot_tickets', { status: 'non_conforming' }, 1],
    ['liquibot_tickets', { status: 'resolved' }, 0],
    ['liquibot_checks_total', { verdict: 'conforme' }, 1],
    ['liquibot_checks_total', { verdict: 'non_conforme' }, 1],
    ['liquibot_check_problems_total', { code: 'SIRET_INVALID' }, 1],
    ['liquibot_check_problems_total', { code: 'ATTACHMENT_MISSING' }, 1],
    ['liquibot_check_problems_total', { code: 'SIRET_MISSING' }, 0],
    ['liquibot_quarantined_messages', {}, 1],
    ['liquibot_outbox_unsent', {}, 0],
    ['liquibot_outbox_oldest_unsent_age_seconds', {}, 0],
    ['liquibot_outbox_failed', {}, 0],
    ['liquibot_outbox_deliveries_total', { result: 'failed' }, 0],
    ['liquibot_imap_connected', {}, 1],
    ['liquibot_mailbox_leader', {}, 1],
    ['liquibot_imap_reconnects_total', {}, 0],
    ['liquibot_database_up', {}, 1],
    ['liquibot_smtp_up', {}, 1],
    ['liquibot_imap_auth_failed', {}, 0],
  ])('%s %j = %i', async (name, labels, value) => {
    expect(sampleValue((await scrape(h)).samples, name, labels)).toBe(value);
  });

  it('counts the mails sent and times each answer from its arrival', async () => {
    const { samples } = await scrape(h);
    expect(sentAnswers).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, 'liquibot_outbox_deliveries_total', { result: 'sent' })).toBe(sentAll);
    const count = (kind: string) => sampleValue(samples, 'liquibot_answer_seconds_count', { kind }) ?? 0;
    expect(count('acknowledgment')).toBe(1);
    expect(count('non-conformity')).toBe(1);
    const all = samples.filter((s) => s.name === 'liquibot_answer_seconds_count').reduce((n, s) => n + s.value, 0);
    expect(all).toBe(sentAnswers);
    const seconds = samples.filter((s) => s.name === 'liquibot_answer_seconds_sum').reduce((n, s) => n + s.value, 0);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(60);
    expect(sampleValue(samples, 'liquibot_last_processed_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 120);
  });

  it('liquibot_oldest_pending_approval_age_seconds: how long the request before the agents has waited since it got there', async () => {
    const fresh = sampleValue((await scrape(h)).samples, 'liquibot_oldest_pending_approval_age_seconds');
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).toBeLessThan(120);
    // It entered awaiting_approval two hours ago (its status_changed event), whatever else touched it since.
    await h.database.rows(sql`update ticket_events set at = now() - interval '2 hours'
      where kind = 'status_changed' and to_status = 'awaiting_approval'`);
    const aged = sampleValue((await scrape(h)).samples, 'liquibot_oldest_pending_approval_age_seconds')!;
    expect(aged).toBeGreaterThan(7200 - 60);
    expect(aged).toBeLessThan(7200 + 60);
    // None waiting: 0.
    await h.database.rows(sql`update tickets set status = 'refused' where status = 'awaiting_approval'`);
    expect(sampleValue((await scrape(h)).samples, 'liquibot_oldest_pending_approval_age_seconds')).toBe(0);
    await h.database.rows(sql`update tickets set status = 'awaiting_approval' where status = 'refused'`);
  });

  it('liquibot_tickets_needing_person: requests whose message was handed to the agents', async () => {
    expect(sampleValue((await scrape(h)).samples, 'liquibot_tickets_needing_person')).toBe(0);
    await h.database.rows(sql`update tickets set needs_person_since = now() where id = (select min(id) from tickets)`);
    expect(sampleValue((await scrape(h)).samples, 'liquibot_tickets_needing_person')).toBe(1);
    await h.database.rows(sql`update tickets set needs_person_since = null`);
  });

  it('keeps the database-derived counts across a restart; in-process counters start again', async () => {
    await h.stopDaemon();
    await h.start();
    const { samples } = await scrape(h);
    expect(sampleValue(samples, 'liquibot_checks_total', { verdict: 'conforme' })).toBe(1);
    expect(sampleValue(samples, 'liquibot_check_problems_total', { code: 'SIRET_INVALID' })).toBe(1);
    expect(sampleValue(samples, 'liquibot_tickets', { status: 'non_conforming' })).toBe(1);
    expect(sampleValue(samples, 'liquibot_outbox_deliveries_total', { result: 'sent' })).toBe(0);
  });
});
