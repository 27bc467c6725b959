/**
 * DATABASE_URL → what postgres.js needs to connect. postgres.js reads host and port from the URL, but
 * not libpq's way of naming a Unix socket (`postgresql://user@/db?host=/var/run/postgresql`): it would
 * send `host` to the server as a setting and fail, and the URL parser refuses the empty host. Here
 * that query parameter becomes postgres.js's `path` (the socket file `<dir>/.s.PGSQL.<port>`) and
 * leaves the URL. Every other parameter stays (the server takes them as settings, e.g.
 * `?application_name=liquibot`).
 */
export function postgresConnection(databaseUrl: string): { url: string; path?: string } {
  const url = new URL(withHost(databaseUrl));
  const dir = url.searchParams.get('host');
  if (!dir || !dir.startsWith('/')) return { url: databaseUrl };
  url.searchParams.delete('host');
  const port = url.port || url.searchParams.get('port') || '5432';
  url.searchParams.delete('port');
  return { url: url.toString(), path: `${dir.replace(/\/+$/, '')}/.s.PGSQL.${port}` };
}

/** The URL with `localhost` where libpq allows the host to be empty (`postgresql://user@/db`, `postgresql:///db`). */
export function withHost(databaseUrl: string): string {
  return databaseUrl.replace(/^([a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?)(?=[/?#]|$)/i, '$1localhost');
}
