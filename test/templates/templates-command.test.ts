import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { templatesCommand, type TemplatesCommandOptions } from '../../src/cli/templates-command';
import { CATALOG, TEMPLATE_NAMES } from '../../src/templates/catalog';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'liquibot-cli-'));
  dirs.push(dir);
  return dir;
}

async function run(args: string[], opts: Partial<TemplatesCommandOptions> = {}): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await templatesCommand(args, { out: (l) => lines.push(l), ...opts });
  return { code, out: lines.join('\n') };
}

describe('templates --help', () => {
  it.each([
    [['--help'], /^Usage: liquibot templates SUBCOMMAND/],
    [['check', '--help'], /^Usage: liquibot templates check/],
    [['vars', '--help'], /^Usage: liquibot templates vars/],
    [['preview', '--help'], /^Usage: liquibot templates preview NAME/],
  ])('%j', async (args, usage) => {
    const { code, out } = await run(args);
    expect(code).toBe(0);
    expect(out).toMatch(usage);
  });

  it.each([[[]], [['frobnicate']], [['check', '--bogus']], [['vars', 'nope']], [['preview']], [['preview', 'nope']]])(
    '%j is a usage error',
    async (args) => {
      expect((await run(args)).code).toBe(2);
    },
  );
});

describe('templates check', () => {
  it('prints one OK line when all is well', async () => {
    expect(await run(['check'])).toEqual({ code: 0, out: `OK: ${TEMPLATE_NAMES.length} templates checked (shipped templates)` });
  });

  it.each([
    ['TEMPLATES_DIR', (dir: string) => ({ args: ['check'], opts: { templatesDir: dir } })],
    ['--dir', (dir: string) => ({ args: ['check', '--dir', dir], opts: {} })],
  ])('prints file:line:col message for each issue and exits 1 (%s)', async (_label, how) => {
    const dir = tempDir();
    mkdirSync(join(dir, 'reset-link'));
    writeFileSync(join(dir, 'reset-link', 'text.liquid'), 'Lien : {{ lien }}\n{{ validityHours | frobnicate }}');
    const { args, opts } = how(dir);
    const { code, out } = await run(args, { ...opts, cwd: dir });
    expect(code).toBe(1);
    expect(out.split('\n')).toEqual(['reset-link/text.liquid:2:1 undefined filter: frobnicate', '1 issue found']);
  });
});

describe('templates vars', () => {
  it('lists every variable of every mail', async () => {
    const { code, out } = await run(['vars']);
    expect(code).toBe(0);
    for (const name of TEMPLATE_NAMES) expect(out).toContain(`${name} — ${CATALOG[name].description}`);
    expect(out).toContain('  problems[].code : code (SIRET_MISSING | SIRET_INVALID');
  });

  it('lists the variables of one mail, with examples', async () => {
    const { out } = await run(['vars', 'reset-link']);
    expect(out.split('\n')[0]).toBe(`reset-link — ${CATALOG['reset-link'].description}`);
    expect(out).toContain('  validityHours : nombre — Durée de validité du lien, en heures  (exemple : 8)');
    expect(out).toContain('  administratorName : texte reçu, sur une ligne (≤ 120 car.) ou null');
    expect(out).toContain('  link : texte produit par liquibot — ');
    expect(out).toContain('variables obligatoires : text.liquid : link, validityHours ; html.liquid : link, validityHours');
    expect(out).not.toContain('acknowledgment —');
  });
});

describe('templates preview', () => {
  it.each([
    ['reset-link', true, '[LJ-261126-0042] Vos coordonnées dans net-entreprises'],
    ['acknowledgment', false, '[LJ-261126-0042] Demande reçue'],
  ] as const)('%s: prints the text, writes the .eml and the .html', async (name, multipart, subject) => {
    const dir = tempDir();
    const { code, out } = await run(['preview', name, '--out', 'apercu'], { cwd: dir });
    expect(code).toBe(0);
    expect(out).toContain(`Subject: ${subject}`);
    expect(out).toContain(`Written: apercu/${name}.eml, apercu/${name}.html`);
    const eml = readFileSync(join(dir, 'apercu', `${name}.eml`), 'utf8');
    expect(eml).toMatch(/^MIME-Version: 1\.0$/m);
    if (multipart) {
      expect(eml).toMatch(/^Content-Type: multipart\/alternative;/m);
      expect(eml).toMatch(/^Content-Type: text\/html; charset=utf-8$/m);
    } else {
      expect(eml).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
      expect(eml).not.toContain('multipart');
    }
    expect(readFileSync(join(dir, 'apercu', `${name}.html`), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('defaults to ./preview', async () => {
    const dir = tempDir();
    expect((await run(['preview', 'refusal'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'preview', 'refusal.eml'), 'utf8')).toContain('Subject:');
  });

  it('uses a ticket\u2019s variables through loadTicketVars', async () => {
    const dir = tempDir();
    const asked: string[] = [];
    const { code, out } = await run(['preview', 'refusal', '--ticket', 'LJ-261126-0099'], {
      cwd: dir,
      loadTicketVars: async (ref, name) => {
        asked.push(`${ref} ${name}`);
        return { ...CATALOG.refusal.example, ticketRef: ref, reason: 'Motif réel' };
      },
    });
    expect(code).toBe(0);
    expect(asked).toEqual(['LJ-261126-0099 refusal']);
    expect(out).toContain('Subject: [LJ-261126-0099] Demande refusée');
    expect(out).toContain('Motif réel');
  });

  it('--ticket without a ticket source is a usage error', async () => {
    expect((await run(['preview', 'refusal', '--ticket', 'LJ-1'], { cwd: tempDir() })).code).toBe(2);
  });

  it('warns when the edited template is refused and shows the version in use', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'edits', 'refusal'), { recursive: true });
    writeFileSync(join(dir, 'edits', 'refusal', 'subject.liquid'), '{{ nope }}');
    const { code, out } = await run(['preview', 'refusal'], { cwd: dir, templatesDir: 'edits' });
    expect(code).toBe(0);
    expect(out).toContain('warning: the edited refusal template is refused');
    expect(out).toContain('edits/refusal/subject.liquid:1:4 unknown variable "nope"');
    expect(out).toContain('Subject: [LJ-261126-0042] Demande refusée');
  });
});
