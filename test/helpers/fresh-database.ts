import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { requireProvided } from './require-provided';

/**
 * CREATE DATABASE with a unique name on the run's shared PostgreSQL cluster and return its
 * URL (superuser, trust auth). Integration project only. The database is empty: migrate it.
 * The prefix is cut to 30 characters (PostgreSQL truncates names at 63).
 */
export async function freshDatabaseUrl(prefix = 'test'): Promise<string> {
  const { adminUrl } = requireProvided('sandboxPostgres');
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30)}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`create database ${sql(name)}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
