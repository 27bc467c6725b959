import { describe, expect, it } from 'vitest';
import { evaluateHealth, withConnections, type HealthInputs } from '../../src/http/health';
import { formatAge, formatTrouble } from '../../src/cli/status-command';
import type { ConnectionTrouble } from '../../src/mail/retry-backoff';

const healthy: HealthInputs = { imap: 'connected', smtp: 'ok', databaseReachable: true, unsentOutbox: 0, oldestUnsentOutboxSeconds: null, failedOutbox: 0 };

const trouble = (kind: ConnectionTrouble['kind'], error: string): ConnectionTrouble => ({
  kind, error, since: new Date('2026-12-06T10:00:00Z'), lastAttemptAt: new Date('2026-12-06T10:04:00Z'), attempts: 4,
  nextAttemptAt: new Date('2026-12-06T10:08:00Z'),
});

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

describe('evaluateHealth: refused logins and SMTP', () => {
  it.each<[string, Partial<HealthInputs>, 'ok' | 'degraded' | 'failing', number, string[]]>([
    ['IMAP login refused', { imap: 'auth_failed', imapTrouble: trouble('auth_failed', 'authentication failed: AUTHENTICATIONFAILED') }, 'failing', 503, ['IMAP_AUTH_FAILED']],
    ['SMTP not tried yet', { smtp: 'unknown' }, 'ok', 200, []],
    ['SMTP unreachable: degraded at once', { smtp: 'unreachable', smtpTrouble: trouble('unreachable', 'ESOCKET connect ECONNREFUSED') }, 'degraded', 200, ['SMTP_UNREACHABLE']],
    ['SMTP login refused', { smtp: 'auth_failed', smtpTrouble: trouble('auth_failed', 'EAUTH 535 Invalid login') }, 'degraded', 200, ['SMTP_AUTH_FAILED']],
    ['SMTP down and answers stale: failing', { smtp: 'unreachable', unsentOutbox: 2, oldestUnsentOutboxSeconds: 901 }, 'failing', 503, ['OUTBOX_STALE', 'SMTP_UNREACHABLE']],
    ['IMAP refused and SMTP down', { imap: 'auth_failed', smtp: 'auth_failed' }, 'failing', 503, ['IMAP_AUTH_FAILED', 'SMTP_AUTH_FAILED']],
  ])('%s → %s', (_name, change, status, httpStatus, reasons) => {
    const report = evaluateHealth({ ...healthy, ...change }, { maxOutboxAgeSeconds: 900 });
    expect(report).toMatchObject({ status, httpStatus, reasons });
  });

  it('shows the error, since when and the last and next attempts of a failing connection', () => {
    const report = evaluateHealth({
      ...healthy, imap: 'auth_failed', imapTrouble: trouble('auth_failed', 'authentication failed: AUTHENTICATIONFAILED Authentication failed.'),
      smtp: 'unreachable', smtpTrouble: trouble('unreachable', 'ESOCKET connect ECONNREFUSED 127.0.0.1:2'),
    }, { maxOutboxAgeSeconds: 900 });
    expect(report.imapError).toEqual({
      kind: 'auth_failed', error: 'authentication failed: AUTHENTICATIONFAILED Authentication failed.', since: '2026-12-06T10:00:00.000Z',
      lastAttemptAt: '2026-12-06T10:04:00.000Z', attempts: 4, nextAttemptAt: '2026-12-06T10:08:00.000Z',
    });
    expect(report.smtp).toBe('unreachable');
    expect(report.smtpError).toMatchObject({ kind: 'unreachable', error: 'ESOCKET connect ECONNREFUSED 127.0.0.1:2' });
    // Once connected, an old trouble is not shown.
    expect(evaluateHealth({ ...healthy, imapTrouble: trouble('unreachable', 'x') }, { maxOutboxAgeSeconds: 900 }).imapError).toBeNull();
  });

  it('withConnections: the probe\'s database figures, judged again with the connections seen in-process', () => {
    const probed = evaluateHealth({ ...healthy, smtp: undefined, unsentOutbox: 1, oldestUnsentOutboxSeconds: 30 }, { maxOutboxAgeSeconds: 900 });
    expect(probed.status).toBe('ok');
    const judged = withConnections(probed, { imap: 'connected', imapTrouble: null, smtp: 'unreachable', smtpTrouble: trouble('unreachable', 'ETIMEDOUT') });
    expect(judged).toMatchObject({ status: 'degraded', httpStatus: 200, reasons: ['SMTP_UNREACHABLE'], unsentOutbox: 1, oldestUnsentOutboxSeconds: 30, database: 'reachable' });
    expect(withConnections(probed, { imap: 'auth_failed', imapTrouble: null, smtp: 'ok', smtpTrouble: null })).toMatchObject({ status: 'failing', httpStatus: 503 });
  });
});

describe('formatTrouble', () => {
  it('says the state, since when, the error, the attempts and when the next one is due', () => {
    const t = { ...trouble('auth_failed', 'EAUTH 535 Invalid login'), since: '2026-12-06T10:00:00.000Z', lastAttemptAt: '2026-12-06T10:04:00.000Z', nextAttemptAt: '2026-12-06T10:08:00.000Z' };
    expect(formatTrouble('auth_failed', t, new Date('2026-12-06T10:05:00Z'))).toBe(
      'AUTH_FAILED since 2026-12-06T10:00:00.000Z: EAUTH 535 Invalid login (4 attempt(s), last 2026-12-06T10:04:00.000Z, 60 s ago, next in 3 min)',
    );
  });
});

describe('formatAge', () => {
  it.each([[0, '0 s'], [119, '119 s'], [120, '2 min'], [7199, '120 min'], [7200, '2 h'], [172_800, '2 d']])('%i s → %s', (s, text) => {
    expect(formatAge(s)).toBe(text);
  });
});
