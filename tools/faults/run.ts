/**
 * The project's own fault run (issue 13): N requests through two liquibot instances on one PostgreSQL,
 * with faults injected while they work, then what came out of it: lost answers, distinct duplicates,
 * same-Message-ID resends (and whether a kill explains each), and how long each recovery took.
 *
 *   npx tsx tools/faults/run.ts [--requests 240] [--rounds 2]
 *
 * Each round injects six faults, each during its own wave of requests: the leader SIGKILLed (two
 * instances), PostgreSQL `pg_ctl -m immediate` restarted, SMTP 451 to 40 messages, an instance SIGKILLed
 * with sends in flight, SMTP down 8 s, Dovecot restarted.
 *
 * Private servers (PostgreSQL with durable commits, Dovecot, an SMTP sink); a few minutes. Not a test:
 * it prints its figures (and a JSON line) and exits 1 when something was lost or doubled.
 */
import { buildRequestMail, sampleSiret } from '../../test/support/sample-mails';
import { immediateRestart } from '../../test/helpers/pg-immediate-restart';
import { startFaultRig, type Instance } from './fault-rig';
import { summarize, type FaultRecord } from './fault-report';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const REQUESTS = arg('requests', 240);
const ROUNDS = arg('rounds', 2);
const WAVES = 6 * ROUNDS;
const DEADLINE = Date.now() + 10 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs && Date.now() < DEADLINE) {
    try {
      if (await check()) return Date.now() - start;
    } catch {
      // a server is down: not yet
    }
    await sleep(everyMs);
  }
  return null;
}

const conforming = (i: number) => i % 3 !== 0;
const requestMail = (i: number) => buildRequestMail({ from: `r${i}@etude.example.fr`, attachment: conforming(i) ? 'pdf' : 'none', siret: sampleSiret(i) });

async function main(): Promise<void> {
  const rig = await startFaultRig({ OUTBOX_POLL_MS: '200', LEADER_RETRY_SECONDS: '1', RECONNECT_MAX_SECONDS: '2', RESYNC_CRON: '*/5 * * * * *' });
  const faults: FaultRecord[] = [];
  const kills: number[] = [];
  let next = 0;
  const processed = () => rig.count(`select count(*)::int as n from inbound_messages where status <> 'stored'`);
  const unsent = () => rig.count(`select count(*)::int as n from outbox where status in ('pending', 'sending')`);
  const alive = () => rig.instances.filter((i) => i.alive());
  const gauges = async (metric: string) => (await Promise.all(alive().map((i) => i.gauge(metric)))).map((v) => v ?? 0);
  const leaders = async () => {
    const out: Instance[] = [];
    for (const i of alive()) if ((await i.gauge('liquibot_mailbox_leader')) === 1) out.push(i);
    return out;
  };
  const oneLeader = async () => (await rig.lockHolders()) === 1 && (await leaders()).length === 1;
  const wave = async () => {
    const size = Math.ceil(REQUESTS / WAVES);
    const from = next;
    next = Math.min(REQUESTS, next + size);
    await rig.append(Array.from({ length: next - from }, (_, k) => requestMail(from + k)));
    return { from, to: next };
  };
  const waitProcessed = async (n: number, what: string) => {
    if ((await until(async () => (await processed()) >= n, 120_000)) === null) throw new Error(`${what}: only ${await processed()} of ${n} processed`);
  };
  const replace = async (dead: Instance) => {
    const fresh = rig.start(`${dead.name}'`);
    await until(() => fresh.port() !== null, 30_000);
    return fresh;
  };

  try {
    const a = rig.start('A');
    rig.start('B');
    if ((await until(oneLeader, 60_000)) === null) throw new Error('no leader at start');

    let w: { from: number; to: number };
    let leader: Instance | undefined;
    for (let round = 1; round <= ROUNDS; round += 1) {
      // 1. The leader SIGKILLed mid-batch; the other takes over; the killed one is restarted.
      w = await wave();
      await until(async () => (await processed()) >= w.from + 5, 60_000, 20);
      [leader] = await leaders();
      kills.push(Date.now());
      await leader!.child.kill('SIGKILL');
      const takeover = await until(oneLeader, 30_000, 50);
      faults.push({ round, fault: 'leader SIGKILL (2 instances)', recoveryMs: takeover, what: 'other instance leads (pg_locks + gauge)' });
      await replace(leader!);
      await waitProcessed(w.to, 'after leader kill');

      // 2. PostgreSQL immediate restart while mail is processed.
      w = await wave();
      await until(async () => (await processed()) >= w.from + 5, 60_000, 20);
      const pg = await immediateRestart(rig.cluster);
      const oneAfter = await until(oneLeader, 30_000, 50);
      const before = await processed();
      const resumed = await until(async () => (await processed()) > before || before >= w.to, 60_000, 50);
      faults.push({ round, fault: 'PostgreSQL immediate restart', recoveryMs: oneAfter, what: `one leader after the server was back (down ${pg.backAt - pg.stoppedAt} ms); ${before >= w.to ? 'the wave was already processed' : `processing resumed after ${resumed} ms`}` });
      await waitProcessed(w.to, 'after PostgreSQL restart');

      // 3. SMTP answers 451 to the next 40 messages.
      const refusedBefore = rig.sink.refused451;
      rig.sink.refuseNext(40);
      w = await wave();
      await waitProcessed(w.to, 'during SMTP 451');
      const drained451 = await until(async () => rig.sink.refused451 >= refusedBefore + 40 && (await unsent()) === 0, 180_000);
      faults.push({ round, fault: 'SMTP 451 × 40', recoveryMs: drained451, what: 'outbox empty again (retries with backoff)' });

      // 4. An instance SIGKILLed while its sends are in flight (the server holds each 250 for 400 ms).
      rig.sink.setReplyDelay(400);
      w = await wave();
      await until(() => rig.sink.inFlight() >= 2, 60_000, 10);
      const victim = alive()[Math.floor(Math.random() * alive().length)]!;
      const victimId = instanceIdOf(victim);
      const claimedBy = () => rig.count(`select count(*)::int as n from outbox where status = 'sending' and claimed_by = '${victimId}'`);
      const killedAt = Date.now();
      kills.push(killedAt);
      await victim.child.kill('SIGKILL');
      const held = await claimedBy();
      const released = await until(async () => (await claimedBy()) === 0, 60_000, 20);
      faults.push({ round, fault: 'SIGKILL mid-send', recoveryMs: released, what: `its ${held} claim(s) taken over by the other instance (lease 180 s)` });
      await replace(victim);
      await waitProcessed(w.to, 'after mid-send kill');
      rig.sink.setReplyDelay(0);

      // 5. SMTP down (port closed) for 8 s while mail waits, then up again.
      w = await wave();
      await rig.sink.down();
      await sleep(8_000);
      await rig.sink.up();
      const upAt = Date.now();
      await waitProcessed(w.to, 'after SMTP down');
      const smtpBack = await until(async () => (await unsent()) === 0, 120_000);
      faults.push({ round, fault: 'SMTP down 8 s', recoveryMs: smtpBack === null ? null : Date.now() - upAt, what: 'outbox empty after the server was back (recheck backoff)' });

      // 6. Dovecot restarted mid-batch.
      w = await wave();
      await until(async () => (await processed()) >= w.from + 3, 60_000, 20);
      await rig.dovecot.restart();
      const dovecotAt = Date.now();
      const reconnected = await until(async () => (await gauges('liquibot_imap_connected')).reduce((s, v) => s + v, 0) === 1
        && (await processed()) >= w.to, 120_000);
      faults.push({ round, fault: 'Dovecot restart', recoveryMs: reconnected, what: 'leader connected again and the wave processed' });
      void dovecotAt;
    }

    if ((await until(async () => (await processed()) >= REQUESTS && (await unsent()) === 0, 120_000)) === null) {
      console.error(`not finished: ${await processed()} processed of ${REQUESTS}, ${await unsent()} unsent`);
    }
    await sleep(1500); // a late duplicate would show up here
    void a;
  } finally {
    const errors = rig.instances.flatMap((i) => i.child.lines).filter((l) => /"level":(50|60)/.test(l) || /unhandled|uncaught/i.test(l));
    await rig.stop();
    const report = summarize({ requests: REQUESTS, conforming: Array.from({ length: REQUESTS }, (_, i) => i).filter(conforming).length, received: rig.sink.received, kills, faults, errorLines: errors, sent: next });
    console.log(report.text);
    console.log(JSON.stringify(report.figures));
    process.exitCode = report.figures.lost > 0 || report.figures.distinctDuplicates > 0 || report.figures.unexplainedResends > 0 ? 1 : 0;
  }
}

/** The instance id a daemon logged at start ('database ready'). */
function instanceIdOf(instance: Instance): string {
  for (const line of instance.child.lines) {
    const parsed = JSON.parse(line) as { msg?: string; instanceId?: string };
    if (parsed.msg === 'database ready' && parsed.instanceId) return parsed.instanceId.replace(/'/g, '');
  }
  return '?';
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
