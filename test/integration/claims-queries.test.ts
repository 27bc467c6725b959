import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { claimDueMail, enqueueMail, type OutboxClaimer } from '../../src/db/outbox-queries';
import type { DbSession } from '../../src/db/client';
import { outboxRowFor } from '../../src/outbox/outgoing-mail';
import { databaseForSuite, type DbKind } from './support/liquibot-harness';

const LEASE_MS = 180_000;
const rendered = { subject: 'Accusé de réception', text: 'Bonjour', html: null, templateName: 'acknowledgment' as const, templateVersion: 'v1' };

/**
 * Which claims claimDueMail takes before their lease ends: only rows still 'sending' whose claimer is
 * known dead (no heartbeat row, a stale one, or its heartbeat session gone while the server that
 * recorded it still runs), and this instance's own claims it no longer holds. Never a sent row, never a
 * live instance's claim, never one of a live instance that has not beaten since a server restart yet.
 */
describe.each<DbKind>(['postgres', 'pglite'])('dead claims on %s', (kind) => {
  const db = databaseForSuite(kind);
  const me = `me-${kind}`;
  let n = 0;
  let liveSession: DbSession;

  beforeAll(async () => {
    liveSession = await db.database.openSession();
  });
  afterAll(async () => {
    await liveSession?.close();
  });

  /** One outbox row in the given state, claimed (lease running) by `claimedBy`. */
  async function row(status: 'sending' | 'sent', claimedBy: string | null): Promise<number> {
    n += 1;
    await db.database.db.transaction((tx) => enqueueMail(tx, outboxRowFor({
      purposeKey: `claims:${kind}:${n}`, kind: 'acknowledgment', ticketId: null, ticketRef: null, to: `c${n}@etude.example.fr`, rendered,
      messageIdDomain: 'liquibot.example.fr', parent: null, autoSubmitted: 'auto-replied', now: new Date(),
    })));
    const id = Number((await db.database.rows<{ id: number }>(sql`select max(id) as id from outbox`))[0]!.id);
    await db.database.rows(sql`update outbox set status = ${status}, claimed_by = ${claimedBy},
      claimed_until = now() + interval '1 hour', attempts = 1 where id = ${id}`);
    return id;
  }
  const beat = (instance: string, session: DbSession | null, at = sql`now()`, serverStarted = sql`pg_postmaster_start_time()`) =>
    (session ? session.rows(sql`insert into instance_heartbeats (instance_id, host, pid, beat_at, backend_pid, server_started_at)
        values (${instance}, 'h', 1, ${at}, pg_backend_pid(), ${serverStarted})`)
      : db.database.rows(sql`insert into instance_heartbeats (instance_id, host, pid, beat_at, backend_pid, server_started_at)
        values (${instance}, 'h', 1, ${at}, 999999, ${serverStarted})`));
  const claim = (held: number[] = []) => {
    const claimer: OutboxClaimer = { instanceId: me, staleSeconds: 15, held, kind };
    return claimDueMail(db.database.db, { now: new Date(), limit: 50, leaseMs: LEASE_MS, claimer });
  };

  it('takes the claims of dead claimers and its own orphans, and nothing else', async () => {
    const taken: Record<string, number> = {};
    const kept: Record<string, number> = {};
    if (kind === 'postgres') {
      await beat('live', liveSession);
      await beat('stale', null, sql`now() - interval '1 minute'`);
      await beat('session-gone', null);
      // Beat before a restart (another server start time), 5 s ago: it has 15 s from the restart to beat again.
      await beat('before-restart', null, sql`now() - interval '5 seconds'`, sql`now() - interval '1 day'`);
      kept.live = await row('sending', 'live');
      kept.beforeRestart = await row('sending', 'before-restart');
      taken.noRow = await row('sending', 'never-beat');
      taken.stale = await row('sending', 'stale');
      taken.sessionGone = await row('sending', 'session-gone');
      // The regression a parenthesis caused: a sent row of a dead claimer is never taken.
      kept.sentByDead = await row('sent', 'never-beat');
      kept.sentByStale = await row('sent', 'stale');
      kept.legacy = await row('sending', null); // claimed by a release without claimed_by: the lease decides
    } else {
      // One process per PGlite database: any claim not held by this process is a dead one's.
      taken.other = await row('sending', 'previous-process');
      taken.legacy = await row('sending', null);
      kept.sent = await row('sent', 'previous-process');
    }
    taken.orphan = await row('sending', me);
    kept.held = await row('sending', me);

    const claimed = await claim([kept.held]);
    const byId = new Map(claimed.map((r) => [r.id, r]));
    expect([...byId.keys()].sort((a, b) => a - b)).toEqual(Object.values(taken).sort((a, b) => a - b));
    for (const id of Object.values(kept)) expect(byId.has(id)).toBe(false);
    for (const r of claimed) {
      expect(r).toMatchObject({ status: 'sending', claimedBy: me, attempts: 2 });
      expect(r.reclaimed?.reason).toBe(r.id === taken.orphan ? 'orphaned' : 'claimer_dead');
    }
    expect(byId.get(taken.orphan)!.reclaimed).toEqual({ reason: 'orphaned', claimedBy: me });
    // Claimed now by a live instance (this one, which holds them): nobody takes them again.
    expect(await claim([kept.held, ...byId.keys()])).toEqual([]);
  });
});
