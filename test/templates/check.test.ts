import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTemplates, formatIssue } from '../../src/templates/check';
import { TemplateStore } from '../../src/templates/store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A TEMPLATES_DIR holding only the given files (the rest falls back to the shipped templates). */
function templatesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'liquibot-check-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const RESET_OK = '{{ link }} {{ validityHours }}\n';

describe('checkTemplates', () => {
  it('finds nothing wrong in the shipped templates', () => {
    expect(checkTemplates()).toEqual([]);
  });

  it('accepts a store and checks its directories', () => {
    const dir = templatesDir({ 'refusal/text.liquid': '{{ ticketRef }} {{ reason }} {{ nope }}' });
    const issues = checkTemplates(new TemplateStore({ templatesDir: dir }));
    expect(issues.map(formatIssue)).toEqual([`${join(dir, 'refusal/text.liquid')}:1:33 unknown variable "nope" (known: ticketRef, requester, siret, reason, refusedAt)`]);
  });

  it.each([
    ['unknown variable', 'reset-link/text.liquid', `Bonjour,\nLien : {{ lien }}\n${RESET_OK}`, 2, 11, /^unknown variable "lien" \(known: ticketRef, requester, siret, administratorName, link, validityHours, expiresAt\)$/],
    ['unknown variable in an untaken branch', 'reset-link/text.liquid', `${RESET_OK}{% if false %}\n  {{ nope }}{% endif %}`, 3, 6, /^unknown variable "nope"/],
    ['unknown nested field', 'refusal/text.liquid', '{{ ticketRef }} {{ reason }}\n{{ requester.nmae }}', 2, 4, /^unknown variable "requester\.nmae" \("requester\.nmae" does not exist\)$/],
    ['unknown field of a loop item', 'non-conformity/text.liquid', '{{ ticketRef }}\n{% for p in problems %}\n  {{ p.cod }}\n{% endfor %}', 3, 6, /^unknown variable "p\.cod" \(not a field of the items of "problems"\)$/],
    ['unknown field in a nested loop', 'reminder-digest/text.liquid', '{% for r in approvals %}{% for x in r.nope %}{{ x }}{% endfor %}{% endfor %}', 1, 37, /^unknown variable "r\.nope"/],
    ['unknown filter', 'reset-link/text.liquid', `${RESET_OK}\n{{ link | shout }}`, 3, 1, /^undefined filter: shout$/],
    ['raw in HTML', 'reset-link/html.liquid', `${RESET_OK}<p>{{ link | raw }}</p>`, 2, 4, /^undefined filter: raw$/],
    ['include', 'reset-link/text.liquid', `${RESET_OK}  {% include 'x' %}`, 2, 3, /^tag "include" is not allowed in mail templates/],
    ['include of a system file', 'refusal/text.liquid', "{{ ticketRef }} {{ reason }}{% include '/etc/passwd' %}", 1, 29, /^tag "include" is not allowed/],
    ['render', 'reset-link/html.liquid', `${RESET_OK}{% render 'x' %}`, 2, 1, /^tag "render" is not allowed/],
    ['layout', 'acknowledgment/subject.liquid', "{% layout 'x' %}{{ ticketRef }}", 1, 1, /^tag "layout" is not allowed/],
    ['unclosed tag', 'acknowledgment/text.liquid', '{{ ticketRef }}\n{% if requester.name %}\nBonjour', 2, 1, /^tag \{% if requester\.name %\} not closed$/],
    ['bad output', 'acknowledgment/text.liquid', '{{ ticketRef }}\n{{ ticketRef ', 2, 1, /not closed/],
    ['link missing from reset-link text', 'reset-link/text.liquid', 'Votre lien est valable {{ validityHours }} heures.', 1, 1, /^required variable "link" is not used in text\.liquid$/],
    ['validityHours missing from reset-link html', 'reset-link/html.liquid', '<a href="{{ link }}">lien</a>', 1, 1, /^required variable "validityHours" is not used in html\.liquid$/],
    ['ticketRef missing from the acknowledgment subject', 'acknowledgment/subject.liquid', 'Demande reçue', 1, 1, /^required variable "ticketRef" is not used in subject\.liquid$/],
    ['fails only in some states', 'non-conformity/text.liquid', '{{ ticketRef }} {% for p in problems %}{{ p.code }}{% endfor %}\n{{ problems[1].code }}', 2, 4, /^when rendering state "problème SIRET_MISSING seul": undefined variable: problems\.1$/],
    ['fails only without an administrator name', 'reset-link/text.liquid', `${RESET_OK}{% if administratorName %}{% assign who = administratorName %}{% endif %}\n{{ who }}`, 3, 4, /^when rendering state "administrateur inconnu": /],
    ['huge loop', 'reset-link/text.liquid', `${RESET_OK}{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}`, 2, 27, /^when rendering state "exemple": template render limit exceeded$/],
    ['huge range', 'reset-link/text.liquid', `${RESET_OK}{% for i in (1..100000000) %}x{% endfor %}`, 2, 1, /^when rendering state "exemple": memory alloc limit exceeded$/],
    ['empty subject', 'refusal/subject.liquid', '{% if ticketRef == "x" %}{{ ticketRef }}{% endif %}', 1, 1, /^renders empty/],
  ])('%s → file:line:col message', (_label, path, content, line, column, message) => {
    const dir = templatesDir({ [path]: content });
    const started = Date.now();
    const issues = checkTemplates({ templatesDir: dir });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(issues.length).toBeGreaterThan(0);
    const issue = issues[0]!;
    expect(issue.file).toBe(join(dir, path));
    expect({ line: issue.line, column: issue.column }).toEqual({ line, column });
    expect(issue.message).toMatch(message);
    expect(formatIssue(issue)).toBe(`${join(dir, path)}:${line}:${column} ${issue.message}`);
  });

  it('reports every unknown variable of a file, not just the first', () => {
    const dir = templatesDir({ 'refusal/text.liquid': '{{ ticketRef }} {{ reason }}\n{{ a }}\n{{ b.c }}' });
    expect(checkTemplates({ templatesDir: dir }).map((i) => `${i.line}:${i.column}`)).toEqual(['2:4', '3:4']);
  });

  it('reports misnamed folders and files, which would be ignored', () => {
    const dir = templatesDir({ 'reset-lnk/text.liquid': 'x', 'reset-link/txt.liquid': 'x', 'reset-link/notes.md': 'ok' });
    expect(checkTemplates({ templatesDir: dir }).map((i) => i.message)).toEqual([
      expect.stringMatching(/^unknown template file "txt\.liquid" \(ignored\)/),
      expect.stringMatching(/^unknown template folder "reset-lnk" \(ignored\)/),
    ]);
  });

  it('reports a missing subject or text when neither copy has it', () => {
    const shipped = templatesDir({ 'refusal/text.liquid': '{{ ticketRef }} {{ reason }}' });
    const issues = checkTemplates({ templatesDir: null, shippedDir: shipped });
    expect(issues).toContainEqual(expect.objectContaining({ file: join(shipped, 'refusal/subject.liquid'), message: 'missing file subject.liquid' }));
    expect(issues).toContainEqual(expect.objectContaining({ file: join(shipped, 'acknowledgment/text.liquid'), message: 'missing file text.liquid' }));
  });

  it('reports a TEMPLATES_DIR that does not exist', () => {
    expect(checkTemplates({ templatesDir: '/nonexistent/liquibot' })).toEqual([
      expect.objectContaining({ file: '/nonexistent/liquibot', message: 'TEMPLATES_DIR is not a directory' }),
    ]);
  });

  it('a valid edit has no issue', () => {
    const dir = templatesDir({
      'reset-link/text.liquid': "{% if administratorName %}Pour {{ administratorName | upcase }}{% endif %}\nLien : {{ link }} ({{ validityHours }} h)",
      'non-conformity/text.liquid': '{{ ticketRef }}{% for p in problems %}{% case p.code %}{% when "SIRET_MISSING" %}x{% endcase %}{{ p.found | default: "" }}{{ forloop.index }}{% endfor %}',
    });
    expect(checkTemplates({ templatesDir: dir })).toEqual([]);
  });
});
