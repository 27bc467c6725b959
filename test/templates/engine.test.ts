import { describe, expect, it } from 'vitest';
import {
  createTemplateEngines,
  formatSiret,
  normalizeText,
  parsePart,
  renderPart,
  sanitizeSubject,
  sirenOf,
  TEMPLATE_LIMITS,
  TEMPLATE_PARTS,
  type TemplatePart,
} from '../../src/templates/engine';

const engines = createTemplateEngines();
const render = (part: TemplatePart, source: string, data: object = {}): string =>
  renderPart(engines, part, parsePart(engines, part, source), data);

function failure(fn: () => unknown): Error & { token?: { getPosition(): number[] } } {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('sanitizeSubject', () => {
  it.each([
    ['plain', 'Demande reçue', 'Demande reçue'],
    ['CRLF header injection', 'Objet\r\nBcc: victim@example.com', 'Objet Bcc: victim@example.com'],
    ['lone LF and CR', 'a\nb\rc', 'a b c'],
    ['NUL, tab, DEL, C1', 'a\u0000b\tc\u007fd\u0085e', 'a b c d e'],
    ['unicode line separators', 'a\u2028b\u2029c', 'a b c'],
    ['bidi override', 'abc\u202Egpj.exe', 'abc gpj.exe'],
    ['trailing newline of the file', '[LJ-1] Objet\n', '[LJ-1] Objet'],
    ['runs collapse', 'a \r\n\r\n  b', 'a b'],
  ])('%s', (_label, input, expected) => {
    expect(sanitizeSubject(input)).toBe(expected);
  });
});

describe('normalizeText', () => {
  it.each([
    ['CRLF to LF, one final newline', 'a\r\nb', 'a\nb\n'],
    ['trailing spaces removed', 'a  \nb\t\n', 'a\nb\n'],
    ['blank runs collapse to one', 'a\n\n\n\nb', 'a\n\nb\n'],
    ['leading and trailing blank lines removed', '\n\n a\n\n\n', ' a\n'],
  ])('%s', (_label, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });
});

describe('SIRET filters', () => {
  it.each([
    ['73282932000074', '732 829 320 00074', '732829320'],
    ['732829320', '732 829 320', '732829320'],
    ['12-34', '12-34', '12-34'],
    [null, '', ''],
  ])('%s', (input, grouped, siren) => {
    expect(formatSiret(input)).toBe(grouped);
    expect(sirenOf(input)).toBe(siren);
  });

  it('are available in templates', () => {
    expect(render('text', '{{ s | format_siret }} / {{ s | siren | format_siret }}', { s: '73282932000074' })).toBe(
      '732 829 320 00074 / 732 829 320\n',
    );
  });
});

describe('hardening', () => {
  const forbidden = [
    ["{% include 'x' %}", 'include', 2],
    ["{% include '/etc/passwd' %}", 'include', 2],
    ["{% render 'x' %}", 'render', 2],
    ["{% layout 'x' %}body", 'layout', 2],
    ["{% liquid\n  include 'x'\n%}", 'include', 3],
  ] as const;
  const cases = TEMPLATE_PARTS.flatMap((part) => forbidden.map(([source, tag, line]) => [part, source, tag, line] as const));

  it.each(cases)('%s: %j is refused at parse time', (part, source, tag, line) => {
    const err = failure(() => parsePart(engines, part, `ligne 1\n  ${source}`));
    expect(err.message).toContain(`tag "${tag}" is not allowed`);
    expect(err.token?.getPosition()[0]).toBe(line);
  });

  it.each(TEMPLATE_PARTS)('%s: unknown filter is refused at parse time with its position', (part) => {
    const err = failure(() => parsePart(engines, part, 'a\n  {{ x | shout }}'));
    expect(err.message).toContain('undefined filter: shout');
    expect(err.token?.getPosition()).toEqual([2, 3]);
  });

  it.each(TEMPLATE_PARTS)('%s: an undefined variable fails the render (strictVariables)', (part) => {
    expect(failure(() => render(part, '{{ nope }}')).message).toContain('undefined variable: nope');
  });

  it.each(TEMPLATE_PARTS)('%s: only own properties are reachable', (part) => {
    expect(failure(() => render(part, '{{ x.constructor }}', { x: {} })).message).toContain('undefined variable');
    expect(failure(() => render(part, '{{ x.__proto__ }}', { x: {} })).message).toContain('undefined variable');
  });

  it('null values are allowed and falsy', () => {
    expect(render('text', '[{{ x }}]{% if x %}oui{% else %}non{% endif %}', { x: null })).toBe('[]non\n');
  });

  it('raw does not exist in HTML, so data cannot become markup', () => {
    expect(failure(() => parsePart(engines, 'html', '{{ x | raw }}')).message).toContain('undefined filter: raw');
    expect(render('text', '{{ x | raw }}', { x: '<b>' })).toBe('<b>\n');
  });

  it('dates are shown in Paris time, summer and winter', () => {
    const src = '{{ d | date: "%d/%m/%Y à %H:%M" }}';
    expect(render('text', src, { d: new Date('2026-11-26T13:48:00Z') })).toBe('26/11/2026 à 14:48\n');
    expect(render('text', src, { d: new Date('2026-07-01T13:48:00Z') })).toBe('01/07/2026 à 15:48\n');
    expect(render('text', '{{ d | date: "%A %-d %B" }}', { d: new Date('2026-11-26T13:48:00Z') })).toBe('jeudi 26 novembre\n');
  });
});

describe('data is never parsed as Liquid', () => {
  const payloads = ["{{ 7*7 }}", "{% include '/etc/passwd' %}", '{{ requester.email }}', "{% for i in (1..100000000) %}x{% endfor %}"];
  it.each(payloads)('text keeps %j literally', (payload) => {
    expect(render('text', 'Motif : {{ reason }}', { reason: payload, requester: { email: 'x@y.z' } })).toBe(`Motif : ${payload}\n`);
  });
  it.each(payloads)('html keeps %j literally (escaped)', (payload) => {
    const html = render('html', '<p>{{ reason }}</p>', { reason: payload });
    expect(html).toBe(`<p>${payload.replace(/'/g, '&#39;')}</p>\n`);
  });
  it('subject keeps it literally, on one line', () => {
    expect(render('subject', '[{{ r }}]', { r: '{{ 7*7 }}\r\nBcc: a@b.c' })).toBe('[{{ 7*7 }} Bcc: a@b.c]');
  });
});

describe('limits', () => {
  it.each([
    ['a huge range', '{% for i in (1..100000000) %}{{ i }}{% endfor %}'],
    ['nested loops', '{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}'],
    ['a loop over a huge capture', '{% capture s %}{% for i in (1..100000000) %}xxxxxxxx{% endfor %}{% endcapture %}{{ s }}'],
  ])('%s is stopped within a bounded time', (_label, source) => {
    const started = Date.now();
    const err = failure(() => render('text', source));
    expect(err.message).toMatch(/limit exceeded/);
    expect(Date.now() - started).toBeLessThan(TEMPLATE_LIMITS.renderLimit + 2_000);
  });

  it('the parse limit is per file, not cumulative over the life of the engine', () => {
    const big = 'x'.repeat(TEMPLATE_LIMITS.parseLimit - 10);
    for (let i = 0; i < 3; i += 1) expect(() => parsePart(engines, 'text', big)).not.toThrow();
  });

  it('a template larger than parseLimit is refused', () => {
    expect(failure(() => parsePart(engines, 'text', 'x'.repeat(TEMPLATE_LIMITS.parseLimit + 1))).message).toMatch(/limit/);
  });
});
