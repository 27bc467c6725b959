import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { templatesCommand } from '../../src/cli/templates-command';
import { PreviewCache } from '../../src/console/template-preview-cache';
import { CATALOG } from '../../src/templates/catalog';
import { checkTemplates } from '../../src/templates/check';
import { checkDraft } from '../../src/templates/draft';
import { createTemplateEngines } from '../../src/templates/engine';
import { originLabel, partToStore, pickPart, type DatabaseTemplate } from '../../src/templates/precedence';
import { readTemplateSources, SHIPPED_TEMPLATES_DIR } from '../../src/templates/sources';
import { TemplateStore, type TemplateRejection } from '../../src/templates/store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A TEMPLATES_DIR holding only reset-link/subject.liquid. */
function templatesDirWithSubject(subject: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'liquibot-precedence-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'reset-link'));
  writeFileSync(join(dir, 'reset-link', 'subject.liquid'), subject);
  return dir;
}

const shippedText = readTemplateSources('reset-link', { templatesDir: null, shippedDir: SHIPPED_TEMPLATES_DIR }).parts.text!.content;
const version = (n: number, parts: Partial<DatabaseTemplate['parts']>): DatabaseTemplate => ({
  name: 'reset-link', version: n, id: 100 + n, parts: { subject: null, text: null, html: null, ...parts },
});

describe('precedence: database, then TEMPLATES_DIR, then the shipped files, part by part', () => {
  it.each([
    { database: 'db', templatesDir: 'dir', shipped: 'shipped', expected: { content: 'db', origin: 'database' } },
    { database: null, templatesDir: 'dir', shipped: 'shipped', expected: { content: 'dir', origin: 'custom' } },
    { database: null, templatesDir: null, shipped: 'shipped', expected: { content: 'shipped', origin: 'shipped' } },
    // An empty database part is a value (an empty html: text only), not a fallback.
    { database: '', templatesDir: 'dir', shipped: 'shipped', expected: { content: '', origin: 'database' } },
    { database: null, templatesDir: null, shipped: null, expected: null },
  ])('pickPart %#', ({ expected, ...candidates }) => {
    expect(pickPart(candidates)).toEqual(expected);
  });

  it('reads each part from where it wins, and names database parts like files', () => {
    const dir = templatesDirWithSubject('[{{ ticketRef }}] Objet de TEMPLATES_DIR\n');
    const sources = readTemplateSources('reset-link', { templatesDir: dir, shippedDir: SHIPPED_TEMPLATES_DIR }, version(3, { text: 'Texte de la console {{ link }} {{ validityHours }}\n' }));
    expect(sources.parts.subject).toMatchObject({ origin: 'custom', content: '[{{ ticketRef }}] Objet de TEMPLATES_DIR\n' });
    expect(sources.parts.text).toMatchObject({ origin: 'database', file: 'database:reset-link@v3/text.liquid' });
    expect(sources.parts.html?.origin).toBe('shipped');
  });

  it('a part equal to what the files give is stored as null (it follows the files)', () => {
    expect(partToStore('a', 'a')).toBeNull();
    expect(partToStore('b', 'a')).toBe('b');
    expect(partToStore('', null)).toBeNull();
    expect(partToStore('', 'a')).toBe('');
    expect(originLabel('database', 4)).toBe('console v4');
    expect(originLabel('custom', null)).toBe('TEMPLATES_DIR');
    expect(originLabel('shipped', null)).toBe('livré');
  });

  it('a draft stores only the parts that differ from the files (the subject’s final line break is not a change)', () => {
    const files = readTemplateSources('reset-link', { templatesDir: null, shippedDir: SHIPPED_TEMPLATES_DIR }).parts;
    const r = checkDraft(createTemplateEngines(), 'reset-link', {
      subject: files.subject!.content.replace(/\n+$/, ''), text: `${shippedText}\nMerci.\n`.replace(/\n/g, '\r\n'), html: files.html!.content,
    }, { templatesDir: null, shippedDir: SHIPPED_TEMPLATES_DIR });
    expect(r.toStore).toEqual({ subject: null, text: `${shippedText}\nMerci.\n`, html: null });
  });
});

describe('the store with database versions', () => {
  const renderReset = (store: TemplateStore) => store.render('reset-link', CATALOG['reset-link'].example).text;

  it('uses a database version at once, says where each part comes from, and goes back to the files without one', () => {
    const store = new TemplateStore();
    expect(store.sourcesInUse('reset-link')).toEqual({ parts: { subject: 'shipped', text: 'shipped', html: 'shipped' }, databaseVersion: null });
    store.setDatabaseTemplates([version(2, { text: 'Nouveau texte : {{ link }} ({{ validityHours }} h)\n' })]);
    expect(renderReset(store)).toContain('Nouveau texte : https://portail.net-entreprises.fr/');
    expect(store.sourcesInUse('reset-link')).toEqual({ parts: { subject: 'shipped', text: 'database', html: 'shipped' }, databaseVersion: 2 });
    expect(store.originOf('reset-link')).toBe('custom');
    store.setDatabaseTemplates([]);
    expect(renderReset(store)).toContain('Madame, Monsieur');
    expect(store.sourcesInUse('reset-link').databaseVersion).toBeNull();
  });

  it('a bad database version never breaks sending: refused once, the last good version stays', () => {
    const rejections: TemplateRejection[] = [];
    const store = new TemplateStore({ onRejected: (r) => rejections.push(r) });
    store.setDatabaseTemplates([version(2, { text: 'Bon : {{ link }} {{ validityHours }}\n' })]);
    const good = store.versionOf('reset-link');
    store.setDatabaseTemplates([version(3, { text: 'Mauvais : {{ link }} {% if x %}\n' })]);
    store.setDatabaseTemplates([version(3, { text: 'Mauvais : {{ link }} {% if x %}\n' })]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]!.errors[0]).toMatchObject({ file: 'database:reset-link@v3/text.liquid', line: 1 });
    expect(store.versionOf('reset-link')).toBe(good);
    expect(renderReset(store)).toContain('Bon : ');
  });

  it('templates check checks the database versions over the files', () => {
    expect(checkTemplates({ databaseTemplates: [version(5, { html: '<p>{{ link }}</p>' })] })).toEqual([
      expect.objectContaining({ file: 'database:reset-link@v5/html.liquid', message: 'required variable "validityHours" is not used in html.liquid' }),
    ]);
    expect(checkTemplates({ databaseTemplates: [version(5, { html: '<p>{{ link }} {{ validityHours }}</p>' })] })).toEqual([]);
  });
});

describe('liquibot templates check with the database versions', () => {
  const run = async (versions: DatabaseTemplate[], args: string[] = ['check']) => {
    const out: string[] = [];
    const code = await templatesCommand(args, { out: (l) => out.push(l), loadDatabaseTemplates: async () => versions });
    return { code, out };
  };

  it('says which console versions it checked, and reports a bad one like a file', async () => {
    expect(await run([version(2, { text: 'Lien : {{ link }} ({{ validityHours }} h)\n' })])).toEqual({
      code: 0, out: ['OK: 17 templates checked (console versions reset-link@v2 over shipped templates)'],
    });
    const bad = await run([version(3, { text: 'Lien : {{ link }} {{ validityHours | nope }}\n' })]);
    expect(bad.code).toBe(1);
    expect(bad.out[0]).toBe('database:reset-link@v3/text.liquid:1:19 undefined filter: nope');
  });

  it('preview shows the mail as the daemon sends it: the console version over the files', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'liquibot-preview-'));
    dirs.push(outDir);
    const out: string[] = [];
    const code = await templatesCommand(['preview', 'reset-link', '--out', outDir], {
      out: (l) => out.push(l), loadDatabaseTemplates: async () => [version(2, { text: 'Texte de la console : {{ link }} ({{ validityHours }} h)\n' })],
    });
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('Texte de la console : https://portail.net-entreprises.fr/');
  });

  it('--dir checks the working copy alone (the database is not read)', async () => {
    let read = false;
    const out: string[] = [];
    const code = await templatesCommand(['check', '--dir', SHIPPED_TEMPLATES_DIR], {
      out: (l) => out.push(l), loadDatabaseTemplates: async () => { read = true; return []; },
    });
    expect(code).toBe(0);
    expect(read).toBe(false);
  });
});

describe('the preview cache of the editor', () => {
  it('gives a preview back to its author only, until it expires', () => {
    let t = 0;
    const cache = new PreviewCache({ ttlMs: 1000, maxEntries: 2, now: () => t });
    const key = cache.put(1, '<p>a</p>');
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(cache.get(1, key)).toBe('<p>a</p>');
    expect(cache.get(2, key)).toBeNull();
    t = 1001;
    expect(cache.get(1, key)).toBeNull();
    const k1 = cache.put(1, 'x');
    cache.put(1, 'y');
    cache.put(1, 'z');
    expect(cache.get(1, k1)).toBeNull();
  });
});
