import { dirname } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDovecot, type DovecotSandbox } from '../support/sandbox/dovecot';
import { startPostgresCluster, type PostgresCluster } from '../support/sandbox/postgres-cluster';
import './provided-context';

/**
 * Global setup of the `integration` project only: one PostgreSQL cluster and one Dovecot for
 * the whole run, shared by every test file (each takes a fresh database / mailbox from them).
 * Vitest runs it only when a file of that project is selected, so unit runs stay fast.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const [postgresResult, dovecotResult] = await Promise.allSettled([startPostgresCluster(), startDovecot()]);
  const postgres = settledValue(postgresResult);
  const dovecot = settledValue(dovecotResult);
  const teardown = async (): Promise<void> => {
    await Promise.allSettled([postgres?.stop(), dovecot?.stop()]);
  };
  if (!postgres || !dovecot) {
    await teardown();
    const failure = [postgresResult, dovecotResult].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    throw failure.reason;
  }

  provideSandbox(project, postgres, dovecot);
  if (process.env.LIQUIBOT_SANDBOX_VERBOSE === '1') {
    console.log(
      `[sandbox] PostgreSQL :${postgres.port} and Dovecot :${dovecot.port} up in ${Date.now() - started} ms`,
    );
  }
  return teardown;
}

function provideSandbox(project: TestProject, postgres: PostgresCluster, dovecot: DovecotSandbox): void {
  project.provide('sandboxPostgres', { host: postgres.host, port: postgres.port, adminUrl: postgres.url(), socketDir: postgres.baseDir });
  project.provide('sandboxDovecot', {
    host: dovecot.host,
    port: dovecot.port,
    usersDir: dovecot.usersDir,
    mailRoot: dirname(dovecot.maildirOf('x')),
    configPath: dovecot.configPath,
  });
}

function settledValue<T>(result: PromiseSettledResult<T>): T | undefined {
  return result.status === 'fulfilled' ? result.value : undefined;
}
