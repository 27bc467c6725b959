import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { postgresConnection, withHost } from '../../src/db/connection-url';

describe('postgresConnection', () => {
  it('leaves a TCP URL as it is', () => {
    expect(postgresConnection('postgres://u:p@db.example:5433/liquibot?application_name=lb')).toEqual({ url: 'postgres://u:p@db.example:5433/liquibot?application_name=lb' });
  });

  it('turns libpq\'s host=/dir into the socket path, with the port of the URL or 5432', () => {
    expect(postgresConnection('postgresql://liquibot@/liquibot?host=/var/run/postgresql')).toEqual({
      url: 'postgresql://liquibot@localhost/liquibot', path: '/var/run/postgresql/.s.PGSQL.5432',
    });
    expect(postgresConnection('postgresql://liquibot:s3cret@/liquibot?host=%2Ftmp%2Fpg%2F&port=5544&application_name=lb')).toEqual({
      url: 'postgresql://liquibot:s3cret@localhost/liquibot?application_name=lb', path: '/tmp/pg/.s.PGSQL.5544',
    });
    expect(postgresConnection('postgres://liquibot@localhost:6000/liquibot?host=/run/pg').path).toBe('/run/pg/.s.PGSQL.6000');
  });

  it('withHost fills only an empty host', () => {
    expect(withHost('postgresql:///db')).toBe('postgresql://localhost/db');
    expect(withHost('postgresql://u@/db?x=1')).toBe('postgresql://u@localhost/db?x=1');
    expect(withHost('postgresql://u@h/db')).toBe('postgresql://u@h/db');
  });
});

describe('DATABASE_URL in the configuration', () => {
  it('accepts the Unix-socket form and still refuses other schemes', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://liquibot@/liquibot?host=/var/run/postgresql', RESET_LINK_SECRET: 'x'.repeat(32) }).DATABASE_URL)
      .toBe('postgresql://liquibot@/liquibot?host=/var/run/postgresql');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u@/db' })).toThrow(/DATABASE_URL/);
  });
});
