import cron from 'node-cron';
import { withHost } from './db/connection-url';
import { z } from 'zod';
import { AppError } from './errors';
import { RESET_TOKEN_PLACEHOLDER, resetLinkUrl } from './reset/reset-token';
import { invalidProxyEntries } from './console/client-address';
import { MAILBOX_ID_MAX_LENGTH } from './mail/mailbox-identity';

/**
 * Configuration from the environment, parsed once and frozen.
 * Every variable is documented in .env.example.
 */

const urlWithScheme = (schemes: string[], normalize: (v: string) => string = (v) => v) =>
  z.string().trim().refine((v) => {
    try {
      return schemes.includes(new URL(normalize(v)).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${schemes.join(' or ')}`);

const email = z.string().trim().toLowerCase().regex(/^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/, 'must be an e-mail address');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();

/** http is for a provider on this machine (tests, a local proxy); anything else speaks TLS. */
function httpOnlyOnLoopback(v: string): boolean {
  const url = new URL(v);
  return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** A comma-separated list of claim values (CONSOLE_OIDC_ADMIN_VALUES, CONSOLE_OIDC_AGENT_VALUES). */
export function roleValues(list: string | undefined): string[] {
  return (list ?? '').split(',').map((v) => v.trim()).filter(Boolean);
}

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodTypeAny>(s: T) => z.preprocess(emptyAsUndefined, s.optional());
// prefault: the default goes through the schema (a plain default would skip transforms: "false" would be true).
const def = <T extends z.ZodTypeAny>(s: T, d: z.input<T>) => z.preprocess(emptyAsUndefined, s.prefault(d as never));

const schema = z.object({
  IMAP_URL: opt(urlWithScheme(['imap', 'imaps'])),
  // The mailbox's identity in the database (src/mail/mailbox-identity.ts); default user@host/folder.
  MAILBOX_ID: opt(z.string().trim().min(1).max(MAILBOX_ID_MAX_LENGTH).regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line of printable characters')),
  SMTP_URL: opt(urlWithScheme(['smtp', 'smtps'])),
  // libpq's Unix-socket form too: postgresql://user@/db?host=/var/run/postgresql (see db/connection-url.ts)
  DATABASE_URL: opt(urlWithScheme(['postgres', 'postgresql'], withHost)),
  DATA_DIR: def(z.string(), './data'),
  MAIL_FROM: def(email, 'liquibot@localhost.localdomain'),
  MAIL_FROM_NAME: def(z.string().regex(/^[^\r\n]*$/, 'must be one line'), 'Support net-entreprises'),
  AGENTS_ADDRESS: def(email, 'agents@localhost.localdomain'),
  ADMIN_ADDRESS: opt(email),
  PROCESSED_FOLDER: opt(z.string()),
  UNRELATED_FOLDER: opt(z.string()),
  QUARANTINE_FOLDER: opt(z.string()),
  RESYNC_CRON: def(z.string(), '* * * * *'),
  TIMEZONE: def(z.string(), 'Europe/Paris'),
  IMAP_MAX_IDLE_MINUTES: def(z.coerce.number().positive().max(28), 10),
  RECONNECT_MAX_SECONDS: def(positiveInt, 60),
  PROCESS_CONCURRENCY: def(positiveInt.max(32), 4),
  FIRST_START: def(z.enum(['process', 'skip']), 'process'),
  LEADER_RETRY_SECONDS: def(z.coerce.number().positive().max(60), 2),
  NOTICE_RATE_LIMIT: def(positiveInt, 5),
  NOTICE_RATE_WINDOW_MINUTES: def(positiveInt, 60),
  MAX_MESSAGE_BYTES: def(positiveInt, 50 * 1024 * 1024),
  DOCUMENT_HANDOVER_MB: def(z.coerce.number().int().min(0).max(4096), 48),
  // Reading the court documents (src/documents): text layer, else OCR, in bounded reader processes.
  DOCUMENT_READING: def(bool, 'true'),
  DOCUMENT_APPROVAL_WAIT_MS: def(z.coerce.number().int().min(0).max(3_600_000), 60_000),
  DOCUMENT_READ_TIMEOUT_MS: def(z.coerce.number().int().min(1_000).max(3_600_000), 60_000),
  DOCUMENT_READERS: def(z.coerce.number().int().min(1).max(16), 1),
  DOCUMENT_WORKER_MAX_MB: def(z.coerce.number().int().min(128).max(16_384), 768),
  DOCUMENT_MAX_PAGES: def(z.coerce.number().int().min(1).max(10_000), 100),
  DOCUMENT_MAX_MB: def(z.coerce.number().int().min(1).max(200), 16),
  DOCUMENT_MAX_OCR_PAGES: def(z.coerce.number().int().min(0).max(1_000), 5),
  OCR_DPI: def(z.coerce.number().int().min(72).max(600), 200),
  OUTBOX_MAX_ATTEMPTS: def(positiveInt, 8),
  OUTBOX_POLL_MS: def(positiveInt, 1000),
  OUTBOX_RETRY_BASE_MS: def(positiveInt, 5000),
  OUTBOX_LEASE_SECONDS: def(positiveInt, 180),
  // Instances beat in instance_heartbeats; one silent for INSTANCE_STALE_SECONDS (or whose session ended) is dead.
  INSTANCE_HEARTBEAT_SECONDS: def(z.coerce.number().positive().max(60), 2),
  INSTANCE_STALE_SECONDS: def(z.coerce.number().positive().max(3600), 15),
  // A mail server that accepts the connection and then says nothing: connecting and the greeting get
  // min(15 s, this), any later silence this long ends the connection (IMAP: a NOOP probe first).
  SMTP_TIMEOUT_SECONDS: def(z.coerce.number().positive().max(600), 60),
  IMAP_TIMEOUT_SECONDS: def(z.coerce.number().positive().max(1800), 120),
  TEMPLATES_DIR: opt(z.string()),
  AGENT_SENDERS: opt(z.string()),
  // Besides '+', which always is one (parsers/mailbox.ts).
  SUBADDRESS_SEPARATORS: def(z.string().trim().regex(/^[+\-_=]{1,4}$/, 'must be one or more of + - _ ='), '+'),
  REQUIRE_DKIM: def(bool, 'false'),
  ALLOW_UNSIGNED_AGENT_REPLIES: def(bool, 'false'),
  NODE_ENV: opt(z.string().trim()),
  // The token goes in its query string (src/reset/reset-token.ts, resetLinkUrl).
  RESET_LINK_BASE_URL: def(urlWithScheme(['https', 'http']).superRefine((v, ctx) => {
    try {
      resetLinkUrl(v, RESET_TOKEN_PLACEHOLDER);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^RESET_LINK_BASE_URL /, '') });
    }
  }), 'https://portail.net-entreprises.fr/auth/liquidateur?token='),
  RESET_LINK_VALIDITY_HOURS: def(positiveInt.max(720), 8),
  RESET_LINK_SECRET: opt(z.string().min(32, 'must be at least 32 characters')),
  MAX_LINK_REISSUES: def(z.coerce.number().int().min(0), 2),
  REMINDER_AFTER_HOURS: def(positiveInt, 24),
  REMINDER_CRON: def(z.string(), '0 8-18 * * 1-5'),
  REMINDER_REPEAT_HOURS: def(positiveInt, 24),
  ESCALATION_ADDRESS: opt(email),
  ESCALATION_AFTER_HOURS: def(positiveInt, 72),
  EXPIRY_SWEEP_CRON: def(z.string(), '*/5 * * * *'),
  VERIFY_RATE_LIMIT_PER_MINUTE: def(positiveInt, 10),
  VERIFY_API_TOKEN: opt(z.string().min(32, 'must be at least 32 characters')),
  LOG_LEVEL: def(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
  LOG_PRETTY: opt(bool),
  HTTP_HOST: def(z.string().trim().min(1), '127.0.0.1'),
  /** null: no HTTP server; 0: a free port chosen by the system (tests), logged at start. */
  HTTP_PORT: def(
    z.string().trim().regex(/^(?:off|\d{1,5})$/, 'must be a port number (0-65535) or off')
      .transform((v) => (v === 'off' ? null : Number(v)))
      .refine((v) => v === null || v <= 65535, 'must be a port number (0-65535) or off'),
    '8080',
  ),
  HEALTH_MAX_OUTBOX_AGE_SECONDS: def(positiveInt, 900),
  RETENTION_DAYS: def(positiveInt, 90),
  PURGE_CRON: def(z.string().trim().refine((v) => v === 'off' || cron.validate(v), 'must be a cron expression or off'), '17 3 * * *'),
  // --- The web console (src/console/, docs/console.md) ---
  CONSOLE_ENABLED: def(bool, 'true'),
  CONSOLE_PATH: def(z.string().trim().regex(/^(?:\/[a-z0-9][a-z0-9_-]*)+$/, 'must be a path such as /console (no trailing slash)'), '/console'),
  /** Its own address and port; unset: served by the HTTP server (HTTP_HOST, HTTP_PORT). */
  CONSOLE_HOST: opt(z.string().trim().min(1)),
  CONSOLE_PORT: opt(z.coerce.number().int().min(0).max(65535)),
  /** The address people use (behind the reverse proxy): invitation links; https also makes cookies Secure. */
  CONSOLE_PUBLIC_URL: opt(urlWithScheme(['https', 'http'])),
  CONSOLE_TRUSTED_PROXIES: opt(z.string().trim().refine((v) => invalidProxyEntries(v).length === 0, 'must list IP addresses or CIDR blocks')),
  CONSOLE_SESSION_IDLE_MINUTES: def(positiveInt.max(24 * 60), 30),
  CONSOLE_SESSION_MAX_HOURS: def(positiveInt.max(7 * 24), 12),
  CONSOLE_LOGIN_MAX_FAILURES: def(positiveInt.max(1000), 5),
  CONSOLE_LOGIN_MAX_FAILURES_PER_IP: def(positiveInt.max(100_000), 30),
  // Sign-in: local accounts (passwords) and/or single sign-on with OpenID Connect (src/console/oidc.ts).
  CONSOLE_LOCAL_ACCOUNTS: def(bool, 'true'),
  /** The provider's issuer (discovery at ISSUER/.well-known/openid-configuration); http only on a loopback address. */
  CONSOLE_OIDC_ISSUER: opt(urlWithScheme(['https', 'http']).refine(httpOnlyOnLoopback, 'must be https (http only on a loopback address)')),
  CONSOLE_OIDC_CLIENT_ID: opt(z.string().trim().min(1)),
  /** Unset: a public client (PKCE without a client secret). */
  CONSOLE_OIDC_CLIENT_SECRET: opt(z.string()),
  /** Unset: the console's address (CONSOLE_PUBLIC_URL, …) + /oidc/callback. */
  CONSOLE_OIDC_REDIRECT_URL: opt(urlWithScheme(['https', 'http'])),
  CONSOLE_OIDC_SCOPES: def(z.string().trim().regex(/^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'must be scopes separated by spaces')
    .refine((v) => v.split(' ').includes('openid'), 'must include openid'), 'openid email profile'),
  /** The claim holding the person's roles at the provider (a name, or a dotted path such as realm_access.roles). */
  CONSOLE_OIDC_ROLE_CLAIM: def(z.string().trim().regex(/^[A-Za-z0-9_:/.-]{1,200}$/, 'must be a claim name or a dotted path'), 'roles'),
  /** Values of that claim (comma-separated) that make an admin, and an agent. */
  CONSOLE_OIDC_ADMIN_VALUES: opt(z.string().trim()),
  CONSOLE_OIDC_AGENT_VALUES: opt(z.string().trim()),
  /** How the login page names the provider: « Se connecter avec … ». */
  CONSOLE_OIDC_LABEL: def(z.string().trim().min(1).max(80).regex(/^[^\r\n]*$/, 'must be one line'), 'le compte de votre organisation'),
}).superRefine((c, ctx) => {
  const problem = (name: string, message: string) => ctx.addIssue({ code: 'custom', path: [name], message });
  const oidcSet = ['CONSOLE_OIDC_CLIENT_ID', 'CONSOLE_OIDC_CLIENT_SECRET', 'CONSOLE_OIDC_REDIRECT_URL', 'CONSOLE_OIDC_ADMIN_VALUES', 'CONSOLE_OIDC_AGENT_VALUES']
    .filter((name) => c[name as keyof typeof c] !== undefined);
  if (!c.CONSOLE_OIDC_ISSUER) {
    for (const name of oidcSet) problem(name, 'needs CONSOLE_OIDC_ISSUER');
    if (!c.CONSOLE_LOCAL_ACCOUNTS) problem('CONSOLE_LOCAL_ACCOUNTS', 'false needs CONSOLE_OIDC_ISSUER (else nobody can sign in)');
    return;
  }
  if (!c.CONSOLE_OIDC_CLIENT_ID) problem('CONSOLE_OIDC_CLIENT_ID', 'is required with CONSOLE_OIDC_ISSUER');
  if (roleValues(c.CONSOLE_OIDC_ADMIN_VALUES).length + roleValues(c.CONSOLE_OIDC_AGENT_VALUES).length === 0) {
    problem('CONSOLE_OIDC_ADMIN_VALUES', 'or CONSOLE_OIDC_AGENT_VALUES must name a value of CONSOLE_OIDC_ROLE_CLAIM (else every sign-in is refused)');
  }
});

export type Config = Readonly<z.infer<typeof schema>> & {
  /** Domain used in the Message-IDs liquibot makes; also how it recognises its own mail. */
  readonly messageIdDomain: string;
};

/** Variables that `liquibot run` cannot start without. */
export const DAEMON_REQUIRED = ['IMAP_URL', 'SMTP_URL'] as const;

/**
 * Parse the environment. Throws AppError('CONFIG_INVALID') whose message is one line
 * naming the variable and what is wrong with it.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  required: readonly (keyof z.infer<typeof schema>)[] = [],
): Config {
  const parsed = schema.safeParse(env);
  // Every bad variable at once (the first issue of each), then every missing required one: one restart per mistake is too many.
  const problems = new Map<string, string>();
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const name = String(issue.path[0] ?? '?');
    if (!problems.has(name)) problems.set(name, `${name} ${describeIssue(issue)}`);
  }
  for (const name of required) {
    const missing = parsed.success ? parsed.data[name] === undefined : !String(env[name] ?? '').trim();
    if (missing && !problems.has(name)) problems.set(name, `${name} is required (see .env.example)`);
  }
  if (!parsed.success || problems.size > 0) throw new AppError('CONFIG_INVALID', `configuration: ${[...problems.values()].join('; ')}`);
  const messageIdDomain = `liquibot.${parsed.data.MAIL_FROM.split('@')[1]}`;
  return Object.freeze({ ...parsed.data, messageIdDomain });
}

/**
 * Why this configuration may not count agents' mail replies as decisions, or null when it may.
 *
 * In production (PostgreSQL, i.e. DATABASE_URL, or NODE_ENV=production), when AGENT_SENDERS lets agents
 * decide by mail, their replies must carry a DKIM signature (REQUIRE_DKIM=true): without it, a From
 * header is only what the sender wrote, and whoever obtains an approval request's Message-ID (a
 * forwarded or leaked mail, a mailbox it was copied to) can approve by writing an agent's address.
 * ALLOW_UNSIGNED_AGENT_REPLIES=true is the operator's explicit, documented acceptance of that risk
 * (e.g. a mail gateway that already rejects unauthenticated mail from the agents' domain).
 * The embedded database (one machine, development and trials) is not held to it.
 */
export function agentReplyAuthenticationProblem(
  config: Pick<Config, 'DATABASE_URL' | 'NODE_ENV' | 'AGENT_SENDERS' | 'REQUIRE_DKIM' | 'ALLOW_UNSIGNED_AGENT_REPLIES'>,
): string | null {
  const production = config.DATABASE_URL !== undefined || config.NODE_ENV === 'production';
  const agentsDecideByMail = (config.AGENT_SENDERS ?? '').split(/[\s,;]+/).some(Boolean);
  if (!production || !agentsDecideByMail || config.REQUIRE_DKIM || config.ALLOW_UNSIGNED_AGENT_REPLIES) return null;
  return `configuration: REQUIRE_DKIM must be true in production (${config.DATABASE_URL !== undefined ? 'DATABASE_URL is set' : 'NODE_ENV=production'}) `
    + 'when AGENT_SENDERS may decide by mail: without DKIM, anyone who obtains an approval request\'s Message-ID can approve it '
    + 'by writing an agent\'s address in From; set REQUIRE_DKIM=true, or ALLOW_UNSIGNED_AGENT_REPLIES=true to accept that risk '
    + '(see docs/operations.md, "Agents\' replies and DKIM")';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value' && 'values' in issue) return `must be one of ${issue.values.join(', ')}`;
  if (issue.code === 'invalid_type') return `is required`;
  return issue.message;
}
