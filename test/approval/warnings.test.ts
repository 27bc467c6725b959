import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { flate, PAGE, pdf, raw, stream } from './pdf-builder';
import { contentStreamText, findSirenInPdf, PDF_MAX_INFLATED_BYTES } from '../../src/approval/siren-in-pdf';
import { isFreeMailDomain } from '../../src/approval/warnings';

describe('isFreeMailDomain', () => {
  it.each([
    ['jean.dupont@gmail.com', true],
    ['x@GoogleMail.com', true],
    ['x@yahoo.fr', true],
    ['x@hotmail.fr', true],
    ['x@outlook.com', true],
    ['x@live.fr', true],
    ['x@orange.fr', true],
    ['x@wanadoo.fr', true],
    ['x@free.fr', true],
    ['x@sfr.fr', true],
    ['x@neuf.fr', true],
    ['x@laposte.net', true],
    ['x@bbox.fr', true],
    ['x@icloud.com', true],
    ['x@gmx.de', true],
    ['x@proton.me', true],
    ['x@yandex.ru', true],
    ['x@yandex.com', true],
    ['gmail.com', true],
    ['x@gmail.com.', true],
    ['maitre.x@mj-dupont.fr', false],
    ['x@laposte.fr', false],
    ['x@mail.gmail.com', false],
    ['x@notgmail.com', false],
    ['x@gmail.com.evil.fr', false],
    ['x@yandex.example.fr', false],
    ['', false],
  ])('%j → %s', (address, want) => {
    expect(isFreeMailDomain(address)).toBe(want);
  });
});

const JUDGMENT = (siren: string) =>
  `BT /F1 11 Tf 72 700 Td (TRIBUNAL DE COMMERCE DE PARIS) Tj 0 -14 Td (Jugement d\\222ouverture de liquidation judiciaire) Tj ` +
  `0 -14 Td [(SOCI) 20 (\\311T\\311 EXEMPLE SAS, RCS Paris ) -250 (${siren})] TJ T* (Mandataire : Ma\\356tre Dupont) ' ET`;

describe('findSirenInPdf', () => {
  it.each([
    ['FlateDecode content, spaced SIREN', pdf([...PAGE, flate(JUDGMENT('732 829 320'))]), 'found'],
    ['FlateDecode content, SIREN glued', pdf([...PAGE, flate(JUDGMENT('732829320'))]), 'found'],
    ['dots between groups', pdf([...PAGE, flate(JUDGMENT('732.829.320'))]), 'found'],
    ['no-break spaces (octal \\240)', pdf([...PAGE, flate(JUDGMENT('732\\240829\\240320'))]), 'found'],
    ['the SIRET of the company', pdf([...PAGE, flate(JUDGMENT('732 829 320 00074'))]), 'found'],
    ['digit by digit in a TJ array', pdf([...PAGE, flate(`BT [(RCS Paris numero ) (7) -10 (3) (2) ( ) (8) (2) (9) ( ) (3) (2) (0)] TJ (suite du texte du jugement) Tj ET`)]), 'found'],
    ['uncompressed content stream', pdf([...PAGE, raw(JUDGMENT('732 829 320'))]), 'found'],
    ['hex strings', pdf([...PAGE, raw(`BT <5452494255 4e414c> Tj (de commerce de Paris, jugement) Tj <373332203832392033323 0> Tj ET`)]), 'found'],
    ['escaped parentheses around it', pdf([...PAGE, flate(`BT (Soci\\351t\\351 Exemple \\(RCS 732 829 320\\) en liquidation) Tj ET`)]), 'found'],
    ['nested parentheses', pdf([...PAGE, flate(`BT (Soci\\351t\\351 Exemple (RCS 732 829 320) en liquidation) Tj ET`)]), 'found'],
    ['another SIREN', pdf([...PAGE, flate(JUDGMENT('552 081 317'))]), 'not-found'],
    ['the SIREN inside a longer number', pdf([...PAGE, flate(JUDGMENT('1732 829 320'))]), 'not-found'],
    ['digits too far apart', pdf([...PAGE, flate(JUDGMENT('732 - / 829 320'))]), 'not-found'],
    ['image only (a scan)', pdf([...PAGE, stream('/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])), flate('q 595 0 0 842 0 0 cm /Im1 Do Q')]), 'unreadable'],
    ['the SIREN only in an image stream', pdf([...PAGE, stream('/Subtype /Image /Filter /FlateDecode', deflateSync(Buffer.from(JUDGMENT('732 829 320'))))]), 'unreadable'],
    ['a broken Flate stream', pdf([...PAGE, stream('/Filter /FlateDecode', Buffer.from('not zlib at all'))]), 'unreadable'],
    ['an unknown filter', pdf([...PAGE, stream('/Filter /LZWDecode', Buffer.from(JUDGMENT('732 829 320')))]), 'unreadable'],
    ['garbage', Buffer.from('this is not a PDF, 732 829 320, but text anyway'), 'unreadable'],
    ['empty', Buffer.alloc(0), 'unreadable'],
    ['a header and nothing else', Buffer.from('%PDF-1.7\n'), 'unreadable'],
  ])('%s → %s', (_name, doc, want) => {
    expect(findSirenInPdf(doc, '732829320')).toBe(want);
  });

  it('reads a truncated Flate stream up to the cut', () => {
    const data = deflateSync(Buffer.from(JUDGMENT('732 829 320') + ' '.repeat(2000) + 'BT (fin) Tj ET'));
    expect(findSirenInPdf(pdf([...PAGE, stream('/Filter /FlateDecode', data.subarray(0, data.length - 40))]), '732829320')).toBe('found');
  });

  it('stops inflating at the budget: a zip bomb is cut short and nothing after it is read', () => {
    const bomb = deflateSync(Buffer.alloc(PDF_MAX_INFLATED_BYTES + 1024 * 1024, 0x20));
    const started = Date.now();
    const doc = pdf([...PAGE, ...Array.from({ length: 50 }, () => stream('/Filter /FlateDecode', bomb)), flate(JUDGMENT('732 829 320'))]);
    expect(findSirenInPdf(doc, '732829320')).toBe('unreadable');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reads the streams before the budget is spent', () => {
    const big = deflateSync(Buffer.alloc(PDF_MAX_INFLATED_BYTES - 1024 * 1024, 0x20));
    expect(findSirenInPdf(pdf([...PAGE, flate(JUDGMENT('732 829 320')), stream('/Filter /FlateDecode', big)]), '732829320')).toBe('found');
    expect(findSirenInPdf(pdf([...PAGE, stream('/Filter /FlateDecode', big), stream('/Filter /FlateDecode', big), flate(JUDGMENT('732 829 320'))]), '732829320')).toBe('unreadable');
  });

  it.each([['73282932'], ['7328293200'], ['73282932a'], ['']])('refuses SIREN %j', (siren) => {
    expect(() => findSirenInPdf(pdf(PAGE), siren)).toThrow('9-digit');
  });
});

describe('contentStreamText', () => {
  it.each([
    ['Tj', '(Hello) Tj', 'Hello'],
    ['TJ joins its strings', '[(Hel) -20 (lo)] TJ', 'Hello'],
    ["' and \"", "(a) ' 1 2 (b) \"", 'a b'],
    ['escapes', '(\\(x\\) \\\\ \\101\\102 \\0617) Tj', '(x) \\ AB 17'],
    ['line continuation', '(ab\\\ncd) Tj', 'abcd'],
    ['strings of other operators are dropped', '(not shown) Foo (shown) Tj', 'shown'],
    ['UTF-16BE with a BOM', '<FEFF00C9007400E9> Tj', 'Été'],
    ['comments skipped', '% (comment) Tj\n(x) Tj', 'x'],
    ['dictionaries are not hex strings', '<< /MCID 0 >> BDC (x) Tj EMC', 'x'],
  ])('%s', (_name, content, want) => {
    expect(contentStreamText(content)).toBe(want);
  });
});
