import { describe, expect, it } from 'vitest';
import { alnumCount, assembleReading } from '../../src/documents/assemble-reading';
import { readImageHeader } from '../../src/documents/image-header';
import { isRealWord, judgeOcr } from '../../src/documents/ocr-quality';
import { pageText, type TextPiece } from '../../src/documents/page-lines';
import { despeckle, judgeRaster, measureInk, toGrey, toPgm, type GreyImage } from '../../src/documents/raster';
import { drawNoise, drawScan, greyPixels, greyTiff, PACKBITS } from '../support/documents/draw-scan';
import { hugePng } from '../support/documents/hostile-files';
import { judgmentLines } from '../support/documents/judgment-text';

/** A pdfjs text item: `str` at (x, y), `size` points, `width` wide. */
const item = (str: string, x: number, y: number, width = str.length * 6, size = 12): TextPiece => ({
  str,
  transform: [size, 0, 0, size, x, y],
  width,
  height: size,
});

/** Single characters `gap` points apart, each 7 points wide, from x. */
const spaced = (chars: string, x: number, y: number, gap: number): TextPiece[] =>
  [...chars].map((c, i) => (c === ' ' ? null : item(c, x + i * (7 + gap), y, 7))).filter((i): i is TextPiece => i !== null);

describe('pageText', () => {
  it.each<[string, TextPiece[], string]>([
    ['lines top to bottom', [item('second', 72, 700), item('first', 72, 714)], 'first\nsecond'],
    ['pieces of a line left to right, a space for a gap', [item('829 320', 118, 700, 42), item('RCS 732', 72, 700, 42)], 'RCS 732 829 320'],
    ['kerned pieces glued', [item('SOCI', 72, 700, 24), item('ÉTÉ', 96.5, 700, 18)], 'SOCIÉTÉ'],
    ['a superscript on its line', [item('1', 72, 700, 6), item('er', 78.5, 704, 8, 8), item('avril', 90, 700, 30)], '1er avril'],
    ['table cells apart: a tab', [item('SIREN', 72, 700, 30), item('732 829 320', 250, 700, 66)], 'SIREN\t732 829 320'],
    ['letter-spaced digits joined', [item('SIREN', 72, 700, 30), ...spaced('732829320', 110, 700, 8)], 'SIREN 732829320'],
    ['letter-spaced words keep the word gap', spaced('LIQUIDATION  JUDICIAIRE', 72, 700, 5), 'LIQUIDATION JUDICIAIRE'],
    ['pdfjs’s own spacing inside a piece undone', [item('J U G E M E N T', 72, 700, 120), item('D E', 200, 700, 26)], 'JUGEMENT DE'],
    ['whitespace pieces dropped', [item('RCS', 72, 700, 18), item(' ', 90, 700, 4), item('Paris', 94, 700, 30)], 'RCS Paris'],
    ['fake bold printed twice', [item('JUGEMENT', 72, 700, 60), item('JUGEMENT', 72.3, 700, 60)], 'JUGEMENT'],
    ['rotated text after the rest', [{ str: 'COPIE', transform: [0, 12, -12, 0, 20, 400], width: 30, height: 12 }, item('Jugement', 72, 700)], 'Jugement\nCOPIE'],
    ['nothing', [], ''],
  ])('%s', (_, items, text) => {
    expect(pageText(items)).toBe(text);
  });

  it('does not join ordinary words of one letter', () => {
    expect(pageText([item('il y a', 72, 700, 36)])).toBe('il y a');
  });
});

describe('rasters before OCR', () => {
  const grey = (canvas: ReturnType<typeof drawScan>): GreyImage => ({ width: canvas.width, height: canvas.height, pixels: greyPixels(canvas) });

  it.each([
    ['a blank sheet with dust', drawScan([], { dpi: 100, noise: 0.003, seed: 2 }), 'blank'],
    ['a page of text', drawScan(judgmentLines(), { dpi: 100 }), 'ink'],
    ['a page of text, speckled and askew', drawScan(judgmentLines(), { dpi: 100, angle: 2, noise: 0.03, seed: 3 }), 'ink'],
    ['8 pt text at 150 dpi', drawScan([...judgmentLines(), ...judgmentLines()], { dpi: 150, fontPt: 8 }), 'ink'],
    ['a photo lit from a corner', drawScan(judgmentLines(), { dpi: 100, darkCorner: 0.3 }), 'ink'],
    ['pure noise', drawNoise(100), 'noise'],
    ['a third of the pixels noise', drawScan([], { dpi: 100, noise: 0.35, seed: 4 }), 'noise'],
  ])('%s → %s', (_, canvas, verdict) => {
    const img = grey(canvas);
    despeckle(img);
    expect(judgeRaster(measureInk(img))).toBe(verdict);
  });

  it('despeckle removes lone specks and keeps the strokes of the text', () => {
    const clean = grey(drawScan(['RCS Nanterre 732 829 320'], { dpi: 150, inches: [4, 1] }));
    const dusty = grey(drawScan(['RCS Nanterre 732 829 320'], { dpi: 150, inches: [4, 1], noise: 0.02, seed: 8 }));
    const dark = (img: GreyImage) => img.pixels.filter((v) => v < 128).length;
    const cleanDark = dark(clean);
    const dust = dark(dusty) - cleanDark;
    despeckle(dusty);
    despeckle(clean);
    expect(dark(clean)).toBeGreaterThan(cleanDark * 0.97);
    // specks that touch one another or the text stay
    expect(dark(dusty) - cleanDark).toBeLessThan(dust * 0.25);
  });

  it('converts RGBA to grey with white under transparency, and wraps it as PGM', () => {
    const img = toGrey(new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 0]), 3, 1);
    expect([...img.pixels]).toEqual([0, 255, 255]);
    expect(Buffer.from(toPgm(img)).toString('latin1')).toBe('P5\n3 1\n255\n\x00\xff\xff');
  });
});

describe('judging OCR by its words', () => {
  it.each([
    ['liquidation', true],
    ["l'égard", true],
    ['Tribunal,', true],
    ['“Débiteur', true],
    ['RCS', false],
    ['ee', false],
    ['ÉRjsT', false],
    ['mmm', false],
    ['732', false],
  ])('%s is a real word: %s', (word, real) => {
    expect(isRealWord(word)).toBe(real);
  });

  // what tesseract gave for a noise scan: ~14 % confidence, and no word
  const NOISE = ['.', ';', '1', 'a.', '..', 'ee', 'sn', 'Hu', 'ÉRjsT', 'dd', 'n E', '‘', 'ré', 'te'].map((text, i) => ({ text, confidence: [0, 40, 57, 13, 0, 7, 9, 21, 12, 3, 2, 28, 15, 20][i]! }));
  const PAGE = 'Le Tribunal ouvre une procédure de liquidation judiciaire à l’égard de la société'.split(' ').map((text) => ({ text, confidence: 91 }));

  it.each([
    ['a noise scan', NOISE, 14, false],
    ['a thousand words of junk', Array.from({ length: 100 }, () => NOISE).flat(), 14, false],
    ['a page of text', PAGE, 88, true],
    ['a page read with low confidence', PAGE.map((w) => ({ ...w, confidence: 40 })), 40, false],
    ['one clear line of a photo', [{ text: 'RCS', confidence: 92 }, { text: 'Nanterre', confidence: 93 }, { text: 'Tribunal', confidence: 90 }], 91, true],
  ])('%s → legible %s', (_, words, confidence, legible) => {
    expect(judgeOcr(words, confidence).legible).toBe(legible);
  });
});

describe('image headers', () => {
  const png = drawScan(['x'], { dpi: 20, inches: [5, 3] }).toBuffer('image/png');
  const jpeg = drawScan(['x'], { dpi: 20, inches: [5, 3] }).toBuffer('image/jpeg');
  it.each([
    ['PNG', png, 'png', { width: 100, height: 60, pages: 1 }],
    ['JPEG', jpeg, 'jpeg', { width: 100, height: 60, pages: 1 }],
    ['TIFF', greyTiff(drawScan([], { dpi: 20, inches: [5, 3] }), 20), 'tiff', { width: 100, height: 60, pages: 1, compression: PACKBITS }],
    ['a PNG bomb', hugePng(), 'png', { width: 100_000, height: 100_000, pages: 1 }],
  ] as const)('%s', (_, content, kind, header) => {
    expect(readImageHeader(content, kind)).toEqual(header);
  });

  it.each([
    ['a cut JPEG', jpeg.subarray(0, 20), 'jpeg'],
    ['a cut PNG', png.subarray(0, 12), 'png'],
    ['a TIFF pointing outside itself', Buffer.from('II*\0\xff\xff\xff\x00', 'latin1'), 'tiff'],
  ] as const)('none for %s', (_, content, kind) => {
    expect(readImageHeader(content, kind)).toBeNull();
  });
});

describe('assembleReading', () => {
  const base = { ocrPages: [], confidences: [], notes: [] };
  it('separates pages by form feeds, bounds the text and keeps page numbers', () => {
    const r = assembleReading({ ...base, pages: 3, texts: ['a'.repeat(8), null, 'RCS Nanterre 732 829 320'] }, 20, 5);
    expect(r).toMatchObject({ status: 'read', method: 'text', pages: 3, pagesRead: 2, skippedPages: [2], textTruncated: true, text: `${'a'.repeat(8)}\f\fRCS Nanterre` });
  });

  it('is NO_TEXT when no page has a letter or digit, with the reasons', () => {
    expect(assembleReading({ ...base, pages: 2, texts: ['', ' '], notes: ['page 1: blank', 'page 2: noise'] }, 100, 5)).toEqual({
      status: 'unreadable',
      reason: 'NO_TEXT',
      detail: 'page 1: blank; page 2: noise',
      pages: 2,
      elapsedMs: 5,
    });
  });

  it('gives the mean OCR confidence and the OCR method', () => {
    const r = assembleReading({ pages: 2, texts: ['x', 'y'], ocrPages: [1, 2], confidences: [80, 91], notes: [] }, 100, 5);
    expect(r).toMatchObject({ method: 'ocr', confidence: 86, ocrPages: [1, 2] });
  });

  it('counts letters and digits of any script', () => {
    expect(alnumCount('É7 ; ж…')).toBe(3);
  });
});
