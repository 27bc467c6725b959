import { describe, expect, it } from 'vitest';
import type { SinkMessage } from '../support/sandbox/smtp-sink';
import { resendsByKill } from './resends';

const at = (messageId: string, ms: number) => ({ messageId, receivedAt: new Date(ms) }) as SinkMessage;

describe('resendsByKill (the crash tests’ judge of a resend)', () => {
  it('explains a copy sent before a kill and again after it, and counts it for that kill', () => {
    const r = resendsByKill([at('<a>', 1000), at('<b>', 1100), at('<a>', 9000), at('<c>', 9100)], [1500, 20_000]);
    expect(r.unexplained).toEqual([]);
    expect(r.perKill).toEqual([1, 0]);
    expect(r.resends.map((x) => x.messageId)).toEqual(['<a>']);
  });

  it('reports a resend with no kill between its copies as a double send', () => {
    const r = resendsByKill([at('<a>', 1000), at('<a>', 1200)], [5000]);
    expect(r.unexplained).toHaveLength(1);
    expect(r.perKill).toEqual([0]);
  });

  it('does not let one kill explain a first copy sent long after it', () => {
    const r = resendsByKill([at('<a>', 60_000), at('<a>', 61_000)], [1000]);
    expect(r.unexplained).toHaveLength(1);
  });

  it('needs one kill per extra copy', () => {
    expect(resendsByKill([at('<a>', 1000), at('<a>', 2000), at('<a>', 3000)], [1500]).unexplained).toHaveLength(1);
    const two = resendsByKill([at('<a>', 1000), at('<a>', 2000), at('<a>', 3000)], [1500, 2500]);
    expect(two.unexplained).toEqual([]);
    expect(two.perKill).toEqual([1, 1]);
  });

  it('charges each resend to the kill right after its first copy, when kills come a second apart', () => {
    // As crash-mixed saw it: kills at 0, 995 and 1932 ms, each catching mails accepted a few ms before.
    const r = resendsByKill([
      at('<a>', -4), at('<a>', 831), at('<b>', 989), at('<b>', 1871), at('<c>', 992), at('<c>', 1742), at('<d>', 1928), at('<d>', 2784),
    ], [0, 995, 1932]);
    expect(r.unexplained).toEqual([]);
    expect(r.perKill).toEqual([1, 2, 1]);
  });

  it('still explains a first copy that arrived just after the kill was recorded', () => {
    const r = resendsByKill([at('<a>', 1100), at('<a>', 4000)], [1000, 5000]);
    expect(r.unexplained).toEqual([]);
    expect(r.perKill).toEqual([1, 0]);
  });

  it('counts every mail in flight at one kill', () => {
    const r = resendsByKill([at('<a>', 1000), at('<b>', 1001), at('<c>', 1002), at('<a>', 5000), at('<b>', 5001), at('<c>', 5002)], [1003]);
    expect(r.perKill).toEqual([3]);
  });
});
