import { createHash } from 'node:crypto';
import type { Config } from './config';

/**
 * The settings that instances sharing a database must agree on, and how two instances compare them.
 *
 * Instances on one database share the tickets, the outbox and the scheduled jobs: any instance sends any
 * queued mail with its own sender and reset-link secret, decides any agent's reply with its own trust
 * rules, and runs any slot of the jobs with its own schedule. Two instances that disagree on one of these
 * settings give the same request different outcomes depending on which instance happens to handle it:
 * reset links that another instance cannot verify, a reply refused by one and accepted by the other.
 *
 * Each instance publishes one digest per setting (with its heartbeat), never a value: the secrets stay
 * secret, and a database reader learns only whether two instances agree. Per-machine settings (IMAP_URL,
 * MAILBOX_ID, ports, data directory, document reading) are not compared.
 */
export const SHARED_SETTINGS = [
  // What the mail says and who it comes from.
  'MAIL_FROM', 'MAIL_FROM_NAME', 'AGENTS_ADDRESS', 'ADMIN_ADDRESS', 'ESCALATION_ADDRESS',
  // Reset links: made by one instance, verified by another.
  'RESET_LINK_SECRET', 'RESET_LINK_BASE_URL', 'RESET_LINK_VALIDITY_HOURS', 'MAX_LINK_REISSUES',
  // The trust chain: who may decide, and how their mail is authenticated.
  'AGENT_SENDERS', 'REQUIRE_DKIM', 'ALLOW_UNSIGNED_AGENT_REPLIES', 'SUBADDRESS_SEPARATORS',
  // Limits kept in the database, counted by every instance.
  'NOTICE_RATE_LIMIT', 'NOTICE_RATE_WINDOW_MINUTES', 'OUTBOX_MAX_ATTEMPTS',
  // Liveness: one instance's beat must be fresh by every other's measure.
  'INSTANCE_HEARTBEAT_SECONDS', 'INSTANCE_STALE_SECONDS',
  // The jobs' slots, run once across the instances.
  'TIMEZONE', 'REMINDER_CRON', 'REMINDER_AFTER_HOURS', 'REMINDER_REPEAT_HOURS', 'ESCALATION_AFTER_HOURS',
  'EXPIRY_SWEEP_CRON', 'PURGE_CRON', 'RETENTION_DAYS',
] as const satisfies readonly (keyof Config)[];

export type SharedSetting = (typeof SHARED_SETTINGS)[number];

/** Setting name → digest of its value (16 hex characters). */
export type SharedConfigDigests = Readonly<Record<string, string>>;

/**
 * One digest per shared setting, of the value as parsed (so `REQUIRE_DKIM=yes` and `=true`, or a setting
 * left to its default and the default written out, agree). 64 bits of SHA-256 over a label that names
 * the setting: the same secret under two names gives two digests.
 */
export function sharedConfigDigests(config: Pick<Config, SharedSetting>): SharedConfigDigests {
  const digests: Record<string, string> = {};
  for (const name of SHARED_SETTINGS) {
    const value = config[name];
    const text = value === undefined ? '\u0000unset' : `${typeof value}\u0000${String(value)}`;
    digests[name] = createHash('sha256').update(`liquibot shared setting\u0000${name}\u0000${text}`).digest('hex').slice(0, 16);
  }
  return digests;
}

/**
 * The settings on which two instances disagree, in SHARED_SETTINGS order. A setting one side does not
 * publish (an older or newer release that compares fewer or other settings) is not a disagreement.
 */
export function disagreeingSettings(mine: SharedConfigDigests, theirs: SharedConfigDigests): string[] {
  return Object.keys(mine).filter((name) => typeof theirs[name] === 'string' && theirs[name] !== mine[name]);
}

/** An instance found running with another configuration. */
export interface Disagreement {
  instanceId: string;
  host: string;
  pid: number;
  settings: string[];
}

/** The start-up refusal: which instances, which settings, what to do. Names settings, never values. */
export function describeDisagreements(found: readonly Disagreement[]): string {
  const settings = [...new Set(found.flatMap((d) => d.settings))];
  const where = found.slice(0, 3).map((d) => `${d.host} pid ${d.pid} (${d.settings.join(', ')})`).join('; ');
  return `configuration: ${settings.join(', ')} ${settings.length === 1 ? 'differs' : 'differ'} from ${found.length === 1 ? 'an instance' : `${found.length} instances`} `
    + `running on this database: ${where}${found.length > 3 ? '; …' : ''}. Instances sharing a database must agree on these settings; `
    + 'to change one, stop every instance, change it everywhere, then start them (see docs/operations.md, "Instances sharing a database")';
}
