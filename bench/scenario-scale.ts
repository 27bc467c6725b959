import { progress } from './bench-progress';
import type { BenchSandbox } from './bench-sandbox';
import { drainOnce, type DrainRun } from './drain-once';
import { freshBundle, liquibotUnflagged, startLiquibots } from './liquibot-side';
import { spread, type Spread } from './ratio-summary';
import { mailboxBytes } from './scenario-floor';

export interface ScaleStep {
  instances: number;
  /** Mailboxes the requests are dealt into (folders of one account); above 1, one instance each. */
  mailboxes: number;
  runs: DrainRun[];
  rps: Spread;
  /** CPU ms per request of every instance together (user + sys), of PostgreSQL, and in total (with Dovecot). */
  daemonCpuMs: Spread;
  postgresCpuMs: Spread;
  totalCpuMs: Spread;
  /** Against one instance (the median of its runs): drain, and total CPU per request. */
  rpsRatio: Spread;
  totalCpuRatio: Spread;
}

export interface ScaleResult {
  n: number;
  pdfKb: number;
  messageKb: number;
  bundles: string[];
  steps: ScaleStep[];
}

/**
 * Issue 15, intake that scales: liquibot's drain with 1, 2, 3… instances on one PostgreSQL and one
 * mailbox (as test/integration/multi-instance.e2e.test.ts runs them), the same bytes each time; with
 * `mailboxes` above 1, also that many mailboxes (folders of the account, the requests dealt into them in
 * turn) with one instance each, every mailbox with its own leader. The steps are taken in turn, `rounds`
 * times over. Each daemon's memory and CPU are its own; the figures add them up.
 */
export async function runScale(sandbox: BenchSandbox, opts: { n: number; pdfKb: number; instances: number[]; rounds: number; mailboxes?: number }): Promise<ScaleResult> {
  const mailbox = mailboxBytes(`scale${opts.pdfKb}`, opts.n, opts.pdfKb);
  const messageKb = mailbox.bytes / opts.n / 1024;
  const plan = opts.instances.map((k) => ({ instances: k, mailboxes: 1 }));
  const m = opts.mailboxes ?? 1;
  if (m > 1) plan.push({ instances: m, mailboxes: m });
  const name = (p: { instances: number; mailboxes: number }) => `${p.instances}x${p.mailboxes > 1 ? `-${p.mailboxes}mb` : ''}`;
  const runs = new Map<string, DrainRun[]>(plan.map((p) => [name(p), []]));
  const bundles: string[] = [];
  for (let round = 0; round < opts.rounds; round += 1) {
    // Alternate the order each round, as the floor pairs do.
    const order = round % 2 === 0 ? plan : [...plan].reverse();
    for (const p of order) {
      bundles.push(freshBundle());
      const folders = p.mailboxes > 1 ? ['INBOX', ...Array.from({ length: p.mailboxes - 1 }, (_, i) => `Support${i + 2}`)] : ['INBOX'];
      const r = await drainOnce(sandbox, {
        label: `scale-${name(p)}-${round + 1}`, mailbox, unflagged: liquibotUnflagged, folders,
        start: async (place) => p.mailboxes === 1
          ? startLiquibots(sandbox, place, p.instances)
          : (await Promise.all(folders.map((folder) => startLiquibots(
            sandbox, place, 1, { IMAP_URL: sandbox.dovecot.imapUrl(place.login.user, place.login.password, folder) },
          )))).flat(),
      });
      runs.get(name(p))!.push(r);
      progress(`scale: ${p.instances} instance(s) on ${p.mailboxes} mailbox(es), round ${round + 1}: ${r.rate.toFixed(1)} req/s, daemons ${r.perRequestMs.daemon.toFixed(1)} ms/req, PostgreSQL ${r.perRequestMs.postgres.toFixed(1)} ms/req, total ${r.perRequestMs.total.toFixed(1)} ms/req, load ${r.load1m.start}→${r.load1m.end}, other ${r.cpu.otherCores.toFixed(2)} cores`);
    }
  }
  const one = runs.get(name(plan[0]!)) ?? [];
  const oneRps = spread(one.map((r) => r.rate)).median;
  const oneCpu = spread(one.map((r) => r.perRequestMs.total)).median;
  const steps = plan.map((p): ScaleStep => {
    const rs = runs.get(name(p))!;
    return {
      instances: p.instances,
      mailboxes: p.mailboxes,
      runs: rs,
      rps: spread(rs.map((r) => r.rate)),
      daemonCpuMs: spread(rs.map((r) => r.perRequestMs.daemon)),
      postgresCpuMs: spread(rs.map((r) => r.perRequestMs.postgres)),
      totalCpuMs: spread(rs.map((r) => r.perRequestMs.total)),
      rpsRatio: spread(rs.map((r) => r.rate / oneRps)),
      totalCpuRatio: spread(rs.map((r) => r.perRequestMs.total / oneCpu)),
    };
  });
  return { n: opts.n, pdfKb: opts.pdfKb, messageKb, bundles, steps };
}
