import { describe, expect, it } from 'vitest';
import { categoryOf, summariseProfile, type CpuProfile } from '../../bench/profile-summary';

describe('categoryOf', () => {
  it.each([
    [{ functionName: '(idle)', url: '', lineNumber: -1 }, '(idle)'],
    [{ functionName: '(garbage collector)', url: '', lineNumber: -1 }, '(gc)'],
    [{ functionName: 'writeBuffer', url: '', lineNumber: -1 }, '(native)'],
    [{ functionName: 'emit', url: 'node:events', lineNumber: 1 }, 'node internals'],
    [{ functionName: 'x', url: 'file:///w/node_modules/@zone-eu/mailsplit/lib/a.js', lineNumber: 1 }, '@zone-eu/mailsplit'],
    [{ functionName: 'x', url: 'file:///w/node_modules/tsx/node_modules/esbuild/lib/main.js', lineNumber: 1 }, 'tsx'],
    [{ functionName: 'parseMail', url: 'file:///w/src/mail/parse-mail.ts', lineNumber: 1 }, 'src/mail'],
    [{ functionName: 'main', url: 'file:///w/src/cli.ts', lineNumber: 1 }, 'src'],
    [{ functionName: 'isValidSiret', url: 'file:///w/parsers/siret.ts', lineNumber: 1 }, 'parsers'],
  ])('%j → %s', (frame, want) => {
    expect(categoryOf(frame)).toBe(want);
  });
});

describe('summariseProfile', () => {
  // root → handle (src/tickets) → parse (mailparser); root → (idle)
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4] },
      { id: 2, callFrame: { functionName: 'handle', url: 'file:///w/src/tickets/h.ts', lineNumber: 0 }, children: [3] },
      { id: 3, callFrame: { functionName: 'parse', url: 'file:///w/node_modules/mailparser/lib/p.js', lineNumber: 9 } },
      { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    ],
    samples: [3, 3, 2, 4],
    timeDeltas: [1000, 1000, 1000, 7000],
    startTime: 0,
    endTime: 10_000,
  };

  it('splits self time by package and gives our functions their inclusive time', () => {
    const s = summariseProfile(profile);
    expect(s.totalMs).toBe(10);
    expect(Object.fromEntries(s.selfByCategory)).toEqual({ '(idle)': 7, mailparser: 2, 'src/tickets': 1 });
    expect(s.inclusiveOurs).toEqual([['handle src/tickets/h.ts:1', 3]]);
    expect(Object.fromEntries(s.inclusiveByCategory)).toMatchObject({ 'src/tickets': 3, mailparser: 2 });
  });
});
