import { describe, expect, it } from 'vitest';
import { parseBenchArgs, UsageError } from '../../bench/bench-options';

describe('issue 15 options: floor and scale', () => {
  it('run only when asked, with or without --quick', () => {
    expect(parseBenchArgs([]).only).not.toContain('floor');
    expect(parseBenchArgs(['--quick']).only).not.toContain('scale');
    expect(parseBenchArgs(['--only', 'scale,floor']).only).toEqual(['floor', 'scale']);
  });

  it('default to 1000 requests, 3 pairs, 1/2/3 instances then 2 mailboxes; --quick makes them small', () => {
    expect(parseBenchArgs(['--only', 'floor'])).toMatchObject({ floorN: 1000, pairs: 3, scaleN: 1000, scaleInstances: [1, 2, 3], scaleRounds: 1, scaleMailboxes: 2 });
    expect(parseBenchArgs(['--quick', '--only', 'floor,scale'])).toMatchObject({ floorN: 100, pairs: 2, scaleN: 100 });
  });

  it.each([
    [['--pairs', '5'], { pairs: 5 }],
    [['--floor-n=300', '--scale-n', '200'], { floorN: 300, scaleN: 200 }],
    [['--scale-instances', '1, 2,4', '--scale-rounds', '2'], { scaleInstances: [1, 2, 4], scaleRounds: 2 }],
    [['--quick', '--pairs', '4'], { pairs: 4, floorN: 100 }],
    [['--scale-mailboxes', '3'], { scaleMailboxes: 3 }],
    [['--scale-mailboxes=1'], { scaleMailboxes: 1 }],
  ])('%j', (argv, want) => {
    expect(parseBenchArgs(argv)).toMatchObject(want);
  });

  it.each([
    [['--scale-instances', '1,0']],
    [['--scale-instances', '']],
    [['--pairs', '0']],
    [['--floor-n', 'x']],
    [['--scale-mailboxes', '0']],
  ])('%j is a usage error', (argv) => {
    expect(() => parseBenchArgs(argv)).toThrow(UsageError);
  });
});
