/** What the integration globalSetup hands to test files through vitest's provide/inject. */
export interface SandboxPostgresInfo {
  host: string;
  port: number;
  /** URL of the cluster's `postgres` database, as superuser; used to CREATE DATABASE. */
  adminUrl: string;
  /** Directory of the cluster's Unix socket. */
  socketDir: string;
}

export interface SandboxDovecotInfo {
  host: string;
  port: number;
  /** Directory of per-user passwd-files; test workers add users there (no reload needed). */
  usersDir: string;
  /** Root of the Maildirs: `${mailRoot}/${user}` is a user's INBOX. */
  mailRoot: string;
  configPath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    sandboxPostgres: SandboxPostgresInfo;
    sandboxDovecot: SandboxDovecotInfo;
  }
}
