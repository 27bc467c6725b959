import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/check-command';

const FIXTURES = join(__dirname, '../fixtures/eml');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, unknown>;

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await checkCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('liquibot check', () => {
  it.each(Object.keys(expected))('--json on %s prints exactly the expected object', async (file) => {
    const { code, out } = await run([join(FIXTURES, file), '--json']);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toEqual(expected[file]);
  });

  it('explains a non-conforming mail in plain words', async () => {
    const { out } = await run([join(FIXTURES, 'all-problems-missing.eml')]);
    expect(out.join('\n')).toMatch(/verdict: non_conforme[\s\S]*problem SIRET_MISSING[\s\S]*problem ATTACHMENT_MISSING: no attachment/);
  });

  it('says why a mail is not handled', async () => {
    const { out } = await run([join(FIXTURES, 'auto-reply-auto-submitted.eml')]);
    expect(out[0]).toMatch(/^not handled: auto-reply/);
  });

  it.each([
    [[], /exactly one \.eml file/],
    [['a.eml', 'b.eml'], /exactly one \.eml file/],
    [['/nonexistent/x.eml'], /cannot read \/nonexistent\/x\.eml: ENOENT/],
    [['x.eml', '--jsn'], /Unknown option '--jsn'/],
  ])('refuses %j with a clear usage error', async (args, message) => {
    await expect(run(args)).rejects.toThrow(message);
  });
});
