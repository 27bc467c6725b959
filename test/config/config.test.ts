import { describe, expect, it } from 'vitest';
import { DAEMON_REQUIRED, loadConfig } from '../../src/config';

const base = { IMAP_URL: 'imap://u:p@127.0.0.1:1143/INBOX', SMTP_URL: 'smtp://127.0.0.1:2525' };

describe('loadConfig', () => {
  it('applies defaults and derives the Message-ID domain', () => {
    const c = loadConfig({ ...base, MAIL_FROM: 'Bot@Support.Example.FR' }, DAEMON_REQUIRED);
    expect(c.MAIL_FROM).toBe('bot@support.example.fr');
    expect(c.messageIdDomain).toBe('liquibot.support.example.fr');
    expect(c.NOTICE_RATE_LIMIT).toBe(5);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...base, DATABASE_URL: '', PROCESSED_FOLDER: '  ' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ SMTP_URL: base.SMTP_URL }, /^configuration: IMAP_URL is required/],
    [{ ...base, IMAP_URL: 'http://x' }, /^configuration: IMAP_URL must be a URL with scheme imap or imaps/],
    [{ ...base, SMTP_URL: 'nonsense' }, /^configuration: SMTP_URL must be a URL/],
    [{ ...base, DATABASE_URL: 'mysql://x' }, /^configuration: DATABASE_URL must be a URL/],
    [{ ...base, MAIL_FROM: 'not an address' }, /^configuration: MAIL_FROM must be an e-mail address/],
    [{ ...base, NOTICE_RATE_LIMIT: 'many' }, /^configuration: NOTICE_RATE_LIMIT /],
    [{ ...base, LOG_LEVEL: 'loud' }, /^configuration: LOG_LEVEL must be one of/],
    [{ ...base, MAIL_FROM_NAME: 'x\r\nBcc: a@b.c' }, /^configuration: MAIL_FROM_NAME must be one line/],
  ])('refuses %o with one line naming the variable', (env, message) => {
    let error: Error | null = null;
    try {
      loadConfig(env, DAEMON_REQUIRED);
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });
});

describe('boolean variables', () => {
  it.each([
    [undefined, false], ['', false], ['false', false], ['0', false], ['no', false], ['true', true], ['1', true], ['yes', true],
  ])('REQUIRE_DKIM=%s → %s', (value, want) => {
    const env = value === undefined ? {} : { REQUIRE_DKIM: value };
    expect(loadConfig(env).REQUIRE_DKIM).toBe(want);
  });
});
