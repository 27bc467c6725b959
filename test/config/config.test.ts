import { describe, expect, it } from 'vitest';
import { agentReplyAuthenticationProblem, DAEMON_REQUIRED, loadConfig } from '../../src/config';

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

describe('SUBADDRESS_SEPARATORS', () => {
  it.each([[undefined, '+'], ['+', '+'], ['+-', '+-'], [' - ', '-']])('%j → %j', (value, want) => {
    expect(loadConfig(value === undefined ? {} : { SUBADDRESS_SEPARATORS: value }).SUBADDRESS_SEPARATORS).toBe(want);
  });
  it.each([['.'], ['+.'], ['@'], ['abc'], ['+-_=+']])('refuses %j', (value) => {
    expect(() => loadConfig({ SUBADDRESS_SEPARATORS: value })).toThrow(/^configuration: SUBADDRESS_SEPARATORS must be one or more of/);
  });
});

// Issue 10: agents' replies authenticated by default in production.
describe('agentReplyAuthenticationProblem', () => {
  const pg = { DATABASE_URL: 'postgres://liquibot@127.0.0.1:5432/liquibot', RESET_LINK_SECRET: 'x'.repeat(32) };
  const agents = { AGENT_SENDERS: '@support.example.fr' };
  it.each([
    ['PostgreSQL, agents by mail, DKIM off', { ...pg, ...agents }, true],
    ['PostgreSQL, agents by mail, REQUIRE_DKIM unset = false', { ...pg, ...agents, REQUIRE_DKIM: '' }, true],
    ['NODE_ENV=production on the embedded database', { ...agents, NODE_ENV: 'production' }, true],
    ['PostgreSQL, REQUIRE_DKIM=true', { ...pg, ...agents, REQUIRE_DKIM: 'true' }, false],
    ['PostgreSQL, the explicit override', { ...pg, ...agents, ALLOW_UNSIGNED_AGENT_REPLIES: 'true' }, false],
    ['PostgreSQL, the override set to false', { ...pg, ...agents, ALLOW_UNSIGNED_AGENT_REPLIES: 'false' }, true],
    ['PostgreSQL, nobody decides by mail', { ...pg }, false],
    ['PostgreSQL, AGENT_SENDERS blank', { ...pg, AGENT_SENDERS: ' ; , ' }, false],
    ['the embedded database (development, trials)', { ...agents }, false],
    ['NODE_ENV=test', { ...agents, NODE_ENV: 'test' }, false],
  ])('%s → refused: %s', (_name, env, refused) => {
    const problem = agentReplyAuthenticationProblem(loadConfig(env));
    expect(problem !== null).toBe(refused);
    if (problem) {
      expect(problem).toMatch(/^configuration: REQUIRE_DKIM must be true in production/);
      // it says why, and how to get past it
      expect(problem).toMatch(/Message-ID can approve/);
      expect(problem).toMatch(/ALLOW_UNSIGNED_AGENT_REPLIES=true/);
      expect(problem).not.toContain('\n');
    }
  });

  it('is a problem for what counts agents\' replies (the daemon, replay: src/workflow/deps.ts), not for loadConfig itself', () => {
    expect(() => loadConfig({ ...pg, ...agents })).not.toThrow();
  });
});
