import { describe, expect, it } from 'vitest';
import { decideReopen } from '../../src/workflow/decide-reopen';

const now = new Date('2026-11-26T18:00:00Z');
const at = (h: number) => new Date(now.getTime() + h * 3_600_000);

describe('decideReopen', () => {
  it.each([
    ['no link at all', null, 0, { kind: 'no-link' }],
    ['a link still valid', { status: 'active', expiresAt: at(2), usedAt: null }, 0, { kind: 'still-valid', validUntil: at(2) }],
    ['a link used', { status: 'used', expiresAt: at(2), usedAt: at(-1) }, 0, { kind: 'already-used', usedAt: at(-1) }],
    ['an active link past its expiry', { status: 'active', expiresAt: at(-1), usedAt: null }, 0, { kind: 'reissue' }],
    ['a link expiring right now', { status: 'active', expiresAt: now, usedAt: null }, 1, { kind: 'reissue' }],
    ['a link marked expired', { status: 'expired', expiresAt: at(-3), usedAt: null }, 1, { kind: 'reissue' }],
    ['the limit reached', { status: 'expired', expiresAt: at(-3), usedAt: null }, 2, { kind: 'back-to-agents', reissues: 2 }],
  ] as const)('%s', (_l, lastLink, reissues, want) => {
    expect(decideReopen({ lastLink: lastLink as never, reissues, maxReissues: 2, now })).toEqual(want);
  });

  it('sends the request back to the agents at once when no reissue is allowed', () => {
    expect(decideReopen({ lastLink: { status: 'expired', expiresAt: at(-1), usedAt: null }, reissues: 0, maxReissues: 0, now }).kind).toBe('back-to-agents');
  });
});
