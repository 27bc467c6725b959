import { AppError } from '../errors';
import { filters, Liquid, Tag, type FilterImplOptions, type Template, type TagToken, type TopLevelToken } from 'liquidjs';
import { formatSiret as formatSiretDigits, sirenOf as sirenOfSiret } from '../../parsers/siret';

/** The three files a mail template is made of. */
export const TEMPLATE_PARTS = ['subject', 'text', 'html'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

/**
 * Denial-of-service limits. Templates are edited by admins and rendered with data that
 * comes from strangers' mails, so every parse and render is bounded.
 */
export const TEMPLATE_LIMITS = {
  /** Characters in one template file. */
  parseLimit: 100_000,
  /** Milliseconds for one render of one part. */
  renderLimit: 1_000,
  /** Objects/characters allocated by one render (ranges, joins, dates…). */
  memoryLimit: 10_000_000,
} as const;
// liquidjs 10.30 declares a `templateLimit` render option but does not implement it: not relied on.

/** Tags that would read other templates (from disk or memory): never allowed. */
export const FORBIDDEN_TAGS = ['include', 'render', 'layout'] as const;

/**
 * Filters that decode: they would turn data shown on one line (`%0A`, base64) back into line breaks
 * and control characters. Not available in any part.
 */
export const REMOVED_FILTERS = ['url_decode', 'base64_decode'] as const;

/** Default time zone in which the dates of the mails are shown. */
export const MAIL_TIME_ZONE = 'Europe/Paris';

export interface EngineOptions {
  /** IANA time zone for the `date` filter; default Europe/Paris. */
  timeZone?: string;
}

/** Compiled (parsed) form of one template file. */
export type CompiledPart = Template[];

/** One Liquid instance per part: HTML escapes output, subject and text do not. */
export type TemplateEngines = Record<TemplatePart, Liquid>;

function forbiddenTag(name: string) {
  return class ForbiddenTag extends Tag {
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
      super(token, remain, liquid);
      throw new AppError('TEMPLATE_INVALID', `tag "${name}" is not allowed in mail templates (templates cannot load other files)`);
    }
    render(): void {
      // never reached: the constructor refuses the tag at parse time
    }
  };
}

/** Groups a SIRET (3 3 3 5) or a SIREN (3 3 3) for reading; anything else is returned unchanged. */
export function formatSiret(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  if (/^\d{9}$/.test(s)) return `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}`;
  return formatSiretDigits(s);
}

/** The SIREN (first 9 digits) of a SIRET; anything else is returned unchanged. */
export function sirenOf(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /^\d{14}$/.test(s) ? sirenOfSiret(s) : s;
}

type FilterHandler = Extract<FilterImplOptions, (...args: never[]) => unknown>;
const stockDate = filters.date as FilterHandler;

/** Wall-clock formatters, one per time zone, built once (building one costs more than formatting). */
const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(timeZone);
  if (!format) {
    const numeric = 'numeric' as const;
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: numeric, month: numeric, day: numeric, hour: numeric, minute: numeric, second: numeric,
    });
    wallClocks.set(timeZone, format);
  }
  return format;
}

/**
 * The offset of `timeZone` at `date`, in minutes west of UTC (liquidjs's sign: −120 for Paris in
 * summer), from the zone's wall clock read field by field: the same on any host. liquidjs 10.30 works
 * it out by printing both wall clocks and parsing them back with `Date`, i.e. in the host's own zone,
 * so on a host that itself runs in Europe/Paris its offset is an hour off for an hour or two after each
 * DST change, and a mail would show the wrong hour (a link's expiry among them). On a UTC host the two agree.
 * Throws RangeError for an unknown time zone.
 */
export function timeZoneOffset(timeZone: string, date: Date): number {
  const field = (type: Intl.DateTimeFormatPartTypes, parts: Intl.DateTimeFormatPart[]) => Number(parts.find((p) => p.type === type)!.value);
  const parts = wallClock(timeZone).formatToParts(date);
  const wall = Date.UTC(field('year', parts), field('month', parts) - 1, field('day', parts), field('hour', parts), field('minute', parts), field('second', parts));
  const instant = Math.floor(date.getTime() / 1000) * 1000;
  return (instant - wall) / 60_000;
}

/** The instant liquidjs's `date` filter reads from a date, a number of seconds or a string; null for anything else. */
function instantOf(value: unknown): Date | null {
  let init: Date | number | string;
  if (value instanceof Date) init = value;
  else if (typeof value === 'number') init = value * 1000;
  else if (typeof value === 'string' && value !== 'now' && value !== 'today') init = /^\d+$/.test(value) ? +value * 1000 : value;
  else return null;
  const instant = new Date(init);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/**
 * liquidjs's own `date` filter, handed the zone's offset (timeZoneOffset): right on any host, and
 * cheaper (liquidjs builds two Intl formatters on every call to find it, which made dates the
 * costliest part of a render). On a UTC host the output is the stock filter's. Calls it cannot
 * serve that way go to the stock filter untouched: "now"/"today", values other than dates, numbers
 * and strings, `%Z` (given a numeric offset, it would print that instead of the zone's name),
 * `preserveTimezones`, a numeric time zone.
 */
function dateFilter(this: ThisParameterType<FilterHandler>, value: unknown, ...args: unknown[]): unknown {
  const opts = this.context.opts;
  const zone = args.length === 2 ? args[1] : opts.timezoneOffset;
  const format = args[0] ?? opts.dateFormat;
  const instant = args.length <= 2 && typeof zone === 'string' && !opts.preserveTimezones && typeof format === 'string' && !format.includes('Z')
    ? instantOf(value)
    : null;
  if (instant === null) return stockDate.call(this, value, ...args);
  let offset: number;
  try {
    offset = timeZoneOffset(zone as string, instant);
  } catch {
    return stockDate.call(this, value, ...args); // an unknown zone: liquidjs reports it its own way
  }
  return stockDate.call(this, value, args[0], offset);
}

/**
 * Creates one hardened Liquid instance for a template part.
 *
 * No file system (in-memory, empty template map, and include/render/layout refused at parse
 * time), strict variables and filters, own properties only, DoS limits, dates in Paris time.
 * Only the HTML part escapes output, and there the `raw` filter does not exist, so data can
 * never become markup (liquidjs escapes after the last filter of every `{{ }}`, `echo` and `cycle`).
 * The decoding filters (REMOVED_FILTERS) do not exist either, so data sanitised to one line stays so.
 */
export function createTemplateEngine(part: TemplatePart, options: EngineOptions = {}): Liquid {
  const liquid = new Liquid({
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    outputEscape: part === 'html' ? 'escape' : undefined,
    parseLimit: TEMPLATE_LIMITS.parseLimit,
    renderLimit: TEMPLATE_LIMITS.renderLimit,
    memoryLimit: TEMPLATE_LIMITS.memoryLimit,
    timezoneOffset: options.timeZone ?? MAIL_TIME_ZONE,
    locale: 'fr-FR',
    dateFormat: '%d/%m/%Y %H:%M',
    cache: false,
  });
  for (const name of FORBIDDEN_TAGS) liquid.registerTag(name, forbiddenTag(name));
  if (part === 'html') liquid.unregisterFilter('raw');
  for (const name of REMOVED_FILTERS) liquid.unregisterFilter(name);
  liquid.registerFilter('date', dateFilter);
  liquid.registerFilter('format_siret', formatSiret);
  liquid.registerFilter('siren', sirenOf);
  return liquid;
}

/** One engine per part. */
export function createTemplateEngines(options: EngineOptions = {}): TemplateEngines {
  return {
    subject: createTemplateEngine('subject', options),
    text: createTemplateEngine('text', options),
    html: createTemplateEngine('html', options),
  };
}

// C0/C1 controls, DEL, line/paragraph separators, bidi overrides and isolates.
// eslint-disable-next-line no-control-regex
const SUBJECT_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** Makes a rendered subject one safe header line: control characters become spaces, runs of spaces collapse. */
export function sanitizeSubject(subject: string): string {
  return subject.replace(SUBJECT_UNSAFE, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * Tidies a rendered plain-text body so admins need not fight whitespace: LF line ends,
 * no trailing spaces, at most one blank line in a row, one final newline.
 */
export function normalizeText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((line) => line.replace(/[ \t]+$/, ''));
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '').replace(/\n+$/, '')}\n`;
}

/** Parses one template file; throws liquidjs errors (they carry the token position). */
export function parsePart(engines: TemplateEngines, part: TemplatePart, source: string, file?: string): CompiledPart {
  return engines[part].parse(source, file);
}

/**
 * Renders one parsed part synchronously within the limits, and applies the part's post-processing.
 * Data values are never parsed as Liquid: `{{ 7*7 }}` inside a value comes out literally.
 */
export function renderPart(engines: TemplateEngines, part: TemplatePart, compiled: CompiledPart, data: object): string {
  const out = String(
    engines[part].renderSync(compiled, data, {
      renderLimit: TEMPLATE_LIMITS.renderLimit,
      memoryLimit: TEMPLATE_LIMITS.memoryLimit,
    }),
  );
  if (part === 'subject') return sanitizeSubject(out);
  if (part === 'text') return normalizeText(out);
  return out.trim() === '' ? '' : `${out.trim()}\n`;
}
