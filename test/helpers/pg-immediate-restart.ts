import { join } from 'node:path';
import { findPostgresBinDir } from '../support/sandbox/postgres-binaries';
import type { PostgresCluster } from '../support/sandbox/postgres-cluster';
import { isRoot, runCommand } from '../support/sandbox/run-command';
import { ensureSystemUser } from '../support/sandbox/system-user';

async function pgCtl(cluster: PostgresCluster, args: string[]): Promise<void> {
  // The same owner startPostgresCluster runs it as (PostgreSQL refuses root).
  const user = isRoot() ? (await ensureSystemUser(['postgres'], 'liquibot-pg')).name : undefined;
  await runCommand(join(findPostgresBinDir(), 'pg_ctl'), ['-D', cluster.dataDir, ...args], { user, cwd: cluster.baseDir });
}

/** `pg_ctl -m immediate stop`: every backend killed without a word to its client, as in a crash. */
export async function immediateStop(cluster: PostgresCluster): Promise<void> {
  await pgCtl(cluster, ['-m', 'immediate', '-w', 'stop']);
}

/** `pg_ctl start` on the same data directory and port; resolves when it accepts connections (after recovery). */
export async function startAgain(cluster: PostgresCluster): Promise<void> {
  await pgCtl(cluster, ['-l', cluster.logFile, '-w', '-t', '60', 'start']);
}

/**
 * `pg_ctl -m immediate stop && pg_ctl start` on a sandbox cluster. Use it on a private cluster
 * (startPostgresCluster), never on the run's shared one. Returns when it stopped and when it was back (epoch ms).
 */
export async function immediateRestart(cluster: PostgresCluster): Promise<{ stoppedAt: number; backAt: number }> {
  await immediateStop(cluster);
  const stoppedAt = Date.now();
  await startAgain(cluster);
  return { stoppedAt, backAt: Date.now() };
}

/**
 * The sandbox cluster runs with synchronous_commit = off (speed): a crash then loses the last commits,
 * which no production server does. Tests that crash it on purpose turn it back on first.
 */
export async function durableCommits(cluster: PostgresCluster): Promise<void> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(cluster.url(), { max: 1, onnotice: () => {} });
  try {
    await sql`alter system set synchronous_commit = on`;
    await sql`select pg_reload_conf()`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
