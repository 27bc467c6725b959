import { describe, expect, it } from 'vitest';
import { ELLIPSIS, INVISIBLE_MARK, LINE_BREAK_MARK, toOneLine, toSafeParagraph } from '../../parsers/one-line';

const B = ` ${LINE_BREAK_MARK} `;
const X = INVISIBLE_MARK;

/** Nothing that starts a line, hides, reorders or has no glyph. */
// eslint-disable-next-line no-control-regex
const UNSAFE_ON_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/u;

describe('toOneLine', () => {
  it.each([
    ['plain name', 'Claire Moutin', 'Claire Moutin'],
    ['accents and French punctuation', 'Étude Moutin – Mandataires « associés »', 'Étude Moutin – Mandataires « associés »'],
    ['CRLF + fake label lines', "Claire\r\nAdresse du liquidateur (destinataire du lien) : attacker@evil.fr\r\nPoints d'attention : aucun",
      `Claire${B}Adresse du liquidateur (destinataire du lien) : attacker@evil.fr${B}Points d'attention : aucun`],
    ['LF', 'a\nb', `a${B}b`],
    ['lone CR', 'a\rb', `a${B}b`],
    ['LINE SEPARATOR U+2028', 'a\u2028b', `a${B}b`],
    ['PARAGRAPH SEPARATOR U+2029', 'a\u2029b', `a${B}b`],
    ['NEL U+0085', 'a\u0085b', `a${B}b`],
    ['vertical tab and form feed', 'a\u000bb\u000cc', `a${B}b${B}c`],
    ['a run of breaks and spaces is one mark', 'minutes.pdf \n\n  \r\n Points', `minutes.pdf${B}Points`],
    ['leading and trailing breaks', '\r\nClaire\r\n', `${LINE_BREAK_MARK} Claire ${LINE_BREAK_MARK}`],
    ['NUL and other C0 removed', 'Cl\u0000ai\u0007re\u001b[31m', 'Claire[31m'],
    ['DEL and C1 removed', 'a\u007fb\u0080c\u009bd', 'abcd'],
    ['tab is a space', 'a\tb', 'a b'],
    ['space runs collapse, ends trimmed', '  a   \u00a0 b\u3000 ', 'a b'],
    ['RLO + reversed text', 'facture\u202Efdp.exe', `facture${X}fdp.exe`],
    ['every bidi embedding, override and isolate', 'a\u202Ab\u202Bc\u202Cd\u202De\u202Ef\u2066g\u2067h\u2068i\u2069j',
      `a${X}b${X}c${X}d${X}e${X}f${X}g${X}h${X}i${X}j`],
    ['LRM, RLM, ALM', 'a\u200Eb\u200Fc\u061Cd', `a${X}b${X}c${X}d`],
    ['zero-width characters (a run is one mark)', 'pa\u200B\u200C\u200D\u2060\uFEFFul', `pa${X}ul`],
    ['soft hyphen and tag characters (ASCII smuggling)', 'a\u00ADb\u{E0041}\u{E0042}c', `a${X}b${X}c`],
    ['lone surrogate', 'a\ud800b', `a${X}b`],
    ['Hangul filler (an invisible "letter")', 'a\u3164b', `a${X}b`],
    ['combining marks: four kept, the pile cut', `e${'\u0301'.repeat(40)}`, `e${'\u0301'.repeat(4)}`],
    ['emoji and astral letters kept', 'Maître 𝒳 🙂', 'Maître 𝒳 🙂'],
    ['HTML is left to the HTML escaping', '"><img src=x onerror=alert(1)>', '"><img src=x onerror=alert(1)>'],
    ['empty', '', ''],
    ['only breaks and spaces', ' \r\n ', LINE_BREAK_MARK],
  ])('%s', (_label, input, expected) => {
    expect(toOneLine(input, 1_000)).toBe(expected);
  });

  it('bounds the length in code points, the last one an ellipsis', () => {
    const out = toOneLine('A'.repeat(10_000), 120);
    expect([...out]).toHaveLength(120);
    expect(out).toBe(`${'A'.repeat(119)}${ELLIPSIS}`);
    expect(toOneLine('A'.repeat(120), 120)).toBe('A'.repeat(120));
  });

  it('reads only the head of a value far longer than its bound, and says it was cut', () => {
    expect(toOneLine(`x${'\u0000'.repeat(100_000)}Claire`, 10)).toBe(`x${ELLIPSIS}`);
    expect(toSafeParagraph(`x\n${'\u0000'.repeat(100_000)}`, 10)).toBe(`x${ELLIPSIS}`);
    expect(toOneLine('🙂'.repeat(100_000), 3)).toBe(`🙂🙂${ELLIPSIS}`);
  });

  it('never cuts a surrogate pair', () => {
    const out = toOneLine('🙂'.repeat(50), 10);
    expect([...out]).toHaveLength(10);
    expect(out).toBe(`${'🙂'.repeat(9)}${ELLIPSIS}`);
    expect(out).not.toMatch(/\p{Cs}/u);
  });

  it('does not end the cut on a space', () => {
    expect(toOneLine('abc def', 5)).toBe(`abc${ELLIPSIS}`);
  });

  const nasty = [
    "x\r\nPoints d'attention : aucun\u2028\u2029\u0085\u000b\u000c\r",
    `\u0000\u0001\u001f\u007f\u0080\u009f\u202e\u2066\u200b\ufeff\u{e0041}${'\u0301'.repeat(9)}`,
    ` \t ${'y'.repeat(500)} \n `,
  ];
  it.each(nasty)('is idempotent and leaves nothing unsafe: %j', (input) => {
    const once = toOneLine(input, 300);
    expect(toOneLine(once, 300)).toBe(once);
    expect(once).not.toMatch(UNSAFE_ON_ONE_LINE);
    expect([...once].length).toBeLessThanOrEqual(300);
  });
});

describe('hostile sizes take linear time', () => {
  it.each([
    ['spaces without a break', ' '.repeat(1_000_000) + 'x'],
    ['spaces and tabs then a break', ' \t'.repeat(500_000) + '\n'],
    ['breaks and spaces', ' \n'.repeat(500_000)],
    ['invisible and spaces', ' \u200b'.repeat(500_000)],
    ['a pile of combining marks', `e${'\u0301'.repeat(1_000_000)}`],
    ['controls', '\u0000\u0085'.repeat(500_000)],
  ])('%s (1 MB)', (_label, input) => {
    const started = performance.now();
    const line = toOneLine(input, 120);
    const paragraph = toSafeParagraph(input, 4_000);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect([...line].length).toBeLessThanOrEqual(120);
    expect([...paragraph].length).toBeLessThanOrEqual(4_000);
  });
});

describe('toSafeParagraph', () => {
  it.each([
    ['keeps line breaks', 'Le jugement joint\nconcerne une autre entreprise.', 'Le jugement joint\nconcerne une autre entreprise.'],
    ['CRLF, CR, U+2028, U+2029, NEL become LF', 'a\r\nb\rc\u2028d\u2029e\u0085f', 'a\nb\nc\nd\ne\nf'],
    ['at most one blank line', 'a\n\n\n\n\nb', 'a\n\nb'],
    ['spaces collapsed and lines trimmed', '  a   b  \n\t c ', 'a b\nc'],
    ['controls removed', 'a\u0000b\u001bc\u009bd', 'abcd'],
    ['bidi and zero-width marked', 'a\u202Eb\u200Bc', `a${X}b${X}c`],
    ['Liquid stays text', '{{ 7*7 }}', '{{ 7*7 }}'],
  ])('%s', (_label, input, expected) => {
    expect(toSafeParagraph(input, 1_000)).toBe(expected);
  });

  it('bounds the length', () => {
    const out = toSafeParagraph('motif\n'.repeat(5_000), 4_000);
    expect([...out]).toHaveLength(4_000);
    expect(out.endsWith(ELLIPSIS)).toBe(true);
  });

  it('is idempotent', () => {
    const once = toSafeParagraph('a\r\n\r\n\r\nb\u202e \u0000 c\u2028', 100);
    expect(toSafeParagraph(once, 100)).toBe(once);
  });
});
