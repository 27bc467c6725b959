import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors';
import { CATALOG, TEMPLATE_NAMES } from '../../src/templates/catalog';
import { describeFields } from '../../src/templates/schema-fields';
import { buildPreviewEml } from '../../src/templates/preview';
import { TemplateStore } from '../../src/templates/store';

// Data comes from strangers' mails (names, reasons, what was found): it must come out inert.
const store = new TemplateStore();

function headerBlock(eml: Buffer): string {
  const raw = eml.toString('utf8');
  return raw.slice(0, raw.indexOf('\r\n\r\n'));
}

describe('HTML in a name', () => {
  const name = '<img src=x onerror=alert(1)> "Moutin" & <b>fils</b>';
  const mail = store.render('approval-request', {
    ...CATALOG['approval-request'].example,
    requester: { email: 'a@b.fr', name },
    warnings: ['<script>alert(1)</script>'],
  });

  it('is escaped in the HTML part', () => {
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; &#34;Moutin&#34; &amp; &lt;b&gt;fils&lt;/b&gt;');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<script');
  });

  it('is raw in the text part', () => {
    expect(mail.text).toContain(`Demandeur : ${name} <a@b.fr>`);
    expect(mail.text).toContain('- <script>alert(1)</script>');
  });

  it('cannot break out of an attribute', () => {
    const evil = store.render('approval-request', {
      ...CATALOG['approval-request'].example,
      approveMailto: 'mailto:x@y.fr?body="><script>alert(1)</script>',
    });
    expect(evil.html).toContain('href="mailto:x@y.fr?body=&#34;&gt;&lt;script&gt;');
  });
});

describe('Liquid in an agent reason stays literal', () => {
  it.each(["{{ 7*7 }}", "{% include '/etc/passwd' %}", "{% render 'x' %}{{ requester.email }}", '{%- raw -%}{{ x }}{% endraw %}'])(
    '%j',
    (reason) => {
      const mail = store.render('refusal', { ...CATALOG.refusal.example, reason });
      expect(mail.text).toContain(`Motif :\n${reason}\n`);
      expect(mail.text).not.toContain('49');
      expect(mail.text).not.toContain('root:');
    },
  );
});

describe('CRLF and headers in a value rendered into the subject', () => {
  const evil = 'Paul\r\nBcc: victim@example.com\r\nX-Evil: 1';

  it('the subject becomes a single line', () => {
    const mail = store.render('approval-confirmation', {
      ...CATALOG['approval-confirmation'].example,
      approvedBy: { email: 'paul@example.fr', name: evil },
    });
    expect(mail.subject).toBe('[LJ-261126-0042] Demande validée par Paul ↵ Bcc: victim@example.com ↵ X-Evil: 1');
  });

  it('no header is added to the composed message', async () => {
    const mail = store.render('approval-confirmation', {
      ...CATALOG['approval-confirmation'].example,
      approvedBy: { email: 'paul@example.fr', name: evil },
    });
    const headers = headerBlock(await buildPreviewEml(mail, 'agents'));
    expect(headers).not.toMatch(/^bcc:/im);
    expect(headers).not.toMatch(/^x-evil:/im);
  });

  it.each(TEMPLATE_NAMES)('%s: every received text of the example followed by CRLF+Bcc keeps the subject on one line', (name) => {
    const received = new Set(
      describeFields(CATALOG[name].schema, undefined)
        .filter((f) => f.text && f.text.kind !== 'trusted' && f.text.kind !== 'mail-address')
        .map((f) => f.path.replace(/\[\]/g, '')),
    );
    const poison = (value: unknown, path = ''): unknown => {
      if (typeof value === 'string' && received.has(path)) return `${value}\r\nBcc: v@x.fr`;
      if (Array.isArray(value)) return value.map((v) => poison(v, path));
      if (value && typeof value === 'object' && !(value instanceof Date)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, path ? `${path}.${k}` : k)]));
      }
      return value;
    };
    const mail = store.render(name, poison(CATALOG[name].example) as never);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    if (mail.subject.includes('Bcc')) expect(mail.subject).toContain(' ↵ Bcc: v@x.fr');
  });

  it.each(TEMPLATE_NAMES)('%s: a value liquibot makes itself is refused (never sent) when it holds a line break', (name) => {
    const trustedPaths = describeFields(CATALOG[name].schema, CATALOG[name].example)
      .filter((f) => f.text?.kind === 'trusted' && f.example !== '' && f.example !== 'null' && /^\w+$/.test(f.path));
    for (const field of trustedPaths) {
      const example = CATALOG[name].example as Record<string, unknown>;
      let error: unknown = null;
      try {
        store.render(name, { ...example, [field.path]: `${String(example[field.path])}\r\nBcc: v@x.fr` } as never);
      } catch (err) {
        error = err;
      }
      expect(isAppError(error, 'TEMPLATE_INVALID'), field.path).toBe(true);
    }
  });
});
