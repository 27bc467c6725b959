import pino, { type Logger } from 'pino';

/**
 * The one pino root. Redaction is by path, never by a key name that other data also uses (the keys `from`
 * and `to` are an IMAP state change's states, not addresses):
 * - secrets are censored at every level;
 * - personal data (addresses, subjects, bodies, SIRETs, names) is logged under one key, {@link PII}
 *   (`log.debug({ ticketRef, pii: { from, subject } }, 'mail read')`), shown at debug/trace and censored above;
 * - the free text of errors (`err`, and `error`, an SMTP reply such as `550 5.1.1 <jean@x.fr>: Recipient address
 *   rejected`) keeps its words, its e-mail addresses masked above debug.
 */
const SECRET_PATHS = [
  'password', '*.password', 'pass', '*.pass', 'token', '*.token', 'link', '*.link',
  'url', '*.url', 'imapUrl', 'smtpUrl', 'databaseUrl', 'auth', '*.auth', 'authorization', '*.authorization',
];
/** The key personal data is logged under. */
const PII = 'pii';
const PERSONAL_PATHS = [PII, `*.${PII}`];
const ERROR_TEXT_PATHS = ['err', 'error'];

const CENSORED = '[redacted]';
/** What an address in a message looks like: enough to catch `<jean.dupont@x.fr>` and `jean@x.fr`. */
const ADDRESS = /[^\s<>()[\]"',;:@]+@[^\s<>()[\]"',;:@]+/g;

/** The text of an error with its addresses masked; an Error object (pino's err serializer) keeps its shape. */
function maskAddresses(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ADDRESS, '[address]');
  if (value && typeof value === 'object') {
    const e = value as { message?: unknown; stack?: unknown };
    return { ...value, message: maskAddresses(e.message), ...(e.stack !== undefined ? { stack: maskAddresses(e.stack) } : {}) };
  }
  return value;
}

export type { Logger };

export interface LogOptions {
  level?: string;
  pretty?: boolean;
  /** Where JSON lines go; default stdout. Tests pass a stream to scan what was logged. */
  destination?: NodeJS.WritableStream;
}

/** Make the root logger. */
export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const personalVisible = level === 'debug' || level === 'trace';
  const paths = personalVisible ? SECRET_PATHS : [...SECRET_PATHS, ...PERSONAL_PATHS, ...ERROR_TEXT_PATHS];
  const errorText = new Set(ERROR_TEXT_PATHS);
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'liquibot' },
    redact: { paths, censor: (value, path) => (path.length === 1 && errorText.has(path[0]!) ? maskAddresses(value) : CENSORED) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination) return pino(options, opts.destination as pino.DestinationStream);
  if (opts.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } } });
  }
  return pino(options, pino.destination(2));
}

/** A logger that writes nothing, for commands whose output is the terminal. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Strip credentials from a URL so it can be logged. */
export function safeUrl(raw: string | undefined): string | undefined {
  if (!raw) return raw;
  try {
    const u = new URL(raw);
    if (u.username) u.username = '***';
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/**
 * Loggable fields of an error, without personal data: drizzle's "Failed query" errors carry the
 * statement's parameters (addresses, mail bodies), so only their cause is kept.
 */
export function errorFields(err: unknown): { err: string; code?: string } {
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const message = String(e?.message ?? err);
  if (message.startsWith('Failed query') && e.cause) {
    return { err: `query failed: ${String(e.cause.message ?? 'unknown cause')}`, code: e.cause.code ?? e.code };
  }
  return { err: message.split('\n')[0]!.slice(0, 500), code: e?.code };
}
