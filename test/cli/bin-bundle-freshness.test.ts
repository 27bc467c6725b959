import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

/**
 * bin/liquibot in a project of its own, with a `node` on PATH that only records how it was called:
 * whether the command rebuilt the bundle before running it.
 */
function project() {
  const dir = mkdtempSync(join(tmpdir(), 'liquibot-bin-'));
  const files = ['src/cli.ts', 'parsers/x.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs', 'patches/p.patch',
    'node_modules/.package-lock.json', 'dist/cli.mjs'];
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin/liquibot'), join(dir, 'bin/liquibot'));
  chmodSync(join(dir, 'bin/liquibot'), 0o755);
  const fakeBin = join(dir, 'fake-bin');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'node'), `#!/bin/sh\necho "MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-unset} $*" >> "${join(dir, 'node-calls')}"\n`);
  chmodSync(join(fakeBin, 'node'), 0o755);
  // As `npm ci` leaves them: sources, then the postinstall build (dist/), then npm's hidden lockfile.
  const at = (f: string, s: number) => utimesSync(join(dir, f), s, s);
  for (const f of files) at(f, 1_000_000);
  for (const d of ['src', 'parsers', 'patches', 'scripts', 'node_modules']) at(d, 1_000_000);
  at('dist/cli.mjs', 2_000_000);
  at('node_modules/.package-lock.json', 3_000_000);
  const run = (env: Record<string, string> = {}): string[] => {
    rmSync(join(dir, 'node-calls'), { force: true });
    const base = { ...process.env };
    delete base.MALLOC_ARENA_MAX;
    execFileSync(join(dir, 'bin/liquibot'), ['help'], { env: { ...base, PATH: `${fakeBin}:${process.env.PATH}`, NODE_OPTIONS: '', ...env } });
    return readFileSync(join(dir, 'node-calls'), 'utf8').trim().split('\n');
  };
  return { dir, at, run };
}

describe('bin/liquibot and its bundle', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const made = () => {
    const p = project();
    dirs.push(p.dir);
    return p;
  };
  const built = (calls: string[]) => calls.some((c) => c.includes('scripts/build.mjs'));

  it('runs the bundle an install built, although npm wrote its hidden lockfile after', () => {
    const p = made();
    const calls = p.run();
    expect(built(calls)).toBe(false);
    expect(calls.at(-1)).toMatch(/--enable-source-maps .*dist\/cli\.mjs help$/);
  });

  it('runs node with two malloc arenas, unless the environment says otherwise', () => {
    const p = made();
    expect(p.run().at(-1)).toMatch(/^MALLOC_ARENA_MAX=2 .*dist\/cli\.mjs help$/);
    expect(p.run({ MALLOC_ARENA_MAX: '8' }).at(-1)).toMatch(/^MALLOC_ARENA_MAX=8 .*dist\/cli\.mjs help$/);
  });

  it('sizes V8 helper threads to the machine and leaves each node flag to NODE_OPTIONS when set there', () => {
    const p = made();
    const flags = (call: string) => call.split(' ').filter((w) => w.startsWith('--'));
    expect(flags(p.run().at(-1)!)).toEqual(['--enable-source-maps', '--max-semi-space-size=4', '--max-old-space-size=1024', '--v8-pool-size=0']);
    // node reads NODE_OPTIONS itself: the command line must not carry a second value that would win over it.
    expect(flags(p.run({ NODE_OPTIONS: '--v8-pool-size=4' }).at(-1)!)).toEqual(['--enable-source-maps', '--max-semi-space-size=4', '--max-old-space-size=1024']);
    expect(flags(p.run({ NODE_OPTIONS: '--max_semi_space_size=16' }).at(-1)!)).toEqual(['--enable-source-maps', '--max-old-space-size=1024', '--v8-pool-size=0']);
  });

  it.each(['src/cli.ts', 'parsers/x.ts', 'package-lock.json', 'patches/p.patch', 'scripts/build.mjs'])('rebuilds first when %s is newer', (file) => {
    const p = made();
    p.at(file, 2_500_000);
    const calls = p.run();
    expect(built(calls)).toBe(true);
    expect(calls.at(-1)).toMatch(/dist\/cli\.mjs help$/);
  });
});
