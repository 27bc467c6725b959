/**
 * HTML built by a tagged template that escapes every interpolated value, so a page can only hold
 * markup written in this code: `html\`<td>${value}</td>\`` escapes `value` whatever it is (a string
 * from a mail, a number, a date's text), and only another `html` fragment goes in as markup.
 * No `raw()` escape hatch on purpose: there is nothing the console must insert unescaped.
 */

const BRAND = Symbol('liquibot.html');

/** A fragment of markup made by `html`. */
export interface Html {
  readonly [BRAND]: true;
  readonly text: string;
}

/** What may be interpolated: text (escaped), numbers, fragments, lists of those; null/undefined/false give nothing. */
export type HtmlValue = string | number | Html | null | undefined | false | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text made safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function fragment(text: string): Html {
  return { [BRAND]: true, text };
}

export function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && (value as Partial<Html>)[BRAND] === true;
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  if (isHtml(value)) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  // Not a fragment, whatever it looks like: text.
  return escapeHtml(String(value));
}

/** The tag: literal parts as written, every value escaped (or joined, for a list of fragments). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return fragment(out);
}

/** A whole document, as the response body. */
export function documentText(page: Html): string {
  return `<!DOCTYPE html>\n${page.text}`;
}
