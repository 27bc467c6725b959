import { filters, type Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { CATALOG, statesOf, TEMPLATE_NAMES, type TemplateName } from '../../src/templates/catalog';
import { compileTemplate, renderCompiled, type CompiledTemplate } from '../../src/templates/compile';
import { createTemplateEngine, createTemplateEngines, timeZoneOffset, type TemplateEngines } from '../../src/templates/engine';
import { readTemplateSources, SHIPPED_TEMPLATES_DIR, type TemplateDirs } from '../../src/templates/sources';

// Our `date` filter hands liquidjs's own filter the zone's offset, computed from formatters built
// once and without the host's own zone. On a UTC host (production containers, CI) liquidjs left alone
// ("stock") gives the same output, so most of what follows compares with it there; on a host in
// Europe/Paris stock liquidjs is an hour off after each DST change, and ours is not.

/** Engines as createTemplateEngines() makes them, but with liquidjs's own `date` filter. */
function stockEngines(timeZone?: string): TemplateEngines {
  const engines = createTemplateEngines({ timeZone });
  for (const e of Object.values(engines)) e.registerFilter('date', filters.date!);
  return engines;
}

/** liquidjs 10.30's LiquidDate.getTimezoneOffset, as it is written there. */
function stockOffset(timeZone: string, date: Date): number {
  const local = new Date(date.toLocaleString('en-US', { timeZone }));
  const utc = new Date(date.toLocaleString('en-US', { timeZone: 'UTC' }));
  return (+utc - +local) / 60_000;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Every `step` from `from` to `to` (inclusive), as instants. */
function instants(from: string, to: string, step: number): Date[] {
  const out: Date[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += step) out.push(new Date(t));
  return out;
}

// Europe/Paris changes at 01:00 UTC on the last Sunday of March (to +02:00) and of October (to +01:00).
const PARIS_DST_CHANGES = [
  '2024-03-31T01:00:00Z', '2024-10-27T01:00:00Z',
  '2025-03-30T01:00:00Z', '2025-10-26T01:00:00Z',
  '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z',
  '2027-03-28T01:00:00Z', '2027-10-31T01:00:00Z',
];
/** Instants on both sides of each change: every `step` for 3 hours either side, and the last and first seconds. */
const aroundChanges = (changes: string[], step: number) => changes.flatMap((change) => {
  const t = Date.parse(change);
  return [
    ...instants(new Date(t - 3 * HOUR).toISOString(), new Date(t + 3 * HOUR).toISOString(), step),
    new Date(t - 1), new Date(t - 1000), new Date(t + 999), new Date(t + 59 * MINUTE + 59_999),
  ];
});
const AROUND_PARIS_CHANGES = aroundChanges(PARIS_DST_CHANGES, 15 * MINUTE);
/** Fewer, for whole mails (liquidjs's own filter takes ~50 µs a date). */
const MAIL_DATES = aroundChanges(PARIS_DST_CHANGES.slice(4), 30 * MINUTE);

/** Runs `fn` with the process's time zone set to `zone` (Node applies TZ changes at once). */
function inHostZone<T>(zone: string, fn: () => T): T {
  const saved = process.env.TZ;
  process.env.TZ = zone;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

describe('timeZoneOffset', () => {
  const HOSTS = [['UTC'], ['Europe/Paris'], ['America/New_York'], ['Australia/Lord_Howe']] as const;

  it('is liquidjs\'s offset on a UTC host, on both sides of each Paris DST change, 2024–2027', () => {
    inHostZone('UTC', () => {
      for (const d of AROUND_PARIS_CHANGES) expect(timeZoneOffset('Europe/Paris', d), d.toISOString()).toBe(stockOffset('Europe/Paris', d));
    });
  });

  it.each(HOSTS)('is the same on a host in %s', (host) => {
    const onUtc = inHostZone('UTC', () => AROUND_PARIS_CHANGES.map((d) => timeZoneOffset('Europe/Paris', d)));
    inHostZone(host, () => {
      AROUND_PARIS_CHANGES.forEach((d, i) => expect(timeZoneOffset('Europe/Paris', d), d.toISOString()).toBe(onUtc[i]));
    });
  });

  it('is right where liquidjs is an hour off: on a host in Europe/Paris, after a DST change', () => {
    inHostZone('Europe/Paris', () => {
      const wrong = AROUND_PARIS_CHANGES.filter((d) => stockOffset('Europe/Paris', d) !== timeZoneOffset('Europe/Paris', d));
      expect(wrong.length).toBeGreaterThan(0); // the bug this avoids is real on this host
      expect(timeZoneOffset('Europe/Paris', new Date('2026-03-29T00:59:59Z'))).toBe(-60);
      expect(timeZoneOffset('Europe/Paris', new Date('2026-03-29T01:00:00Z'))).toBe(-120);
      expect(timeZoneOffset('Europe/Paris', new Date('2026-03-29T02:30:00Z'))).toBe(-120);
      expect(timeZoneOffset('Europe/Paris', new Date('2026-10-25T00:59:59Z'))).toBe(-120);
      expect(timeZoneOffset('Europe/Paris', new Date('2026-10-25T01:00:00Z'))).toBe(-60);
      expect(timeZoneOffset('Europe/Paris', new Date('2026-10-25T02:30:00Z'))).toBe(-60);
    });
  });

  it.each([
    ['Europe/Paris'], ['UTC'], ['America/New_York'], ['America/St_Johns'], ['Australia/Lord_Howe'], ['Asia/Kolkata'],
    ['Pacific/Chatham'], ['America/Sao_Paulo'], ['Africa/Casablanca'],
  ])('%s, every 5 hours of 2026 and random instants from 1890 to 2100: liquidjs\'s on a UTC host', (zone) => {
    const hourly = instants('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 5 * HOUR);
    let seed = 12345;
    const random = Array.from({ length: 300 }, () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return new Date(Date.UTC(1890, 0, 1) + (seed / 0x80000000) * (Date.UTC(2100, 0, 1) - Date.UTC(1890, 0, 1)));
    });
    inHostZone('UTC', () => {
      for (const d of [...hourly, ...random]) expect(timeZoneOffset(zone, d), d.toISOString()).toBe(stockOffset(zone, d));
    });
  });

  it('an unknown zone throws, as toLocaleString does', () => {
    expect(() => timeZoneOffset('Europe/Nowhere', new Date())).toThrow(RangeError);
  });
});

const dirs: TemplateDirs = { templatesDir: null, shippedDir: SHIPPED_TEMPLATES_DIR };

function compileAll(engines: TemplateEngines): Map<TemplateName, CompiledTemplate> {
  const out = new Map<TemplateName, CompiledTemplate>();
  for (const name of TEMPLATE_NAMES) {
    const { template, issues } = compileTemplate(engines, readTemplateSources(name, dirs), dirs);
    if (!template) throw new Error(`${name}: ${issues.map((i) => i.message).join('; ')}`);
    out.set(name, template);
  }
  return out;
}

/** The variables with every date in them replaced by `at` (and the next ones a few hours later). */
function withDates(vars: unknown, at: Date): unknown {
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (v instanceof Date) return new Date(at.getTime() + 3 * HOUR * n++);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(vars);
}

describe('shipped templates: on a UTC host, byte-identical mails with the stock date filter', () => {
  const ours = createTemplateEngines();
  const stock = stockEngines();
  const oursCompiled = compileAll(ours);
  const stockCompiled = compileAll(stock);
  const render = (engines: TemplateEngines, compiled: Map<TemplateName, CompiledTemplate>, name: TemplateName, vars: unknown) =>
    renderCompiled(engines, compiled.get(name)!, CATALOG[name].schema.parse(vars));

  const cases = TEMPLATE_NAMES.flatMap((name) => statesOf(name).map((s) => [name, s.label, s.vars] as const));

  it.each(cases)('%s — %s, dates on both sides of every Paris DST change', (name, _label, vars) => {
    let dated = false;
    inHostZone('UTC', () => {
      for (const at of MAIL_DATES) {
        const v = withDates(vars, at);
        const want = render(stock, stockCompiled, name, v);
        expect(render(ours, oursCompiled, name, v)).toEqual(want);
        dated ||= /\d\d\/\d\d\/\d{4}|\d\d:\d\d/.test(`${want.subject}${want.text}${want.html ?? ''}`);
      }
    });
    // a mail whose files use the date filter did show dates (the comparison above was not vacuous)
    const sources = readTemplateSources(name, dirs).parts;
    const usesDate = Object.values(sources).some((p) => p?.content.includes('| date'));
    expect(dated).toBe(usesDate);
  });

  it('the same mails on a host in Europe/Paris, where liquidjs alone would be an hour off after each change', () => {
    const names = ['acknowledgment', 'approval-request', 'link-still-valid'] as const;
    const onUtc = inHostZone('UTC', () => MAIL_DATES.map((at) => names.map((name) => render(ours, oursCompiled, name, withDates(CATALOG[name].example, at)))));
    let stockDiffers = false;
    inHostZone('Europe/Paris', () => {
      MAIL_DATES.forEach((at, i) => names.forEach((name, k) => {
        const v = withDates(CATALOG[name].example, at);
        expect(render(ours, oursCompiled, name, v), `${name} ${at.toISOString()}`).toEqual(onUtc[i]![k]);
        stockDiffers ||= JSON.stringify(render(stock, stockCompiled, name, v)) !== JSON.stringify(onUtc[i]![k]);
      }));
    });
    expect(stockDiffers).toBe(true);
  });

  it.each([['UTC'], ['Europe/Paris']])('the hour shown jumps by the DST change, as Paris clocks do (host in %s)', (host) => {
    const ack = (iso: string) => render(ours, oursCompiled, 'acknowledgment', withDates(CATALOG.acknowledgment.example, new Date(iso))).text;
    inHostZone(host, () => {
      expect(ack('2026-03-29T00:59:00Z')).toContain('29/03/2026 à 01:59');
      expect(ack('2026-03-29T01:00:00Z')).toContain('29/03/2026 à 03:00');
      expect(ack('2026-03-29T02:30:00Z')).toContain('29/03/2026 à 04:30');
      expect(ack('2026-10-25T00:59:00Z')).toContain('25/10/2026 à 02:59');
      expect(ack('2026-10-25T01:00:00Z')).toContain('25/10/2026 à 02:00');
      expect(ack('2026-10-25T02:30:00Z')).toContain('25/10/2026 à 03:30');
    });
  });
});

describe('the date filter on its own: same output as liquidjs\'s for any use an admin may write', () => {
  const FORMATS = [
    undefined, '%d/%m/%Y à %H:%M', '%d/%m/%Y', '%H:%M', '%Y-%m-%dT%H:%M:%S%z', '%:z', '%z', '%Z', '%A %-d %B %Y', '%a %b %e',
    '%c', '%x', '%X', '%s', '%j %U %W %u %w', '%I:%M %p %P', '%L %N %3N', '%^B %#b', '%C %y %G %%', '%H:%M %Z',
  ];
  const VALUES: unknown[] = [
    new Date('2026-03-29T00:30:00Z'), new Date('2026-03-29T01:30:00Z'), new Date('2026-10-25T00:30:00Z'), new Date('2026-10-25T01:30:00Z'),
    '2026-10-25T00:30:00Z', '2026-10-25T02:30:00+02:00', '2026-10-25 02:30', 'March 29, 2026 02:30', '1774744200', 1774744200, 1774744200.5,
    'not a date', '', 'now', null, undefined, true, [1, 2], { a: 1 },
  ];

  function engines(timeZone?: string): Array<[string, Liquid, Liquid]> {
    return (['subject', 'text', 'html'] as const).map((part) => {
      const stock = createTemplateEngine(part, { timeZone });
      stock.registerFilter('date', filters.date!);
      return [part, createTemplateEngine(part, { timeZone }), stock];
    });
  }

  const render = (liquid: Liquid, source: string, value: unknown) => {
    try {
      return liquid.parseAndRenderSync(source, { value });
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  };

  it.each([['Europe/Paris'], ['America/New_York'], ['Australia/Lord_Howe'], ['Asia/Kolkata']])('time zone %s (on a UTC host)', (zone) => inHostZone('UTC', () => {
    for (const [part, ours, stock] of engines(zone)) {
      for (const format of FORMATS) {
        const source = format === undefined ? '{{ value | date }}' : `{{ value | date: ${JSON.stringify(format)} }}`;
        for (const value of VALUES) {
          if (value === 'now' && !format?.match(/^%[dmY/]+$/)) continue; // the clock moves between the two renders
          expect(render(ours, source, value), `${part} ${source} ${String(value)}`).toBe(render(stock, source, value));
        }
      }
    }
  }));

  it.each([
    ['{{ value | date: "%d/%m/%Y %H:%M", "UTC" }}'],
    ['{{ value | date: "%d/%m/%Y %H:%M %z", "America/New_York" }}'],
    ['{{ value | date: "%H:%M %z", -120 }}'],
    ['{{ value | date: "%H:%M %z", nil }}'],
    ['{{ value | date: nil }}'],
    ['{{ value | date_to_xmlschema }}'],
    ['{{ value | date_to_rfc822 }}'],
    ['{{ value | date_to_string }}'],
    ['{{ value | date_to_long_string: "ordinal" }}'],
    ['{{ value | date: "%d" | append: "x" }}'],
  ])('%s (on a UTC host)', (source) => inHostZone('UTC', () => {
    for (const [part, ours, stock] of engines()) {
      for (const value of VALUES.filter((v) => v !== 'now')) {
        expect(render(ours, source, value), `${part} ${String(value)}`).toBe(render(stock, source, value));
      }
    }
  }));

  it('an explicit time zone is right on a host in Europe/Paris too', () => {
    const [[, ours]] = engines() as [[string, Liquid, Liquid]];
    const at = new Date('2026-10-25T01:30:00Z'); // 02:30 in Paris, an hour after the clocks went back
    for (const host of ['UTC', 'Europe/Paris']) {
      inHostZone(host, () => {
        expect(render(ours, '{{ value | date: "%H:%M", "Europe/Paris" }}', at), host).toBe('02:30');
        expect(render(ours, '{{ value | date: "%H:%M" }}', at), host).toBe('02:30');
      });
    }
  });

  it('an unknown time zone fails as liquidjs fails', () => {
    const [[, ours, stock]] = engines('Europe/Nowhere') as [[string, Liquid, Liquid]];
    const source = '{{ value | date: "%H:%M" }}';
    expect(render(ours, source, new Date())).toBe(render(stock, source, new Date()));
    expect(render(ours, source, new Date())).toMatch(/^error: .*time zone/i);
  });
});
