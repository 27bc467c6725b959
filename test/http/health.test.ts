import { describe, expect, it } from 'vitest';
import { evaluateHealth, type HealthInputs } from '../../src/http/health';
import { formatAge } from '../../src/cli/status-command';

const healthy: HealthInputs = { imap: 'connected', databaseReachable: true, unsentOutbox: 0, oldestUnsentOutboxSeconds: null, failedOutbox: 0 };

describe('evaluateHealth', () => {
  it.each<[string, Partial<HealthInputs>, number, string[]]>([
    ['all well', {}, 200, []],
    ['outbox busy but young', { unsentOutbox: 3, oldestUnsentOutboxSeconds: 900 }, 200, []],
    ['failed mails alone', { failedOutbox: 7 }, 200, []],
    ['outbox older than the limit', { unsentOutbox: 1, oldestUnsentOutboxSeconds: 901 }, 503, ['OUTBOX_STALE']],
    ['standby: another instance leads the mailbox', { imap: 'standby' }, 200, []],
    ['IMAP connecting', { imap: 'connecting' }, 503, ['IMAP_NOT_CONNECTED']],
    ['IMAP in backoff', { imap: 'backoff' }, 503, ['IMAP_NOT_CONNECTED']],
    ['IMAP stopped', { imap: 'stopped' }, 503, ['IMAP_NOT_CONNECTED']],
    ['database gone', { databaseReachable: false, unsentOutbox: null, failedOutbox: null }, 503, ['DATABASE_UNREACHABLE']],
    ['everything wrong', { imap: 'backoff', databaseReachable: false, oldestUnsentOutboxSeconds: 5000 }, 503,
      ['IMAP_NOT_CONNECTED', 'DATABASE_UNREACHABLE', 'OUTBOX_STALE']],
  ])('%s → %i %j', (_name, change, status, reasons) => {
    const report = evaluateHealth({ ...healthy, ...change }, { maxOutboxAgeSeconds: 900 });
    expect(report.httpStatus).toBe(status);
    expect(report.status).toBe(status === 200 ? 'ok' : 'failing');
    expect(report.reasons).toEqual(reasons);
    expect(report.database).toBe(change.databaseReachable === false ? 'unreachable' : 'reachable');
  });
});

describe('formatAge', () => {
  it.each([[0, '0 s'], [119, '119 s'], [120, '2 min'], [7199, '120 min'], [7200, '2 h'], [172_800, '2 d']])('%i s → %s', (s, text) => {
    expect(formatAge(s)).toBe(text);
  });
});
