import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { flate, PAGE, pdf, raw, stream } from './pdf-builder';
import { contentStreamText, findSirenInPdf } from '../../src/approval/siren-in-pdf';
import { courtDocumentPdf, drainBenchPdf, judgmentPage, prng } from '../support/siren-pdfs';
import { referenceContentStreamText, referenceFindSirenInPdf } from './siren-reference';

// The byte scanner that replaced the string-building one must give the same answers: every case
// here is checked against the frozen copy of the old code (siren-reference.ts) as well.

const SIREN = '732829320';

/** Enough letters for the document not to be taken for a scan. */
const PROSE = '(Jugement du tribunal de commerce de Paris) Tj';
const doc = (...streams: Buffer[]) => pdf([...PAGE, ...streams]);

describe('findSirenInPdf, edge cases (same answer as before the speed-up)', () => {
  it.each([
    // split across text operators: one space between the texts of two operators
    ['split over Tj operators', doc(flate(`BT ${PROSE} (RCS 732) Tj (829) Tj (320) Tj ET`)), 'found'],
    ['split over Tj, glued halves', doc(flate(`BT ${PROSE} (RCS 732) Tj (829320) Tj ET`)), 'found'],
    ['split over \' and " operators', doc(raw(`BT ${PROSE} (732 829) ' 1 2 (320) " ET`)), 'found'],
    ['split over operators, 4 separators', doc(flate(`BT ${PROSE} (RCS 732  ) Tj ( 829 320) Tj ET`)), 'not-found'],
    ['split within a TJ array', doc(flate(`BT ${PROSE} [(73) -20 (2 82) 10 (9 320)] TJ ET`)), 'found'],
    ['strings of another operator are dropped', doc(flate(`BT ${PROSE} (732 829 320) Td ET`)), 'not-found'],
    ['a name between string and Tj drops it', doc(flate(`BT ${PROSE} (732 829 320) /F1 Tj ET`)), 'not-found'],
    // separators
    ['spaced digit by digit', doc(flate(`BT ${PROSE} (7 3 2 8 2 9 3 2 0) Tj ET`)), 'found'],
    ['hyphens and tabs', doc(flate(`BT ${PROSE} (732-829\\t320) Tj ET`)), 'found'],
    ['three separators in a row', doc(flate(`BT ${PROSE} (732 . 829 - 320) Tj ET`)), 'found'],
    ['four separators in a row', doc(flate(`BT ${PROSE} (732 .  829 320) Tj ET`)), 'not-found'],
    ['a comma is no separator', doc(flate(`BT ${PROSE} (732,829,320) Tj ET`)), 'not-found'],
    ['a line break is no separator', doc(flate(`BT ${PROSE} (732\\n829 320) Tj ET`)), 'not-found'],
    ['narrow no-break spaces in UTF-16', doc(flate(`BT ${PROSE} <FEFF0037003300320020003800320039202F003300320030> Tj ET`)), 'found'],
    ['no-break spaces in a hex string', doc(raw(`BT ${PROSE} <373332A0383239A0333230> Tj ET`)), 'found'],
    // digits around it
    ['a digit just before it', doc(flate(`BT ${PROSE} (n\\260 1732829320) Tj ET`)), 'not-found'],
    ['a digit before it in the previous operator', doc(flate(`BT ${PROSE} (n\\260 1) Tj (732829320) Tj ET`)), 'found'],
    ['a digit before it in the same TJ', doc(flate(`BT ${PROSE} [(n\\260 1) (732829320)] TJ ET`)), 'not-found'],
    ['a partial SIREN just before the real one', doc(flate(`BT ${PROSE} (732 829 732 829 320) Tj ET`)), 'found'],
    ['digits after it (a SIRET)', doc(flate(`BT ${PROSE} (73282932000074) Tj ET`)), 'found'],
    ['a partial SIREN glued to the real one', doc(flate(`BT ${PROSE} (RCS 732 829 3732 829 320) Tj ET`)), 'not-found'],
    // streams
    ['uncompressed stream', doc(raw(`BT ${PROSE} (732 829 320) Tj ET`)), 'found'],
    ['compressed stream', doc(flate(`BT ${PROSE} (732 829 320) Tj ET`)), 'found'],
    ['a match in a later stream', doc(flate(`BT ${PROSE} ET`), raw('q 1 0 0 1 0 0 cm Q'), flate('BT (RCS Paris 732 829 320) Tj ET')), 'found'],
    ['a match after an image and a broken stream', doc(stream('/Subtype /Image /Filter /DCTDecode', Buffer.from([0xff, 0xd8, 0x28])), stream('/Filter /FlateDecode', Buffer.from('broken')), flate(`BT ${PROSE} (732 829 320) Tj ET`)), 'found'],
    ['not across two streams', doc(flate(`BT ${PROSE} (RCS 732 829) Tj ET`), flate('BT (320) Tj ET')), 'not-found'],
    ['a digit ending the previous stream', doc(flate(`BT ${PROSE} (page 1) Tj ET`), flate('BT (732829320) Tj ET')), 'found'],
    ['found, but too little text in all', doc(flate('BT (732829320) Tj ET')), 'unreadable'],
    ['found early, enough text only in a later stream', doc(flate('BT (732829320) Tj ET'), raw('q Q'), flate(`BT ${PROSE} ET`)), 'found'],
    ['found, enough text only with the later streams together', doc(flate('BT (732829320 a) Tj ET'), flate('BT (bcdefghij) Tj ET'), flate('BT (k) Tj ET')), 'found'],
    ['found, one character short', doc(flate('BT (732829320 a) Tj ET'), flate('BT (bcdefghi) Tj ET')), 'unreadable'],
    ['letters in UTF-16 count as text', doc(flate(`BT <FEFF004A0075006700650020006400750020007400720069006200750061006C00200064006500200063006F006D006D0065007200630065> Tj (732 829 320) Tj ET`)), 'found'],
    // odd syntax
    ['a comment hides a string', doc(flate(`BT ${PROSE} % (732 829 320) Tj\n(autre) Tj ET`)), 'not-found'],
    ['an unterminated string at the end', doc(flate(`BT ${PROSE} (732 829 320`)), 'not-found'],
    ['a backslash ending the stream', doc(flate(`BT ${PROSE} (732 829 320\\`)), 'not-found'],
    ['an unterminated hex string', doc(flate(`BT ${PROSE} <3733`)), 'not-found'],
    ['an odd-length UTF-16 string', doc(flate(`BT ${PROSE} <FEFF003700330032003800320039003300320030 00> Tj ET`)), 'found'],
    ['octal escapes for the digits', doc(flate(`BT ${PROSE} (\\067\\63\\0628\\062\\071 320) Tj ET`)), 'found'],
    ['an operator longer than 8 letters', doc(flate(`BT ${PROSE} (732 829 320) abcdefghTj ET`)), 'not-found'],
    ['Tj glued to a longer operator', doc(flate(`BT ${PROSE} (732 829 320) abcdefTj ET`)), 'not-found'],
    ['dictionaries read as hex strings', doc(raw(`BT ${PROSE} /Span << /ActualText (x) >> BDC (732 829 320) Tj EMC ET`)), 'found'],
    // not a PDF
    ['garbage', Buffer.from('this is not a PDF, 732 829 320, but text anyway (732 829 320) Tj'), 'unreadable'],
    ['the header after the first KiB', Buffer.concat([Buffer.alloc(1024, 0x20), doc(flate(`BT ${PROSE} (732 829 320) Tj ET`))]), 'unreadable'],
    ['the header late in the first KiB', Buffer.concat([Buffer.alloc(1000, 0x20), doc(flate(`BT ${PROSE} (732 829 320) Tj ET`))]), 'found'],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)), 'unreadable'],
  ])('%s → %s', (_name, input, want) => {
    expect(findSirenInPdf(input, SIREN)).toBe(want);
    expect(referenceFindSirenInPdf(input, SIREN)).toBe(want);
  });

  it('stops at the first match: what follows it is not read', () => {
    // a stream after the match that would take long to scan (19 MiB of spaces) changes nothing
    const big = deflateSync(Buffer.alloc(19 * 1024 * 1024, 0x20));
    const input = doc(flate(`BT ${PROSE} (732 829 320) Tj ET`), stream('/Filter /FlateDecode', big));
    const started = performance.now();
    expect(findSirenInPdf(input, SIREN)).toBe('found');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('reads a string longer than a spread of arguments allows (the old code threw RangeError)', () => {
    const long = `(${'x'.repeat(300_000)} 732 829 320) Tj`;
    expect(findSirenInPdf(doc(flate(`BT ${long} ET`)), SIREN)).toBe('found');
    expect(contentStreamText(long)).toHaveLength(300_012);
  });
});

describe('findSirenInPdf, realistic documents', () => {
  const KIB150 = 150 * 1024;
  it.each([
    ['the drain benchmark\'s attachment', drainBenchPdf(KIB150), 'unreadable'],
    ['SIREN on page 1', courtDocumentPdf({ bytes: KIB150, siren: '732 829 320', sirenPage: 1 }), 'found'],
    ['SIREN on page 6', courtDocumentPdf({ bytes: KIB150, siren: '732 829 320', sirenPage: 6 }), 'found'],
    ['SIREN glued, on page 3', courtDocumentPdf({ bytes: KIB150, siren: '732829320', sirenPage: 3 }), 'found'],
    ['another SIREN', courtDocumentPdf({ bytes: KIB150, siren: '552 081 317' }), 'not-found'],
    ['SIREN absent', courtDocumentPdf({ bytes: KIB150, siren: null }), 'not-found'],
  ])('%s → %s', (_name, input, want) => {
    expect(findSirenInPdf(input, SIREN)).toBe(want);
    expect(referenceFindSirenInPdf(input, SIREN)).toBe(want);
  });

  it('shows the same text as before for every page', () => {
    for (let p = 1; p <= 6; p++) {
      const page = judgmentPage(p, p === 2 ? '732 829 320' : null);
      expect(contentStreamText(page)).toBe(referenceContentStreamText(page));
    }
  });
});


// Pieces of content-stream syntax, odd ones included, so that random sequences of them reach the
// corners of both scanners (escapes, nesting, unterminated strings, long operators, comments…).
const PIECES = [
  '(', ')', '<', '>', '<<', '>>', '[', ']', '\\', '\\(', '\\)', '\\\\', '\\n', '\\r', '\\\r\n', '\\\r', '\\\n', '\\0', '\\12', '\\377', '\\400', '\\8',
  'Tj', 'TJ', "'", '"', 'Td', 'T*', 'Tj*', 'BT', 'ET', 'abcdefghTj', 'Tjx', '/F1', '%', '\n', '\r', ' ', '  ', '\t', '-', '.', '\xa0',
  '7', '3', '2', '8', '9', '0', '1', '732', '829', '320', '732 829 320', '732829320', 'FEFF', 'FE', 'FF', '00', '20', '2F', '202F', 'A0', '37',
  'a', 'Z', 'x1', '\xe9', '\x00', '\xff', '*', '0.5',
];

function randomContent(next: () => number, pieces: number): string {
  let s = '';
  for (let k = 0; k < pieces; k++) s += PIECES[Math.floor(next() * PIECES.length)]!;
  return s;
}

describe('differential: random content against the old scanner', () => {
  it('contentStreamText gives the same text on 3000 random streams', () => {
    const next = prng(42);
    for (let n = 0; n < 3000; n++) {
      const content = randomContent(next, 1 + Math.floor(next() * 60));
      expect(contentStreamText(content), JSON.stringify(content)).toBe(referenceContentStreamText(content));
    }
  });

  it('findSirenInPdf gives the same answer on 2000 random documents', () => {
    const next = prng(7);
    const seen = new Set<string>();
    for (let n = 0; n < 2000; n++) {
      const streams: Buffer[] = [];
      const count = 1 + Math.floor(next() * 4);
      for (let s = 0; s < count; s++) {
        // mostly text, so that every answer occurs
        const siren = next() < 0.3 ? ' (732 829 320) Tj ' : ' ';
        const body = `BT ${next() < 0.5 ? PROSE : ''} ${randomContent(next, Math.floor(next() * 20))}${siren}${randomContent(next, Math.floor(next() * 20))} ET`;
        const kind = next();
        streams.push(kind < 0.45 ? flate(body) : kind < 0.9 ? raw(body) : stream('/Subtype /Image', Buffer.from(body, 'latin1')));
      }
      const input = doc(...streams);
      const want = referenceFindSirenInPdf(input, SIREN);
      seen.add(want);
      expect(findSirenInPdf(input, SIREN), `document ${n}`).toBe(want);
    }
    expect([...seen].sort()).toEqual(['found', 'not-found', 'unreadable']);
  });

  it.each([['111111111'], ['732829320'], ['000000000'], ['123123123']])('SIREN %s: same answer on texts made of its digits', (siren) => {
    const next = prng(Number(siren.slice(0, 4)));
    const alphabet = [...new Set(siren), ' ', '  ', '.', '-', '\\t', 'x', '4', ') Tj (', ') Tj T* (', ') Td ('];
    for (let n = 0; n < 1500; n++) {
      let text = '';
      const len = 5 + Math.floor(next() * 30);
      for (let k = 0; k < len; k++) text += alphabet[Math.floor(next() * alphabet.length)]!;
      const input = doc(raw(`BT ${PROSE} (${text}) Tj ET`));
      expect(findSirenInPdf(input, siren), text).toBe(referenceFindSirenInPdf(input, siren));
    }
  });
});
