import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { describeDisagreements, disagreeingSettings, SHARED_SETTINGS, sharedConfigDigests } from '../../src/config-agreement';

const base = {
  IMAP_URL: 'imap://u:p@127.0.0.1:1143/INBOX', SMTP_URL: 'smtp://127.0.0.1:2525',
  RESET_LINK_SECRET: 'one-secret-0123456789-0123456789-abcdef',
};
const digests = (env: Record<string, string>) => sharedConfigDigests(loadConfig({ ...base, ...env }));

describe('sharedConfigDigests', () => {
  it('gives one 16-hex digest per shared setting, and never a value', () => {
    const d = digests({ MAIL_FROM: 'bot@support.example.fr' });
    expect(Object.keys(d)).toEqual([...SHARED_SETTINGS]);
    for (const v of Object.values(d)) expect(v).toMatch(/^[0-9a-f]{16}$/);
    const text = JSON.stringify(d);
    expect(text).not.toContain('one-secret');
    expect(text).not.toContain('support.example.fr');
  });

  it('compares values as parsed: a default written out, another spelling of a boolean or an address, agree', () => {
    const plain = digests({});
    expect(disagreeingSettings(plain, digests({ REQUIRE_DKIM: 'no', RESET_LINK_VALIDITY_HOURS: '8', TIMEZONE: 'Europe/Paris' }))).toEqual([]);
    expect(disagreeingSettings(digests({ MAIL_FROM: 'Bot@Support.Example.FR' }), digests({ MAIL_FROM: 'bot@support.example.fr' }))).toEqual([]);
  });

  it('does not vary with the per-machine settings', () => {
    expect(disagreeingSettings(digests({}), digests({
      IMAP_URL: 'imaps://other:x@mail.example.fr/Support', MAILBOX_ID: 'support-2', HTTP_PORT: '9100', DATA_DIR: '/srv/b',
      DOCUMENT_READING: 'false', PROCESS_CONCURRENCY: '8', SMTP_URL: 'smtp://relay.example.fr:25',
    }))).toEqual([]);
  });

  it('names each setting that differs, in the list\'s order', () => {
    const mine = digests({});
    const theirs = digests({ RESET_LINK_SECRET: 'another-secret-0123456789-0123456789-ab', MAIL_FROM: 'other@support.example.fr', AGENT_SENDERS: 'a@support.example.fr' });
    expect(disagreeingSettings(mine, theirs)).toEqual(['MAIL_FROM', 'RESET_LINK_SECRET', 'AGENT_SENDERS']);
  });

  it('tells an unset setting from one set to the empty-looking value', () => {
    expect(disagreeingSettings(digests({}), digests({ ADMIN_ADDRESS: 'admin@support.example.fr' }))).toEqual(['ADMIN_ADDRESS']);
  });
});

describe('disagreeingSettings', () => {
  it('ignores settings only one side publishes (another release compares other settings)', () => {
    const mine = digests({});
    const { RETENTION_DAYS: _dropped, ...older } = digests({ RETENTION_DAYS: '30' });
    expect(disagreeingSettings(mine, older)).toEqual([]);
    expect(disagreeingSettings(mine, { ...mine, SOME_FUTURE_SETTING: '0123456789abcdef' })).toEqual([]);
  });
});

describe('describeDisagreements', () => {
  it('names the settings and the instances, and says what to do', () => {
    const message = describeDisagreements([
      { instanceId: 'a:1:x', host: 'app-1', pid: 41, settings: ['MAIL_FROM', 'RESET_LINK_SECRET'] },
      { instanceId: 'b:2:y', host: 'app-2', pid: 42, settings: ['RESET_LINK_SECRET'] },
    ]);
    expect(message).toMatch(/^configuration: MAIL_FROM, RESET_LINK_SECRET differ from 2 instances running on this database: /);
    expect(message).toContain('app-1 pid 41 (MAIL_FROM, RESET_LINK_SECRET); app-2 pid 42 (RESET_LINK_SECRET)');
    expect(message).toContain('stop every instance');
    expect(message).not.toContain('\n');
  });
});
