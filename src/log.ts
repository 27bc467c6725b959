import pino, { type Logger } from 'pino';

/**
 * The one pino root. Personal data (addresses, subjects, bodies) is logged only at debug/trace
 * under the keys listed in PERSONAL_KEYS, and censored above that; secrets are always censored.
 */
const SECRET_PATHS = [
  'password', '*.password', 'pass', '*.pass', 'token', '*.token', 'link', '*.link',
  'url', '*.url', 'imapUrl', 'smtpUrl', 'databaseUrl', 'auth', '*.auth', 'authorization', '*.authorization',
];
const PERSONAL_PATHS = [
  'address', '*.address', 'from', 'to', 'subject', 'body', 'liquidatorEmail', 'requester', 'siret',
];

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
  const paths = personalVisible ? SECRET_PATHS : [...SECRET_PATHS, ...PERSONAL_PATHS];
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'liquibot' },
    redact: { paths, censor: '[redacted]' },
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
