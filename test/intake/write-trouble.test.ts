import { describe, expect, it } from 'vitest';
import { evaluateHealth, type HealthInputs } from '../../src/http/health';
import { createWriteTroubleTracker, isWriteRefusal } from '../../src/intake/write-trouble';
import { bytesToStore } from '../../src/intake/disk-room';

const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 10, 0, s));

describe('the database refusing writes while it answers', () => {
  it.each([['53100', true], ['53200', true], ['58030', true], ['DISK_FULL', true], ['40001', false], ['08006', false], ['ECONNREFUSED', false], [undefined, false]])(
    '%s is a write refusal: %s', (code, refusal) => {
      expect(isWriteRefusal(code)).toBe(refusal);
    });

  it('counts refusals in a row from the first, forgets them at the next success', () => {
    const t = createWriteTroubleTracker();
    t.failed({ err: 'could not extend file: No space left on device\nHINT: …', code: '53100' }, at(0));
    t.failed({ err: 'could not extend file: No space left on device', code: '53100' }, at(5));
    expect(t.current(at(6))).toEqual({ error: 'could not extend file: No space left on device', code: '53100', since: at(0), lastAttemptAt: at(5), attempts: 2 });
    t.succeeded();
    expect(t.current(at(7))).toBeNull();
  });

  it('ignores other failures (a lost connection is DATABASE_UNREACHABLE, not this)', () => {
    const t = createWriteTroubleTracker();
    t.failed({ err: 'connection refused', code: 'ECONNREFUSED' }, at(0));
    expect(t.current(at(1))).toBeNull();
  });

  it('lets a refusal go stale when nothing was tried for staleMs', () => {
    const t = createWriteTroubleTracker(60_000);
    t.failed({ err: 'disk full', code: 'DISK_FULL' }, at(0));
    expect(t.current(new Date(at(0).getTime() + 60_000))).not.toBeNull();
    expect(t.current(new Date(at(0).getTime() + 60_001))).toBeNull();
  });

  it('makes /healthz fail with DATABASE_WRITE_FAILED and the error, only while the database answers', () => {
    const healthy: HealthInputs = { imap: 'connected', smtp: 'ok', databaseReachable: true, unsentOutbox: 0, oldestUnsentOutboxSeconds: null, failedOutbox: 0 };
    const t = createWriteTroubleTracker();
    t.failed({ err: 'No space left on device', code: '53100' }, at(0));
    const report = evaluateHealth({ ...healthy, databaseWriteTrouble: t.current(at(1)) }, { maxOutboxAgeSeconds: 900 });
    expect(report).toMatchObject({ httpStatus: 503, status: 'failing', reasons: ['DATABASE_WRITE_FAILED'] });
    expect(report.databaseError).toMatchObject({ code: '53100', attempts: 1 });
    const down = evaluateHealth({ ...healthy, databaseReachable: false, databaseWriteTrouble: t.current(at(1)) }, { maxOutboxAgeSeconds: 900 });
    expect(down.reasons).toEqual(['DATABASE_UNREACHABLE']);
  });
});

describe('the room a mail needs in the embedded database', () => {
  it('is its size, or its header alone when only the header is kept (a mail past MAX_MESSAGE_BYTES)', () => {
    expect(bytesToStore({ headerOnly: false, raw: Buffer.alloc(10), sizeBytes: 1000 })).toBe(1000);
    expect(bytesToStore({ headerOnly: true, raw: Buffer.alloc(2048), sizeBytes: 200 * 1024 * 1024 })).toBe(2048);
  });
});
