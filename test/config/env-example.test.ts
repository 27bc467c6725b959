import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_REQUIRED, loadConfig } from '../../src/config';

/** .env.example as a shell would read it with `set -a; . ./.env; set +a`. */
function readEnvExample(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(__dirname, '../../.env.example'), 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const value = m[2]!;
    // Unquoted values must not contain spaces: the shell would run the rest as a command.
    if (!value.startsWith('"')) expect(value, `${m[1]} needs quotes`).not.toMatch(/\s/);
    env[m[1]!] = value.startsWith('"') ? value.slice(1, -1) : value;
  }
  return env;
}

describe('.env.example', () => {
  it('is a valid configuration for the daemon as shipped', () => {
    const config = loadConfig(readEnvExample(), DAEMON_REQUIRED);
    expect(config.IMAP_URL).toMatch(/^imap:/);
    expect(config.RESYNC_CRON).toBe('* * * * *');
  });

  it('documents every variable the configuration reads', () => {
    const documented = new Set(Object.keys(readEnvExample()));
    const source = readFileSync(join(__dirname, '../../src/config.ts'), 'utf8');
    const declared = [...source.matchAll(/^\s{2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);
    expect(declared.length).toBeGreaterThan(30);
    expect(declared.filter((name) => !documented.has(name))).toEqual([]);
  });
});
