import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prebuiltBundle } from '../src/node-bundle';

describe('prebuiltBundle', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dist = () => {
    const d = mkdtempSync(join(tmpdir(), 'liquibot-dist-'));
    dirs.push(d);
    return d;
  };

  it('uses the bundle built beside the daemon bundle', () => {
    const d = dist();
    writeFileSync(join(d, 'smtp-thread.mjs'), '');
    expect(prebuiltBundle('smtp-thread', join(d, 'cli.mjs'))).toBe(join(d, 'smtp-thread.mjs'));
  });

  it('builds at run time when that bundle is missing', () => {
    expect(prebuiltBundle('smtp-thread', join(dist(), 'cli.mjs'))).toBeNull();
  });

  it('never uses a bundle when running from source, which may be newer than dist/', () => {
    const d = dist();
    writeFileSync(join(d, 'smtp-thread.mjs'), '');
    expect(prebuiltBundle('smtp-thread', join(d, 'node-bundle.ts'))).toBeNull();
  });
});

describe('the bundles scripts/build.mjs makes beside the daemon', () => {
  const ROOT = join(__dirname, '..');
  const sourcesUnder = (dir: string): string[] => readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourcesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);

  it('are the ones the daemon asks for, under the same names (or it would build them at run time again)', () => {
    const built = /const SIDE_BUNDLES = \{([^}]*)\}/.exec(readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8'))![1]!;
    const inBuild = [...built.matchAll(/'?([\w-]+)'?: '([^']+)'/g)].map(([, name, entry]) => `${name} ${entry}`).sort();
    const asked = sourcesUnder('src').flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/buildNodeBundle\('([^']+)', '([^']+)'\)/g)])
      .map(([, entry, name]) => `${name} ${entry}`).sort();
    expect(asked.length).toBeGreaterThan(0);
    expect(inBuild).toEqual(asked);
  });
});
