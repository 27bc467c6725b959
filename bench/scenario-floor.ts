import { benchRequests } from './bench-mail';
import { progress } from './bench-progress';
import type { BenchSandbox } from './bench-sandbox';
import { drainOnce, type DrainRun, type MailboxBytes } from './drain-once';
import { startFloorChild, type FloorDone } from './floor/floor-child';
import { freshBundle, liquibotUnflagged, startLiquibots, unseenCount } from './liquibot-side';
import { collectProfile, daemonSetup, loggedDatabaseUrl, logSize, planLine, type ProfileFindings } from './profiling';
import { pairOrder, pairRatios, spread, type Spread } from './ratio-summary';

export type Side = 'liquibot' | 'floor';

export interface SideSummary {
  rps: Spread;
  steadyRps: Spread;
  daemonCpuMs: Spread;
  postgresCpuMs: Spread;
  totalCpuMs: Spread;
}

export interface FloorSizeResult {
  pdfKb: number;
  messageKb: number;
  n: number;
  /** Bundle of the daemon measured in each pair (others edit src/ during a run: it may change). */
  bundles: string[];
  pairs: { liquibot: DrainRun; floor: DrainRun; firstSide: Side; floorDone: FloorDone | null; profile?: Partial<Record<Side, ProfileFindings>> }[];
  liquibot: SideSummary;
  floor: SideSummary;
  /** liquibot / floor, pair by pair: drain (target ≥ 0.8), and CPU per request. */
  ratio: { rps: Spread; steadyRps: Spread; daemonCpu: Spread; postgresCpu: Spread };
}

export interface FloorResult {
  sizes: FloorSizeResult[];
}

export function mailboxBytes(tag: string, n: number, pdfKb: number): MailboxBytes {
  const idList: string[] = [];
  const messages = [...benchRequests(tag, n, pdfKb * 1024, idList)];
  return { messages, ids: new Set(idList), bytes: messages.reduce((a, m) => a + m.length, 0) };
}

export function sideSummary(runs: readonly DrainRun[]): SideSummary {
  return {
    rps: spread(runs.map((r) => r.rate)),
    steadyRps: spread(runs.map((r) => r.steady?.rate ?? Number.NaN)),
    daemonCpuMs: spread(runs.map((r) => r.perRequestMs.daemon)),
    postgresCpuMs: spread(runs.map((r) => r.perRequestMs.postgres)),
    totalCpuMs: spread(runs.map((r) => r.perRequestMs.total)),
  };
}

export function floorRatios(pairs: readonly { liquibot: DrainRun; floor: DrainRun }[]): FloorSizeResult['ratio'] {
  const l = pairs.map((p) => p.liquibot);
  const f = pairs.map((p) => p.floor);
  return {
    rps: spread(pairRatios(l.map((r) => r.rate), f.map((r) => r.rate))),
    steadyRps: spread(pairRatios(l.map((r) => r.steady?.rate ?? Number.NaN), f.map((r) => r.steady?.rate ?? Number.NaN))),
    daemonCpu: spread(pairRatios(l.map((r) => r.perRequestMs.daemon), f.map((r) => r.perRequestMs.daemon))),
    postgresCpu: spread(pairRatios(l.map((r) => r.perRequestMs.postgres), f.map((r) => r.perRequestMs.postgres))),
  };
}

const line = (r: DrainRun) =>
  `${r.rate.toFixed(1)} req/s, daemon ${r.perRequestMs.daemon.toFixed(1)} ms/req, PostgreSQL ${r.perRequestMs.postgres.toFixed(1)} ms/req, load ${r.load1m.start}→${r.load1m.end}, other ${r.cpu.otherCores.toFixed(2)} cores`;

/**
 * Issue 15: liquibot's drain against the floor (bench/floor/), same sandbox servers, same mailbox
 * bytes, alternated pair by pair (the side that goes first alternates too), for each mail size.
 */
export async function runFloor(sandbox: BenchSandbox, opts: {
  n: number; pdfKbs: number[]; pairs: number; cpuProfDir: string | null; spans: boolean; explainMs: number | null; daemonNodeOptions: string | null;
}): Promise<FloorResult> {
  const profiled = opts.spans || opts.cpuProfDir !== null || opts.explainMs !== null;
  const sizes: FloorSizeResult[] = [];
  for (const pdfKb of opts.pdfKbs) {
    const mailbox = mailboxBytes(`floor${pdfKb}`, opts.n, pdfKb);
    const messageKb = mailbox.bytes / opts.n / 1024;
    progress(`floor: ${opts.n} requests of ${messageKb.toFixed(1)} KiB (${pdfKb} KiB PDF), ${opts.pairs} pairs`);
    const pairs: FloorSizeResult['pairs'] = [];
    const bundles: string[] = [];
    for (let i = 0; i < opts.pairs; i += 1) {
      const [first, second] = pairOrder<Side>(i, 'liquibot', 'floor');
      const got: Partial<Record<Side, DrainRun>> = {};
      let floorDone: Promise<FloorDone> | null = null;
      const profile: Partial<Record<Side, ProfileFindings>> = {};
      for (const side of [first, second]) {
        const label = `${side}-${pdfKb}k-${i + 1}`;
        // --spans / --cpu-prof: every run is profiled (statements logged by PostgreSQL, V8 profiles);
        // slower, so such a run's figures are for finding the waste, not for the ratio.
        const setup = daemonSetup(opts, `floor-${side}-${pdfKb}k`);
        const pgOffset = logSize(sandbox.postgres.logFile);
        if (side === 'liquibot') {
          bundles.push(freshBundle());
          got.liquibot = await drainOnce(sandbox, {
            label, mailbox, unflagged: liquibotUnflagged,
            start: (place) => startLiquibots(sandbox, place, 1, { ...setup.extraEnv, DATABASE_URL: loggedDatabaseUrl(place.databaseUrl, setup.profiling) }),
          });
        } else {
          got.floor = await drainOnce(sandbox, {
            label, mailbox, unflagged: unseenCount,
            start: async (place) => {
              const child = await startFloorChild({
                imap: place.login, databaseUrl: loggedDatabaseUrl(place.databaseUrl, setup.profiling), smtp: { host: sandbox.sink.host, port: sandbox.sink.port },
                cpuProfDir: opts.cpuProfDir,
                cpuProfName: `floor-floor-${pdfKb}k.cpuprofile`,
              });
              floorDone = child.done;
              return [child];
            },
          });
        }
        if (profiled && setup.profiling) {
          const found = collectProfile(
            side === 'floor' && setup.profiling.cpuProfFile ? { ...setup.profiling, cpuProfFile: setup.profiling.cpuProfFile.replace(/-daemon\.cpuprofile$/, '.cpuprofile') } : setup.profiling,
            { logFile: sandbox.postgres.logFile, offset: pgOffset }, opts.n,
          );
          profile[side] = found;
          if (found.statements) progress(`floor: pair ${i + 1} ${side}: ${found.statements.perRequest.toFixed(1)} statements per request, ${(found.statements.serverMs / opts.n).toFixed(2)} ms server time each request`);
          if (found.plans) progress(`floor: pair ${i + 1} ${side}: ${planLine(found.plans)}`);
        }
        progress(`floor: pair ${i + 1} ${side}: ${line(got[side]!)}`);
      }
      const done = await Promise.race([floorDone ?? Promise.resolve(null), new Promise<null>((r) => setTimeout(() => r(null), 2000))]).catch(() => null);
      if (done) progress(`floor: pair ${i + 1} floor's own count: ${JSON.stringify(done)}`);
      pairs.push({ liquibot: got.liquibot!, floor: got.floor!, firstSide: first, floorDone: done, ...(profiled ? { profile } : {}) });
    }
    sizes.push({
      pdfKb, messageKb, n: opts.n, bundles, pairs,
      liquibot: sideSummary(pairs.map((p) => p.liquibot)),
      floor: sideSummary(pairs.map((p) => p.floor)),
      ratio: floorRatios(pairs),
    });
  }
  return { sizes };
}
