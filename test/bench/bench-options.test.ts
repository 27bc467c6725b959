import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseBenchArgs, QUICK, UsageError } from '../../bench/bench-options';

describe('parseBenchArgs', () => {
  it('defaults to the issue sizes and every scenario', () => {
    const o = parseBenchArgs([]);
    expect(o).toMatchObject({ n: 1000, latencyN: 30, backlogN: 10_000, pdfKb: 150, backlogPdfKb: 5, bigMb: 40, scanPages: 20, quick: false });
    expect(o.only).toEqual(['drain', 'latency', 'memory-big', 'memory-backlog', 'memory-scan']);
  });

  it.each([
    [['--n', '100'], { n: 100 }],
    [['--n=250'], { n: 250 }],
    [['--latency-n', '7', '--backlog-n', '300'], { latencyN: 7, backlogN: 300 }],
    [['--quick'], { ...QUICK, quick: true }],
    // an explicit size wins over --quick, wherever it stands
    [['--n', '40', '--quick'], { n: 40, latencyN: QUICK.latencyN, quick: true }],
    [['--quick', '--backlog-n', '2000'], { n: QUICK.n, backlogN: 2000 }],
    [['--pdf-kb', '20', '--big-mb', '5'], { pdfKb: 20, bigMb: 5 }],
    [['--scan-pages', '3'], { scanPages: 3 }],
    [['--cpu-prof', '/tmp/p', '--spans'], { cpuProfDir: '/tmp/p', spans: true }],
    [['--explain', '2'], { explainMs: 2, spans: false }],
    [[], { explainMs: null }],
  ])('%j', (argv, want) => {
    expect(parseBenchArgs(argv)).toMatchObject(want);
  });

  it.each([
    ['memory', ['memory-big', 'memory-backlog', 'memory-scan']],
    ['latency,drain', ['drain', 'latency']],
    ['memory-backlog, latency', ['latency', 'memory-backlog']],
    ['drain,drain', ['drain']],
  ])('--only %s keeps the canonical order', (list, want) => {
    expect(parseBenchArgs(['--only', list]).only).toEqual(want);
  });

  it.each([
    [['--n', '0']],
    [['--n', '1.5']],
    [['--n']],
    [['--only', 'speed']],
    [['--only']],
    [['--cpu-prof']],
    [['--explain']],
    [['--explain', '0']],
    [['--fast']],
  ])('%j is a usage error', (argv) => {
    expect(() => parseBenchArgs(argv)).toThrow(UsageError);
  });

  it('does not change the defaults object', () => {
    parseBenchArgs(['--quick', '--n', '3']);
    expect(DEFAULTS.n).toBe(1000);
  });
});

describe('--daemon-node-options', () => {
  it('takes the value as one string', () => {
    expect(parseBenchArgs(['--daemon-node-options', '--max-old-space-size=96 --expose-gc']).daemonNodeOptions).toBe('--max-old-space-size=96 --expose-gc');
  });
  it('is null by default', () => {
    expect(parseBenchArgs([]).daemonNodeOptions).toBeNull();
  });
});
