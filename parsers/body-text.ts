/**
 * Mail bodies as text: HTML to plain text, and removal of the quoted earlier
 * messages so that a reply is read for what it adds, not for what it quotes.
 */
import { decodeHtmlEntities } from './html-entities.js';

/**
 * The inside of a start tag: quoted attribute values may contain '>'. Neither a bare nor a
 * quoted part may cross a '<', and quoted values are bounded, so every scan stops at the next
 * '<': hostile markup (unclosed quotes, runs of '<a ') costs linear time, not quadratic.
 */
const TAG_BODY = `(?:[^<>"']|"[^"<]{0,2048}"|'[^'<]{0,2048}')*`;
const ANY_TAG = new RegExp(`<[/!?]?[A-Za-z]${TAG_BODY}>`, 'g');
const BLOCK_ELEMENTS = new Set(
  ('p div tr li ul ol dl dt dd h1 h2 h3 h4 h5 h6 table tbody thead tfoot caption blockquote pre address ' +
    'section article header footer center form fieldset figure figcaption nav aside main hr').split(' '),
);
const TAG_NAME = /^<\/?([A-Za-z][A-Za-z0-9:-]*)/;

function safeDecodeUri(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Rewrites every `<open …>…</close>` span with `rewrite(startTag, inner, endTag)`, in one forward
 * pass. A span whose end is missing: `unclosed` says whether it runs to the end of the document
 * (what browsers do for `<style>`) or is left as it is.
 */
function rewriteSpans(
  html: string,
  open: RegExp,
  closeOf: (start: RegExpExecArray) => RegExp,
  rewrite: (start: string, inner: string, end: string, m: RegExpExecArray) => string,
  unclosed: 'to-end' | 'keep',
): string {
  let out = '';
  let pos = 0;
  open.lastIndex = 0;
  for (let m = open.exec(html); m; m = open.exec(html)) {
    const close = closeOf(m);
    close.lastIndex = open.lastIndex;
    const c = close.exec(html);
    if (!c) {
      if (unclosed === 'to-end') return out + html.slice(pos, m.index) + rewrite(m[0], html.slice(open.lastIndex), '', m);
      break;
    }
    out += html.slice(pos, m.index) + rewrite(m[0], html.slice(open.lastIndex, c.index), c[0], m);
    pos = open.lastIndex = close.lastIndex;
  }
  return out + html.slice(pos);
}

const COMMENT_OPEN = /<!--/g;
const CONTAINER_OPEN = new RegExp(`<(head|style|script|title|xml|template)\\b${TAG_BODY}>`, 'gi');
const LINK_OPEN = new RegExp(`<a\\b(${TAG_BODY})>`, 'gi');
const PRE_OPEN = new RegExp(`<pre\\b${TAG_BODY}>`, 'gi');

/** Comments (Outlook's conditional ones included) and head/style/script/title/xml/template go. */
function dropInvisible(html: string): string {
  const noComments = rewriteSpans(html, COMMENT_OPEN, () => /-->/g, () => '', 'to-end');
  return rewriteSpans(noComments, CONTAINER_OPEN, (m) => new RegExp(`</${m[1]}\\s*>`, 'gi'), () => '', 'to-end');
}

/** `<a href="mailto:x">Maître X</a>` keeps the address: "Maître X <x>". */
function keepMailtoAddresses(html: string): string {
  return rewriteSpans(html, LINK_OPEN, () => /<\/a\s*>/gi, (start, inner, end, m) => {
    const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(m[1] ?? '');
    const url = href ? (href[1] ?? href[2] ?? href[3] ?? '') : '';
    const mailto = /^\s*mailto:([^?]*)/i.exec(decodeHtmlEntities(url));
    if (!mailto) return start + inner + end;
    const address = safeDecodeUri(mailto[1] ?? '').trim();
    const shown = decodeHtmlEntities(inner.replace(ANY_TAG, ''));
    // escaped: the tag stripper must not take the address for a tag
    return address && !shown.toLowerCase().includes(address.toLowerCase()) ? `${inner} &lt;${escapeHtml(address)}&gt;` : inner;
  }, 'keep');
}

/**
 * Block boundaries break the line only when it has content, as browsers lay them out, so
 * `<p>a</p> <p>b</p>` gives two lines and Gmail's `<div><br></div>` one blank line.
 */
function convertFragment(html: string, preformatted: boolean): string {
  const src = preformatted ? html : html.replace(/[ \t\r\n\f]+/g, ' ');
  const parts: string[] = [];
  let lineHasContent = false;
  const push = (text: string): void => {
    if (text === '') return;
    parts.push(text);
    const nl = text.lastIndexOf('\n');
    lineHasContent = nl >= 0 ? /[^ \t]/.test(text.slice(nl + 1)) : lineHasContent || /[^ \t]/.test(text);
  };
  let last = 0;
  for (const m of src.matchAll(ANY_TAG)) {
    push(src.slice(last, m.index));
    last = (m.index ?? 0) + m[0].length;
    const name = TAG_NAME.exec(m[0])?.[1]?.toLowerCase() ?? '';
    if (name === 'br') push('\n');
    else if (BLOCK_ELEMENTS.has(name) && lineHasContent) push('\n');
    else if ((name === 'td' || name === 'th') && m[0].startsWith('</')) push(' ');
  }
  push(src.slice(last));
  return decodeHtmlEntities(parts.join(''));
}

/** The document cut into `<pre>` elements (kept with their tags) and what lies between them. */
function preSegments(html: string): Array<{ html: string; pre: boolean }> {
  const segments: Array<{ html: string; pre: boolean }> = [];
  const close = /<\/pre\s*>/gi;
  let pos = 0;
  PRE_OPEN.lastIndex = 0;
  for (let m = PRE_OPEN.exec(html); m; m = PRE_OPEN.exec(html)) {
    close.lastIndex = PRE_OPEN.lastIndex;
    const end = close.exec(html) ? close.lastIndex : html.length;
    segments.push({ html: html.slice(pos, m.index), pre: false }, { html: html.slice(m.index, end), pre: true });
    pos = PRE_OPEN.lastIndex = end;
  }
  segments.push({ html: html.slice(pos), pre: false });
  return segments;
}

/**
 * HTML to plain text, good enough for what Outlook, Gmail, Thunderbird and webmails send:
 * block elements and `<br>` become line breaks, table cells are separated by a space,
 * `<head>`/`<style>`/`<script>`/comments (incl. Outlook conditional comments) are dropped,
 * Outlook's `<o:p>` disappears with the other tags, entities are decoded (`&nbsp;` gives U+00A0),
 * `<pre>` keeps its line breaks. A `mailto:` link whose text does not show the address
 * becomes "text <address>". Lines are trimmed, runs of blank lines reduced to one.
 */
export function htmlToText(html: string): string {
  const text = preSegments(keepMailtoAddresses(dropInvisible(html)))
    .map((segment) => convertFragment(segment.html, segment.pre))
    .join('\n');
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** End (exclusive) of the element whose start tag ends at `from`, counting nested same-name tags. */
function elementEnd(html: string, tag: string, from: number): number {
  const re = new RegExp(`<(/?)${tag}\\b${TAG_BODY}>`, 'gi');
  re.lastIndex = from;
  let depth = 1;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return re.lastIndex;
  }
  return html.length;
}

interface QuoteMarker {
  tag: string;
  /** Tested on the start tag. */
  test: RegExp;
  /** 'element': drop the element; 'rest': drop everything from it to the end. */
  drop: 'element' | 'rest';
}

const QUOTE_MARKERS: readonly QuoteMarker[] = [
  { tag: 'div', test: /\bid\s*=\s*["']?(?:appendonsend|divRplyFwdMsg|mail-editor-reference-message-container)\b/i, drop: 'rest' },
  { tag: 'blockquote', test: /\btype\s*=\s*["']?cite\b/i, drop: 'element' },
  { tag: 'div', test: /\bclass\s*=\s*["'][^"']*\b(?:gmail_quote|moz-cite-prefix|yahoo_quoted)\b/i, drop: 'element' },
  { tag: 'blockquote', test: /\bclass\s*=\s*["'][^"']*\bgmail_quote\b/i, drop: 'element' },
];

/**
 * Removes the quoted earlier messages from an HTML body before it is converted:
 * `<blockquote type="cite">` (Apple Mail, Thunderbird), Gmail's `div.gmail_quote`,
 * Thunderbird's `div.moz-cite-prefix` ("Le … a écrit :"), Yahoo's `div.yahoo_quoted`
 * and, for Outlook (web and new Outlook), everything from `div#appendonsend` /
 * `div#divRplyFwdMsg` to the end, since Outlook puts the original after that marker, not inside it.
 * Outlook desktop's "De : … Envoyé : …" block has no marker: {@link stripQuoted} finds it in the text.
 */
export function stripQuotedHtml(html: string): string {
  let out = html;
  for (const marker of QUOTE_MARKERS) {
    const start = new RegExp(`<${marker.tag}\\b${TAG_BODY}>`, 'gi');
    let result = '';
    let pos = 0;
    for (let m = start.exec(out); m; m = start.exec(out)) {
      if (m.index < pos || !marker.test.test(m[0])) continue;
      result += out.slice(pos, m.index);
      if (marker.drop === 'rest') {
        pos = out.length;
        break;
      }
      pos = elementEnd(out, marker.tag, m.index + m[0].length);
      start.lastIndex = pos;
    }
    out = result + out.slice(pos);
  }
  return out;
}

const ATTRIBUTION_START = /^\s*(?:Le|On|Am|El)\s/i;
const ATTRIBUTION_END = /(?:\ba\s+[ée]crit|\bwrote|\bschrieb|\bescribi[óo])\s*:\s*$/i;
/** Written only above a forwarded message (Gmail, Thunderbird, Yahoo, Zimbra, Apple Mail). */
const FORWARD_SEPARATOR = new RegExp(
  '^\\s*(?:-{2,}\\s*(?:Message transf[ée]r[ée]|Mail transf[ée]r[ée]|Forwarded message|Message transmis|Weitergeleitete Nachricht)\\s*-{2,}' +
    '|(?:D[ée]but du message r[ée]exp[ée]di[ée]|Begin forwarded message)\\s*:)\\s*$',
  'i',
);
/** Written above the original by replies and forwards alike (Outlook, Zimbra, Lotus). */
const ORIGINAL_SEPARATOR =
  /^\s*-{2,}\s*(?:Message d['’]origine|Original Message|Mail original|Message original|Urspr[üu]ngliche Nachricht)\s*-{2,}\s*$/i;
const HEADER_FROM = /^\s*[*_]?(?:De|From|Von)[*_]?\s*:/i;
const HEADER_SENT = /^\s*[*_]?(?:Envoy[ée]|Sent|Date|Gesendet)[*_]?\s*:/i;
const RULE_LINE = /^\s*(?:_{10,}|-{10,})\s*$/;

/** Indexes of the next `count` non-blank lines after `i`, looking at most 6 lines ahead. */
function nextNonBlank(lines: readonly string[], i: number, count: number): number[] {
  const found: number[] = [];
  for (let j = i + 1; j < Math.min(lines.length, i + 7) && found.length < count; j++) {
    if ((lines[j] ?? '').trim() !== '') found.push(j);
  }
  return found;
}

/** Lines the attribution takes at `i` (1, or 2 when wrapped), or 0. */
function attributionAt(lines: readonly string[], i: number): number {
  const line = lines[i] ?? '';
  if (!ATTRIBUTION_START.test(line)) return 0;
  if (ATTRIBUTION_END.test(line)) return 1;
  // clients wrap the attribution: "Le 26 nov. 2026 à 10:12, Jean Dupont <j@x.fr> a" / "écrit :"
  const next = lines[i + 1];
  return next !== undefined && ATTRIBUTION_END.test(`${line} ${next}`) ? 2 : 0;
}

function isHeaderBlockAt(lines: readonly string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i] ?? '')) return false;
  return nextNonBlank(lines, i, 3).some((j) => HEADER_SENT.test(lines[j] ?? ''));
}

/**
 * Where a mail's own text ends and an earlier message begins:
 * - 'attribution': "Le … a écrit :" / "On … wrote:", a reply's;
 * - 'forward-separator': "---------- Forwarded message ---------", "-------- Message transféré --------",
 *   "Début du message réexpédié :", a forward's;
 * - 'original-separator': "-----Original Message-----" / "-----Message d'origine-----", either;
 * - 'header-block': "De : … / Envoyé : …" ("From: … / Sent: …"), either (Outlook writes the same block
 *   above the original of a reply and of a forward; only the subject's TR:/Fwd: tells them apart).
 */
export type QuoteBoundaryKind = 'attribution' | 'forward-separator' | 'original-separator' | 'header-block';

export interface QuoteBoundary {
  kind: QuoteBoundaryKind;
  /** First line that is not the mail's own text (the marker, or Outlook's rule line above a header block). */
  start: number;
  /** First line after the marker: the earlier message's header block (header-block: its "De :" line) or text. */
  after: number;
}

/** The first boundary between the mail's own text and an earlier message, or null. Lines starting with `>` never make one. */
export function findQuoteBoundary(lines: readonly string[]): QuoteBoundary | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (FORWARD_SEPARATOR.test(line)) return { kind: 'forward-separator', start: i, after: i + 1 };
    if (ORIGINAL_SEPARATOR.test(line)) return { kind: 'original-separator', start: i, after: i + 1 };
    const attribution = attributionAt(lines, i);
    if (attribution > 0) return { kind: 'attribution', start: i, after: i + attribution };
    if (isHeaderBlockAt(lines, i)) {
      // Outlook puts a rule (a line of underscores) before "De : … Envoyé : …"
      let k = i - 1;
      while (k >= 0 && (lines[k] ?? '').trim() === '') k--;
      return { kind: 'header-block', start: k >= 0 && RULE_LINE.test(lines[k] ?? '') ? k : i, after: i };
    }
  }
  return null;
}

/**
 * Removes quoted earlier messages from a plain-text body: every line starting with `>`,
 * and everything from the first of: an attribution line ("Le … a écrit :", possibly wrapped
 * over two lines; "On … wrote:"), an "-----Message d'origine-----" / "-----Original Message-----"
 * style separator, a forward separator, or a "De : … / Envoyé : …" ("From: … / Sent: …") header
 * block, together with the "________________________________" rule Outlook puts before it
 * (see findQuoteBoundary).
 *
 * Forwarded messages are cut the same way: an agent's reply is read for its own words only.
 * A request that forwards someone else's is read with parsers/forwarded.ts instead.
 */
export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const end = findQuoteBoundary(lines)?.start ?? lines.length;
  const kept = lines.slice(0, end).filter((line) => !/^\s*>/.test(line));
  return kept.join('\n').trim();
}
