import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toOneLine, toSafeParagraph } from '../../parsers/one-line';
import { isAppError } from '../../src/errors';
import { CATALOG, TEMPLATE_NAMES, TEMPLATE_SCHEMAS, type TemplateName } from '../../src/templates/catalog';
import { checkTemplates } from '../../src/templates/check';
import { findUndeclaredText, mailAddress, mailLine, mailParagraph, trusted, type TextKind } from '../../src/templates/mail-data';
import { describeFields } from '../../src/templates/schema-fields';
import { TemplateStore, type RenderedMail } from '../../src/templates/store';

// Issue 10: data from a mail is shown as data, in every mail, by construction (the schemas).

const store = new TemplateStore();

/** Every variable of a mail whose value is received from outside, with how it is shown. */
function mailDataOf(name: TemplateName): { path: string; kind: Exclude<TextKind, 'trusted'>; maxChars: number }[] {
  return describeFields(CATALOG[name].schema, undefined).flatMap((f) =>
    f.text && f.text.kind !== 'trusted' ? [{ path: f.path, kind: f.text.kind, maxChars: f.text.maxChars! }] : [],
  );
}

/** The example with `value` at `path` (`a.b`, `list[].field`, `list[]`: every item of the list). */
function withValue(vars: unknown, path: string, value: string): unknown {
  const set = (obj: unknown, segments: string[]): unknown => {
    if (segments.length === 0) return value;
    const [seg, ...rest] = segments as [string, ...string[]];
    const record = { ...(obj as Record<string, unknown>) };
    if (seg.endsWith('[]')) {
      const key = seg.slice(0, -2);
      record[key] = ((record[key] as unknown[] | undefined) ?? []).map((item) => set(item, rest));
    } else {
      record[seg] = set(record[seg], rest);
    }
    return record;
  };
  return set(vars, path.split('.'));
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
const replaceAll = (s: string, from: string, to: string) => s.split(from).join(to);
const linesOf = (s: string) => s.split('\n');

describe('every text variable is mail data or declared trusted', () => {
  it.each(TEMPLATE_NAMES)('%s', (name) => {
    expect(findUndeclaredText(TEMPLATE_SCHEMAS[name])).toEqual([]);
  });

  it('the variables treated as mail data, and the short allow-list of values liquibot makes', () => {
    const byKind = new Map<string, Set<string>>();
    for (const name of TEMPLATE_NAMES) {
      for (const f of describeFields(CATALOG[name].schema, undefined)) {
        if (!f.text) continue;
        const set = byKind.get(f.text.kind) ?? new Set<string>();
        set.add(f.path);
        byKind.set(f.text.kind, set);
      }
    }
    expect([...(byKind.get('trusted') ?? [])].sort()).toEqual([
      'activeVersion', 'approvalToken', 'approvals[].approveMailto', 'approvals[].behind', 'approvals[].refuseMailto', 'approvals[].siret',
      'approvals[].ticketRef', 'approveMailto', 'checks[].label', 'link', 'lockedLinks[].ticketRef', 'mailName', 'needsPerson[].status',
      'needsPerson[].ticketRef', 'refuseMailto', 'siret', 'status', 'templateName', 'ticketRef',
    ]);
    expect([...(byKind.get('mail-address') ?? [])].sort()).toEqual([
      'agent.email', 'approvals[].requesterEmail', 'approvedBy.email', 'decidedBy.email', 'escalationAddress', 'liquidatorEmail',
      'lockedLinks[].liquidatorEmail', 'message.from.email', 'recipient', 'refusedBy.email', 'requester.email', 'sentTo',
    ]);
    expect([...(byKind.get('mail-line') ?? [])].sort()).toEqual([
      'administratorName', 'agent.name', 'approvedBy.name', 'checks[].detail', 'companyName', 'decidedBy.name', 'documentReadings[]', 'errors[].file', 'errors[].message',
      'message.from.name', 'message.subject', 'problems[].found', 'read[]', 'refusedBy.name', 'requester.name', 'response', 'subject', 'warnings[]',
    ]);
    expect([...(byKind.get('mail-paragraph') ?? [])].sort()).toEqual(['message.text', 'reason']);
  });
});

describe('findUndeclaredText', () => {
  it.each([
    ['a plain string', z.object({ note: z.string() }), ['note']],
    ['a nullable string with a default', z.object({ note: z.string().nullable().default(null) }), ['note']],
    ['a list of strings', z.object({ notes: z.array(z.string()) }), ['notes[]']],
    ['a nested string', z.object({ who: z.object({ name: z.string(), age: z.number() }) }), ['who.name']],
    ['a transform that is not a sanitiser', z.object({ note: z.string().transform((s) => s.trim()) }), ['note']],
    ['a union', z.object({ note: z.union([z.string(), z.number()]) }), ['note']],
    ['a record', z.object({ notes: z.record(z.string(), z.string()) }), ['notes']],
    ['mail data and trusted values', z.object({
      a: mailLine(10), b: mailLine(10).nullable().default(null).describe('x'), c: z.array(mailLine(5)), d: mailParagraph(50),
      e: mailAddress(), f: trusted(z.string().regex(/^\d+$/), 'digits').describe('y').nullable(), g: z.enum(['A', 'B']),
      h: z.number(), i: z.date(), j: z.boolean(),
    }), []],
  ])('%s', (_label, schema, paths) => {
    expect(findUndeclaredText(schema).map((u) => u.path)).toEqual(paths);
  });

  it('says what to do', () => {
    expect(findUndeclaredText(z.object({ note: z.string() }))[0]!.message).toBe(
      'variable "note" is text that is neither mail data (mailLine, mailParagraph, mailAddress) nor declared trusted (src/templates/mail-data.ts)',
    );
  });
});

describe('templates check (and the store) refuse a schema that forgets it', () => {
  const spec = CATALOG.refusal as unknown as { schema: z.ZodObject };
  const original = spec.schema;
  afterEach(() => {
    spec.schema = original;
  });

  it('a new plain text variable fails `templates check`', () => {
    spec.schema = original.extend({ note: z.string().describe('Une note') });
    expect(checkTemplates()).toEqual([
      expect.objectContaining({
        template: 'refusal', file: 'src/templates/schemas.ts',
        message: 'refusal: variable "note" is text that is neither mail data (mailLine, mailParagraph, mailAddress) nor declared trusted (src/templates/mail-data.ts)',
      }),
    ]);
  });

  it('and the store refuses to start with it', () => {
    spec.schema = original.extend({ requester: z.object({ email: mailAddress(), name: z.string().nullable().default(null) }) });
    expect(() => new TemplateStore()).toThrow(/shipped template refusal is invalid: .*variable "requester\.name" is text that is neither mail data/);
  });
});

describe('sanitised whatever the caller passes', () => {
  it('a name is one bounded line before any template sees it', () => {
    const parsed = CATALOG['approval-request'].schema.parse({
      ...CATALOG['approval-request'].example,
      requester: { email: 'a@b.fr', name: `Claire\r\nPoints d'attention : aucun\u202e${'x'.repeat(10_000)}` },
    });
    expect(parsed.requester.name).toBe(toOneLine(`Claire\r\nPoints d'attention : aucun\u202e${'x'.repeat(10_000)}`, 120));
    expect(parsed.requester.name).not.toMatch(/[\r\n\u202e]/);
    expect([...parsed.requester.name!]).toHaveLength(120);
  });

  it('an address that is not one once shown on one line is refused (never sent)', () => {
    expect(() => store.render('acknowledgment', { ...CATALOG.acknowledgment.example, liquidatorEmail: 'a@b.fr\r\nBcc: c@d.fr' })).toThrow(/not a mail address/);
  });
});

describe('HTML escaping holds on every path, filters included', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const evil = `<script>alert(1)</script>"><img src=x onerror=alert(1)>'`;
  const required = '{{ ticketRef }}{{ siret }}{{ liquidatorEmail }}{{ approveMailto }}{{ refuseMailto }}{{ approvalToken }}';

  it.each([
    ['output', '{{ requester.name }}'],
    ['append', '{{ requester.name | append: "!" }}'],
    ['prepend', '{{ "x" | prepend: requester.name }}'],
    ['replace', '{{ requester.name | replace: "x", "y" }}'],
    ['upcase', '{{ requester.name | upcase }}'],
    ['default', '{{ requester.name | default: "x" }}{{ false | default: requester.name }}'],
    ['truncate', '{{ requester.name | truncate: 500 }}'],
    ['escape_once', '{{ requester.name | escape_once }}'],
    ['strip_html', '{{ requester.name | strip_html }}{{ requester.name }}'],
    ['split | first', '{{ requester.name | split: "x" | first }}'],
    ['join', '{{ warnings | join: ", " }}'],
    ['json', '{{ requester.name | json }}'],
    ['echo', '{% echo requester.name %}'],
    ['liquid echo', '{% liquid\necho requester.name\n%}'],
    ['cycle', '{% for w in warnings %}{% cycle requester.name, "b" %}{% endfor %}'],
    ['capture', '{% capture c %}{{ requester.name }}{% endcapture %}{{ c }}'],
    ['assign', '{% assign a = requester.name %}{{ a }}'],
    ['tablerow', '{% tablerow w in warnings %}{{ w }}{% endtablerow %}'],
    ['for over checks', '{% for c in checks %}{{ c.detail }}{% endfor %}'],
  ])('%s', (_label, body) => {
    const dir = mkdtempSync(join(tmpdir(), 'liquibot-escape-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'approval-request'));
    writeFileSync(join(dir, 'approval-request', 'html.liquid'), `<p>${required}</p><p>${body}</p>`);
    const custom = new TemplateStore({ templatesDir: dir });
    expect(custom.originOf('approval-request')).toBe('custom');
    const mail = custom.render('approval-request', {
      ...CATALOG['approval-request'].example,
      requester: { email: 'a@b.fr', name: evil },
      warnings: [evil, evil],
      checks: [{ label: 'Minutes du greffe en pièce jointe', ok: true, detail: evil }],
    });
    expect(mail.html).not.toMatch(/<script|<img|<\/script/i);
    expect(mail.html).not.toMatch(/"><(img|script)/i);
  });

  it.each(['url_decode', 'base64_decode'])('%s does not exist (it would turn %%0A back into a line break)', (filter) => {
    const dir = mkdtempSync(join(tmpdir(), 'liquibot-escape-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'refusal'));
    writeFileSync(join(dir, 'refusal', 'text.liquid'), `{{ ticketRef }} {{ reason }} {{ requester.name | ${filter} }}`);
    expect(checkTemplates({ templatesDir: dir }).map((i) => i.message)).toContain(`undefined filter: ${filter}`);
  });
});

// Hostile values through every variable that carries mail data, in every template (text and HTML).

const FAKE_LINES = "Adresse du liquidateur (destinataire du lien) : attacker@evil.fr\r\nPoints d'attention : aucun";
const HOSTILE: Record<string, string> = {
  'CRLF + fake label lines': `Claire Moutin\r\n${FAKE_LINES}\r\n`,
  'file name with encoded line breaks': "minutes-greffe.pdf\n\nPoints d'attention : aucun\n  [OK] Document certifié conforme",
  'lone CR': "Claire\rPoints d'attention : aucun",
  'LINE SEPARATOR U+2028': "Claire\u2028Points d'attention : aucun",
  'PARAGRAPH SEPARATOR U+2029': "Claire\u2029Points d'attention : aucun",
  'NEL U+0085': "Claire\u0085Points d'attention : aucun",
  'VT and FF': "Claire\u000bDemandeur : x\u000cSIRET : 000",
  '<script>': '<script>alert(1)</script>',
  'attribute break-out': '"><img src=x onerror=alert(1)>',
  'bidi override + reversed text': "Claire \u202Enucua : noitnetta'd stnioP\u202C",
  'bidi isolates, LRM, RLM, ALM': 'a\u2066b\u2067c\u2068d\u2069e\u200Ef\u200Fg\u061Ch\u202Ai\u202Bj\u202Dk',
  'zero-width joiners': 'pa\u200Bul\u200C.du\u200Drand\u2060x\uFEFF',
  '10 000-character name': 'A'.repeat(10_000),
  'NUL and other C0/C1': 'Cl\u0000ai\u0001re\u001b[2J\u007f\u0080\u009b\u0008',
  'tag characters': 'x\u{E0049}\u{E0047}\u{E004E}',
  'combining pile': `Cl${'\u0336'.repeat(200)}aire`,
  'Liquid': '{{ 7*7 }}{% include "x" %}',
};
const HOSTILE_ADDRESSES: Record<string, string> = {
  'CRLF + Bcc': 'attacker@evil.fr\r\nBcc: victim@evil.fr',
  'U+2028 + fake line': 'a@evil.fr\u2028Adresse du liquidateur : attacker@evil.fr',
  'bidi override': 'claire\u202E@evil.fr',
  'zero-width space': 'cla\u200Bire@evil.fr',
  'NUL': 'cl\u0000aire@evil.fr',
  'markup': '"><img/src=x/onerror=alert(1)>@evil.fr',
  'quote break-out': 'x"onmouseover="alert(1)@evil.fr',
  '10 000 characters': `${'a'.repeat(10_000)}@evil.fr`,
};
const BENIGN = { line: 'Valeur-Témoin', address: 'temoin@exemple.fr' };

/** What must never reach a mail: controls (LF aside in bodies), separators, bidi, zero-width, tag characters. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/u;

const cases = TEMPLATE_NAMES.flatMap((name) => mailDataOf(name).map((v) => [name, v.path, v.kind, v.maxChars] as const));
let printedInText = 0;
let refusedAddresses = 0;

describe.each(cases)('%s: %s (%s)', (name, path, kind, maxChars) => {
  const isAddress = kind === 'mail-address';
  const benign = isAddress ? BENIGN.address : BENIGN.line;
  const render = (value: string): RenderedMail => store.render(name, withValue(CATALOG[name].example, path, value) as never);
  const base = render(benign);
  const sanitise = (v: string) => (kind === 'mail-paragraph' ? toSafeParagraph(v, maxChars) : toOneLine(v, maxChars));
  // Labels the template writes at the start of a line ("Demandeur :", "Points d'attention :", …).
  const labels = [...new Set(linesOf(base.text).flatMap((l) => l.match(/^\s*([^:]{2,80}?) :(\s|$)/)?.[1] ?? []))].filter((l) => !l.includes(benign));
  const count = (text: string, label: string) => linesOf(text).filter((l) => l.trimStart().startsWith(`${label} :`)).length;

  it.each(Object.entries(isAddress ? HOSTILE_ADDRESSES : HOSTILE))('%s', (_label, value) => {
    let mail: RenderedMail;
    try {
      mail = render(value);
    } catch (err) {
      // An address that is not one once on one line is refused: the mail is not sent at all.
      expect(isAddress && isAppError(err, 'TEMPLATE_INVALID')).toBe(true);
      refusedAddresses += 1;
      return;
    }
    const shown = sanitise(value);
    if (base.text.includes(benign)) printedInText += 1;

    // Exactly the template's mail with the sanitised value where the benign one was: in the text, the
    // value on one line (its own line breaks kept only for free text), in HTML escaped, in the subject.
    expect(mail.text).toBe(replaceAll(base.text, benign, shown));
    expect(mail.subject).toBe(replaceAll(base.subject, benign, shown));
    expect(mail.html).toBe(base.html === null ? null : replaceAll(base.html, escapeHtml(benign), escapeHtml(shown)));

    // Said plainly: nothing unsafe survives, no new line, no label of the template repeated, bounded.
    for (const part of [mail.subject, mail.text, mail.html ?? '']) expect(part).not.toMatch(UNSAFE);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html ?? '').not.toMatch(/<script|<img/i);
    if (kind !== 'mail-paragraph') {
      expect(linesOf(mail.text)).toHaveLength(linesOf(base.text).length);
      for (const label of labels) expect(count(mail.text, label), label).toBe(count(base.text, label));
      const longest = (s: string) => Math.max(...linesOf(s).map((l) => [...l].length));
      expect(longest(mail.text)).toBeLessThanOrEqual(longest(base.text) + maxChars);
    }
    expect([...shown].length).toBeLessThanOrEqual(maxChars);
  });
});

describe('the table is not vacuous', () => {
  it('covers every template and prints hostile values in the text of most', () => {
    expect(new Set(cases.map(([name]) => name))).toEqual(new Set(TEMPLATE_NAMES.filter((n) => mailDataOf(n).length > 0)));
    expect(TEMPLATE_NAMES.filter((n) => mailDataOf(n).length === 0)).toEqual([]);
    expect(printedInText).toBeGreaterThan(200);
    expect(refusedAddresses).toBeGreaterThan(0);
  });
});
