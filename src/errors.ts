/**
 * Errors that stop an operation: broken infrastructure or programmer error.
 * A bad mail is never one of these; it is a normal result (problems, a verdict).
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'A configuration variable is missing or has a bad value',
  DB_UNAVAILABLE: 'The database cannot be reached',
  MIGRATION_FAILED: 'A database migration failed',
  MAIL_UNPARSEABLE: 'The raw message could not be parsed as MIME',
  MAIL_TOO_LARGE: 'The message is larger than MAX_MESSAGE_BYTES',
  IMAP_FAILED: 'An IMAP command failed',
  SMTP_FAILED: 'An SMTP delivery failed',
  TEMPLATE_INVALID: 'A mail template does not compile or does not render',
  TEMPLATE_MISSING: 'A mail template is missing',
  TICKET_NOT_FOUND: 'No ticket has this reference',
  USAGE: 'The command was called with bad arguments',
  ILLEGAL_TRANSITION: 'A decision tried a ticket transition the state machine does not allow (a bug)',
  INTERNAL: 'An invariant of liquibot itself does not hold (a bug, or a broken installation)',
  HTTP_FAILED: 'The HTTP server (health, metrics) cannot listen on HTTP_HOST:HTTP_PORT',
  DISK_FULL: 'The embedded database has too little disk left to store a message safely',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code], options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
