import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cidFontPdf } from '../support/documents/corpus';
import { buildRequestMail } from '../support/sample-mails';

const ROOT = join(__dirname, '../..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** The real `liquibot` command (bin/liquibot), from the source (LIQUIBOT_TSX=1: no bundle built by the test). */
function liquibot(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'bin/liquibot'), args, { env: { ...process.env, LIQUIBOT_TSX: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

describe('the liquibot command', () => {
  // The reader process is closed before the answer is printed: a command that waited for an unreferenced
  // child's exit ended there, exit 0 and nothing printed.
  it('check --json reads the court document in a reader process and prints its answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liquibot-check-'));
    try {
      const file = join(dir, 'request.eml');
      writeFileSync(file, buildRequestMail({ from: 'etude@mandataires.example.fr', attachment: { filename: 'minutes.pdf', content: await cidFontPdf(), contentType: 'application/pdf' } }));
      const { code, out } = await liquibot(['check', file, '--json'], { DOCUMENT_READING: 'true' });
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ verdict: 'conforme', documentSiren: 'found', document: { method: 'text', court: 'Tribunal de commerce de Nanterre' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it.each([['--version'], ['-V']])('%s prints the package version and node\'s, exit 0', async (flag) => {
    const { code, out, err } = await liquibot([flag]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toBe(`liquibot ${version} (node ${process.version})\n`);
  }, 30_000);

  it.each([['ticket', 'tickets'], ['aprove', 'approve']])('an unknown command "%s" suggests "%s", exit 2', async (typed, meant) => {
    const { code, out, err } = await liquibot([typed, 'list']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`liquibot: unknown command "${typed}". Did you mean "${meant}"?\n(liquibot --help lists the commands)\n`);
  }, 30_000);

  it('an unknown command like no other prints the help, exit 2', async () => {
    const { code, err } = await liquibot(['frobnicate']);
    expect(code).toBe(2);
    expect(err).toMatch(/^unknown command "frobnicate"\n\nliquibot — runs/);
  }, 30_000);
});
