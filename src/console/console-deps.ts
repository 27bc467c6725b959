import type { Config } from '../config';
import type { Database } from '../db/client';
import type { ConsoleSession, ConsoleUser } from '../db/schema';
import type { HealthReport } from '../http/health';
import type { Logger } from '../log';
import type { PipelineDeps } from '../workflow/context';
import type { ClientView, TrustedProxies } from './client-address';
import type { Viewer } from './layout';

/** What the console needs from the daemon. */
export interface ConsoleDeps {
  config: Config;
  database: Database;
  log: Logger;
  now: () => Date;
  /** The daemon's decisions and replays: the same dependencies as the mail path and the terminal commands. */
  pipeline: PipelineDeps;
  /** After mails were queued: the outbox sends them now rather than at its next poll. */
  kick: () => void;
  /** After a template version was saved: the templates in use reload now rather than at their next poll. */
  refreshTemplates: () => Promise<void>;
  /** The daemon's /healthz report, or null when this process cannot say. */
  health: () => Promise<HealthReport | null>;
  /** Where the console is served, e.g. `/console`. */
  base: string;
  proxies: TrustedProxies;
}

/** A signed-in request. */
export interface Auth {
  user: ConsoleUser;
  session: ConsoleSession;
  tokenHash: string;
  viewer: Viewer;
  /** How the history and the audit log name this person: `console:EMAIL`. */
  actor: string;
}

/** Hono's per-request bindings and variables. */
export interface ConsoleEnv {
  Bindings: {
    /** The address of the connection (a reverse proxy's, when there is one). */
    remoteAddress: string | null;
  };
  Variables: {
    client: ClientView;
    auth: Auth;
  };
}
