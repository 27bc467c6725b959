import { describe, expect, it } from 'vitest';
import { DAEMON_REQUIRED, loadConfig } from '../../src/config';

/** The message of the error loadConfig throws for this environment. */
function refusal(env: Record<string, string>, required: readonly string[] = DAEMON_REQUIRED): string {
  try {
    loadConfig(env, required as typeof DAEMON_REQUIRED);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted the environment');
}

// Issue 12: a start refused for one variable, then for the next after each fix, costs a restart per
// mistake (systemd retries every 5 s). Every bad variable is named at once, still on one line.
describe('loadConfig reports every bad variable at once', () => {
  it('names each invalid value, in one line', () => {
    const message = refusal({
      IMAP_URL: 'http://x', SMTP_URL: 'nonsense', NOTICE_RATE_LIMIT: 'many', LOG_LEVEL: 'loud', MAIL_FROM: 'not an address',
    });
    for (const name of ['IMAP_URL', 'SMTP_URL', 'NOTICE_RATE_LIMIT', 'LOG_LEVEL', 'MAIL_FROM']) expect(message).toContain(name);
    expect(message).toMatch(/^configuration: /);
    expect(message).not.toContain('\n');
  });

  it('names a missing required variable next to an invalid one', () => {
    const message = refusal({ SMTP_URL: 'nonsense' });
    expect(message).toContain('IMAP_URL is required');
    expect(message).toContain('SMTP_URL must be a URL');
  });

  it('names every missing required variable', () => {
    const message = refusal({});
    expect(message).toContain('IMAP_URL is required');
    expect(message).toContain('SMTP_URL is required');
  });
});
