import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors';
import { CATALOG } from '../../src/templates/catalog';
import { SHIPPED_TEMPLATES_DIR } from '../../src/templates/sources';
import { rejectionMailVars } from '../../src/templates/rejection-mail';
import { TemplateStore, type TemplateRejection } from '../../src/templates/store';
import { checkTemplates } from '../../src/templates/check';

const dirs: string[] = [];
const stores: TemplateStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function templatesDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'liquibot-store-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) write(dir, path, content);
  return dir;
}

function write(dir: string, path: string, content: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  // Write then rename, as editors do, so the watcher never sees a half-written file.
  const tmp = join(dir, `.${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, join(dir, path));
}

function open(options: ConstructorParameters<typeof TemplateStore>[0] = {}): TemplateStore {
  const store = new TemplateStore(options);
  stores.push(store);
  return store;
}

const refusal = (reason = 'Motif de test') => ({ ...CATALOG.refusal.example, reason });

function sha12(parts: Array<[string, string]>): string {
  const hash = createHash('sha256');
  for (const [part, content] of parts) hash.update(`${part}\0${content.length}\0${content}\0`);
  return hash.digest('hex').slice(0, 12);
}

async function until<T>(get: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('loading', () => {
  it('finds the shipped templates from this source file, whatever the cwd', () => {
    expect(isAbsolute(SHIPPED_TEMPLATES_DIR)).toBe(true);
    expect(existsSync(join(SHIPPED_TEMPLATES_DIR, 'reset-link', 'text.liquid'))).toBe(true);
  });

  it('versions a template by the sha256 of its files', () => {
    const read = (p: string) => readFileSync(join(SHIPPED_TEMPLATES_DIR, 'refusal', p), 'utf8');
    const expected = sha12([['subject', read('subject.liquid')], ['text', read('text.liquid')]]);
    expect(open().render('refusal', refusal()).templateVersion).toBe(expected);
    expect(open().versionOf('refusal')).toBe(expected);
  });

  it('falls back file by file to the shipped templates', () => {
    const dir = templatesDir({ 'refusal/subject.liquid': 'Refus {{ ticketRef }}' });
    const store = open({ templatesDir: dir });
    const mail = store.render('refusal', refusal());
    expect(mail.subject).toBe('Refus LJ-261126-0042');
    expect(mail.text).toContain('Motif :\nMotif de test');
    expect(store.originOf('refusal')).toBe('custom');
    expect(store.originOf('acknowledgment')).toBe('shipped');
    expect(mail.templateVersion).not.toBe(open().versionOf('refusal'));
  });

  it('sends text only when the edited html.liquid is empty', () => {
    const dir = templatesDir({ 'reset-link/html.liquid': '' , 'reset-link/text.liquid': '{{ link }} {{ validityHours }}' });
    const store = open({ templatesDir: dir, onRejected: (r) => { throw new Error(JSON.stringify(r.errors)); } });
    expect(store.render('reset-link', CATALOG['reset-link'].example).html).toBeNull();
  });

  it('refuses an invalid edit at start-up, uses the shipped version and reports it', () => {
    const dir = templatesDir({ 'reset-link/text.liquid': 'Votre lien : {{ lien }}' });
    const rejected: TemplateRejection[] = [];
    const store = open({ templatesDir: dir, onRejected: (r) => rejected.push(r) });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ name: 'reset-link', activeVersion: open().versionOf('reset-link') });
    expect(rejected[0]!.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^unknown variable "lien"/),
      'required variable "link" is not used in text.liquid',
      'required variable "validityHours" is not used in text.liquid',
    ]);
    expect(store.render('reset-link', CATALOG['reset-link'].example).text).toContain('Ce lien est valable 8 heures à compter de l\'envoi');
    // Kept for the daemon, which refuses to start on them: the same issues as `liquibot templates check`.
    expect(store.openingRejections).toEqual(rejected);
    expect(store.openingRejections.flatMap((r) => r.errors)).toEqual(checkTemplates({ templatesDir: dir }));
    // Later refusals are not opening ones.
    write(dir, 'acknowledgment/text.liquid', '{% if %}');
    expect(store.reload()).toHaveLength(1);
    expect(store.openingRejections).toHaveLength(1);
  });

  it('refuses a TEMPLATES_DIR that does not exist', () => {
    let error: unknown;
    try {
      open({ templatesDir: join(tmpdir(), 'liquibot-nonexistent-dir') });
    } catch (err) {
      error = err;
    }
    expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
  });

  it('refuses to start with a broken shipped template', () => {
    const shipped = templatesDir();
    cpSync(SHIPPED_TEMPLATES_DIR, shipped, { recursive: true });
    writeFileSync(join(shipped, 'refusal', 'subject.liquid'), '{{ ticketRef');
    let error: unknown;
    try {
      open({ shippedDir: shipped });
    } catch (err) {
      error = err;
    }
    expect(isAppError(error, 'TEMPLATE_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^shipped template refusal is invalid: .*refusal\/subject\.liquid:1:1 /);
  });

  it('shows dates in the configured time zone', () => {
    const store = open({ timeZone: 'America/Cayenne' });
    expect(store.render('already-decided', CATALOG['already-decided'].example).text).toContain('le 26/11/2026 à 12:02');
  });
});

describe('reload', () => {
  it('a valid edit takes effect, an invalid one is refused once and the last good stays', () => {
    const dir = templatesDir();
    const rejected: TemplateRejection[] = [];
    const reloaded: string[] = [];
    const store = open({ templatesDir: dir, onRejected: (r) => rejected.push(r), onReloaded: (e) => reloaded.push(e.version) });

    write(dir, 'refusal/subject.liquid', 'Version 1 {{ ticketRef }}');
    expect(store.reload()).toEqual([]);
    expect(store.render('refusal', refusal()).subject).toBe('Version 1 LJ-261126-0042');
    const good = store.versionOf('refusal');
    expect(reloaded).toEqual([good]);

    write(dir, 'refusal/subject.liquid', 'Version 2 {{ ticketRef | nope }}');
    expect(store.reload()).toHaveLength(1);
    expect(store.reload()).toEqual([]); // same refused content: reported once only
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ name: 'refusal', activeVersion: good });
    expect(store.render('refusal', refusal()).subject).toBe('Version 1 LJ-261126-0042');

    rmSync(join(dir, 'refusal'), { recursive: true });
    store.reload();
    expect(store.originOf('refusal')).toBe('shipped');
  });
});

describe('hot reload (watch)', () => {
  it('picks up a valid edit, refuses an invalid one and keeps the last good', async () => {
    const dir = templatesDir({ 'acknowledgment/subject.liquid': 'Initial {{ ticketRef }}' });
    const rejected: TemplateRejection[] = [];
    const store = open({ templatesDir: dir, debounceMs: 30, onRejected: (r) => rejected.push(r) });
    store.watch();
    const subject = () => store.render('acknowledgment', CATALOG.acknowledgment.example).subject;
    expect(subject()).toBe('Initial LJ-261126-0042');

    write(dir, 'acknowledgment/subject.liquid', 'Modifié {{ ticketRef }}');
    await until(() => (subject() === 'Modifié LJ-261126-0042' ? true : undefined));

    write(dir, 'acknowledgment/subject.liquid', 'Cassé {% include "x" %}{{ ticketRef }}');
    const rejection = await until(() => rejected[0]);
    expect(rejection.name).toBe('acknowledgment');
    expect(rejection.errors[0]!.message).toMatch(/tag "include" is not allowed/);
    expect(subject()).toBe('Modifié LJ-261126-0042');

    // a folder created after watch() started is watched too
    write(dir, 'refusal/subject.liquid', 'Nouveau {{ ticketRef }}');
    await until(() => (store.render('refusal', refusal()).subject === 'Nouveau LJ-261126-0042' ? true : undefined));
    write(dir, 'refusal/subject.liquid', 'Encore {{ ticketRef }}');
    await until(() => (store.render('refusal', refusal()).subject === 'Encore LJ-261126-0042' ? true : undefined));
    expect(rejected).toHaveLength(1);
  });

  it('stops after close()', async () => {
    const dir = templatesDir({ 'refusal/subject.liquid': 'A {{ ticketRef }}' });
    const store = open({ templatesDir: dir, debounceMs: 10 });
    store.watch();
    store.close();
    write(dir, 'refusal/subject.liquid', 'B {{ ticketRef }}');
    await new Promise((r) => setTimeout(r, 200));
    expect(store.render('refusal', refusal()).subject).toBe('A LJ-261126-0042');
  });
});

describe('rejectionMailVars', () => {
  it('turns a refusal into the admin-template-error mail', () => {
    const dir = templatesDir({ 'refusal/subject.liquid': '{{ a }}{{ b }}{{ c }}' });
    const rejected: TemplateRejection[] = [];
    const store = open({ templatesDir: dir, onRejected: (r) => rejected.push(r) });
    const mail = store.render('admin-template-error', rejectionMailVars(rejected[0]!, new Date('2026-11-26T13:48:00Z')));
    expect(mail.subject).toBe('Modèle de message refusé : refusal');
    expect(mail.text).toContain(`${join(dir, 'refusal/subject.liquid')}:1:4 unknown variable "a"`);
    expect(mail.text).toContain(`la dernière version valide (${store.versionOf('refusal')}) reste en service`);
  });

  it('bounds the number of errors in the mail', () => {
    const errors = Array.from({ length: 40 }, (_, i) => ({ template: null, part: null, file: 'f', line: i + 1, column: 1, message: 'm' }));
    const vars = rejectionMailVars({ name: 'refusal', version: 'v', activeVersion: 'w', errors }, new Date());
    expect(vars.errors).toHaveLength(31);
    expect(vars.errors[30]!.message).toBe('10 more: run "liquibot templates check"');
  });
});
