/**
 * Making text that came from a mail safe to show in a mail liquibot writes: data stays data.
 *
 * A display name, a subject, a file name or an address is written by whoever sent the mail. Shown as
 * is, a line break inside it starts a new line of OUR mail (a fake "Adresse du liquidateur : …" under
 * the real one), a bidi override shows reversed text, a zero-width character makes two different
 * addresses look the same, and a 10 000-character name pushes the real lines out of sight. These
 * functions are pure (no I/O) and total: any string in, a displayable string out, never a throw.
 *
 * Choices (and why):
 * - A line break inside a one-line value becomes a VISIBLE mark, ` ↵ `, not a space: an honest name or
 *   file name never holds one, so the agent should see that this one did; a space would hide the
 *   attempt while keeping the fake label readable as if it were part of the name. A run of breaks (with
 *   the spaces around them) is one mark. CR, LF, CRLF, VT, FF, NEL (U+0085), U+2028 and U+2029 are all
 *   line breaks (Unicode's list: any of them may start a new line in some client).
 * - Other C0/C1 controls and DEL are removed: they have no glyph, and NUL or ESC have no business in text.
 *   A tab is a space.
 * - Invisible format characters (Unicode category Cf: bidi embeddings, overrides and isolates, LRM/RLM,
 *   ALM, zero-width space/joiners, word joiner, BOM, soft hyphen, tag characters…), lone surrogates and
 *   the invisible "filler" letters are replaced by U+FFFD `�`, not removed: removing them would show an
 *   address containing one exactly like the genuine address, which is the spoof; the mark shows that
 *   the value is not what it looks like. A run of them is one mark.
 * - Combining marks are kept, at most 4 in a row (enough for any real script): "zalgo" stacks would
 *   otherwise draw over the lines above and below.
 * - Every other space (no-break, thin, ideographic…) is a plain space; runs of spaces are one space.
 * - Length is bounded in code points (never cutting a surrogate pair), the cut marked with `…`.
 */

/** Shown where a one-line value held line breaks. */
export const LINE_BREAK_MARK = '↵';
/** Shown where a value held invisible formatting characters (bidi controls, zero-width…). */
export const INVISIBLE_MARK = '\uFFFD';
/** Ends a value cut to its bound. */
export const ELLIPSIS = '…';

/** Every line break Unicode knows, CRLF as one. */
const ANY_BREAK = /\r\n|[\n\u000b\u000c\r\u0085\u2028\u2029]/g;
// Anchored on the break, so that matching stays linear: a pattern starting with `\s*` would retry
// every position of a long run of spaces (quadratic on a hostile 100 000-space name). The spaces
// before the break are merged into the mark's by the final collapse of spaces.
const LINE_BREAK_RUN = /\n[\t\p{Zs}\n]*/gu;
/** C0 and C1 controls and DEL, except the line breaks (VT, FF, CR, LF, NEL) and tab, handled apart. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]/g;
/** Invisible: format characters, lone surrogates, and letters that draw nothing (Hangul fillers, CGJ, Khmer inherent vowels). */
const INVISIBLE_RUN = /[\p{Cf}\p{Cs}\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0]+/gu;
/** A fifth (or later) combining mark in a row. */
const MARK_PILE = /(\p{M}{4})\p{M}+/gu;

/** Controls removed, line breaks made LF, invisible characters marked, combining piles cut. */
function neutralise(value: string): string {
  return value
    .replace(CONTROLS, '')
    .replace(ANY_BREAK, '\n')
    .replace(INVISIBLE_RUN, INVISIBLE_MARK)
    .replace(MARK_PILE, '$1');
}

const limitOf = (maxChars: number) => Math.max(1, Math.floor(maxChars));

/**
 * The part of the input worth reading: the output is at most `maxChars` long, so a value many times
 * longer is cut first (not at a surrogate pair), which keeps the work bounded whatever a header holds.
 */
function head(value: string, maxChars: number): { text: string; cut: boolean } {
  const text = String(value);
  const room = limitOf(maxChars) * 8 + 256;
  if (text.length <= room) return { text, cut: false };
  const end = /[\ud800-\udbff]/.test(text.charAt(room - 1)) ? room - 1 : room;
  return { text: text.slice(0, end), cut: true };
}

/** Cuts to `maxChars` code points, the last one an ellipsis when anything was cut (here or by head()). */
function bound(value: string, maxChars: number, cut: boolean): string {
  const max = limitOf(maxChars);
  if (!cut && value.length <= max) return value; // UTF-16 length ≥ code points: nothing to cut
  const points = Array.from(value);
  if (!cut && points.length <= max) return value;
  return `${points.slice(0, Math.min(points.length, max - 1)).join('').trimEnd()}${ELLIPSIS}`;
}

/**
 * A value from a mail (display name, subject, file name, address, first line of a reply…) made safe to
 * show on ONE line: line breaks become ` ↵ `, controls are removed, invisible formatting characters
 * (bidi, zero-width) become `�`, spaces are collapsed, the ends trimmed, the length bounded to
 * `maxChars` code points (ellipsis included). Never throws; idempotent.
 */
export function toOneLine(value: string, maxChars: number): string {
  const { text, cut } = head(value, maxChars);
  const shown = neutralise(text)
    .replace(LINE_BREAK_RUN, ` ${LINE_BREAK_MARK} `)
    .replace(/[\t\p{Zs}]+/gu, ' ')
    .trim();
  return bound(shown, maxChars, cut);
}

/**
 * Free text from a mail that may span lines (an agent's refusal reason, sent on to the requester):
 * line breaks are kept (all kinds become LF, at most one blank line in a row), everything else as
 * toOneLine: controls removed, invisible formatting characters shown as `�`, spaces inside a line
 * collapsed, the length bounded. Never throws; idempotent.
 */
export function toSafeParagraph(value: string, maxChars: number): string {
  const { text: input, cut } = head(value, maxChars);
  const lines = neutralise(input)
    .split('\n')
    .map((line) => line.replace(/[\t\p{Zs}]+/gu, ' ').trim());
  const text = lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  return bound(text, maxChars, cut);
}

