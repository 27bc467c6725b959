import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
