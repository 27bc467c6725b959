/**
 * The corpus of court-like documents for the reading tests (test/documents/read-document.test.ts) and
 * the benchmark (bench/documents.ts): each built in memory, deterministically, by the functions below.
 * `npx tsx scripts/make-document-corpus.ts DIR` writes them out to look at.
 */
import { createCanvas } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import type { DocumentKind } from '../../../parsers/document-sniff.js';
import { DEFLATE, DEJAVU_SERIF, drawNoise, drawScan, greyTiff, type ScanOptions } from './draw-scan';
import { decompressionBombPdf, garbagePdf, hugeImagePdf, hugePng, nestedFormsPdf, pageBombPdf } from './hostile-files';
import { headingLines, judgmentLines, MOTIFS, NANTERRE, partyLines, rulingLines, type JudgmentText } from './judgment-text';

export interface CorpusDocument {
  name: string;
  kind: DocumentKind;
  content: Buffer;
}

export type PdfKit = InstanceType<typeof PDFDocument>;

/** A PDF drawn by pdfkit. */
export function pdfkit(draw: (doc: PdfKit) => void, options: PDFKit.PDFDocumentOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // a fixed date: the same bytes on every run
    const doc = new PDFDocument({ size: 'A4', margin: 60, info: { CreationDate: new Date(Date.UTC(2026, 2, 15)) }, ...options });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    draw(doc);
    doc.end();
  });
}

/** Embedded TrueType font (DejaVu Serif): pdfkit writes it as a CID font, Identity-H, glyph ids in the content. */
export function cidFontPdf(text: JudgmentText = NANTERRE): Promise<Buffer> {
  return pdfkit((doc) => doc.font(DEJAVU_SERIF).fontSize(11).text(judgmentLines(text).join('\n')));
}

/** Standard font (Helvetica, WinAnsi): a court of Alsace, where the tribunal judiciaire hears insolvencies. */
export function standardFontPdf(): Promise<Buffer> {
  const strasbourg: JudgmentText = {
    court: 'TRIBUNAL JUDICIAIRE DE STRASBOURG',
    city: 'Strasbourg',
    date: '2 avril 2026',
    debtor: 'SARL EXEMPLE INDUSTRIE',
    registration: 'SIREN : 732829320',
  };
  return pdfkit((doc) => doc.font('Helvetica').fontSize(11).text(judgmentLines(strasbourg).join('\n')));
}

/** A spaced-out heading and a SIREN set with letter-spacing (Tc), as some court software prints them. */
export function letterSpacedPdf(): Promise<Buffer> {
  return pdfkit((doc) => {
    doc.font(DEJAVU_SERIF).fontSize(11);
    doc.fontSize(14).text('JUGEMENT DE LIQUIDATION JUDICIAIRE', { characterSpacing: 5 });
    doc.fontSize(11).text(headingLines(NANTERRE).join('\n'));
    doc.text('Débiteur : SAS EXEMPLE INDUSTRIE');
    doc.text('Numéro SIREN :', { continued: true }).text(' 732829320', { characterSpacing: 7 });
    doc.text(rulingLines(NANTERRE).join('\n'));
  });
}

/** Three pages; the parties, with the SIREN, on page 2. */
export function multiPagePdf(): Promise<Buffer> {
  return pdfkit((doc) => {
    doc.font(DEJAVU_SERIF).fontSize(11);
    doc.text([...headingLines(NANTERRE), '', ...MOTIFS].join('\n'));
    doc.addPage().text([...partyLines(NANTERRE), '', ...MOTIFS].join('\n'));
    doc.addPage().text(rulingLines(NANTERRE).join('\n'));
  });
}

/**
 * An extract laid out as a table, written column by column (all labels, then all values) so that the
 * content order is not the reading order; cells far apart.
 */
export function tablePdf(): Promise<Buffer> {
  const rows: [string, string][] = [
    ['Juridiction', 'Tribunal de commerce de Lyon'],
    ['Date du jugement', '02/04/2026'],
    ['Nature', 'Liquidation judiciaire'],
    ['Dénomination', 'LES JARDINS DE MARIE'],
    ['Forme', 'SARL'],
    ['SIREN', '732 829 320'],
    ['Liquidateur', 'Maître Paul LEROY, mandataire judiciaire'],
  ];
  return pdfkit((doc) => {
    doc.font(DEJAVU_SERIF).fontSize(11).text('EXTRAIT DU REGISTRE DES PROCÉDURES COLLECTIVES', 60, 80);
    rows.forEach(([label], i) => doc.text(label, 60, 140 + i * 28, { lineBreak: false }));
    rows.forEach(([, value], i) => doc.text(value, 250, 140 + i * 28, { lineBreak: false }));
    rows.forEach((_, i) => doc.moveTo(55, 134 + i * 28).lineTo(540, 134 + i * 28).stroke());
  });
}

/** A judgment about another company: the SIREN of the request is not in it. */
export function otherCompanyPdf(): Promise<Buffer> {
  return cidFontPdf({ ...NANTERRE, court: 'TRIBUNAL DE COMMERCE DE PARIS', city: 'Paris', debtor: 'SAS AUTRE ENTREPRISE', registration: 'RCS Paris 552 100 554' });
}

/** The judgment as a scanner makes it: one JPEG page image (200 dpi, 1.2° askew, speckled) in a PDF. */
export function scannedPdf(scan: Partial<ScanOptions> = {}): Promise<Buffer> {
  const image = drawScan(judgmentLines(), { dpi: 200, angle: 1.2, noise: 0.02, seed: 3, ...scan }).toBuffer('image/jpeg', 85);
  return pdfkit((doc) => doc.image(image, 0, 0, { width: doc.page.width, height: doc.page.height }), { margin: 0 });
}

/**
 * A scanner's PDF of a judgment: `pages` page images (200 dpi grey JPEG at quality 72, askew, a little
 * dust: about 350 KiB a page, what office scanners make), the judgment on page 1, motifs after it.
 */
export async function scannedJudgment(pages: number): Promise<Buffer> {
  const images = Array.from({ length: pages }, (_, i) => {
    const lines = i === 0 ? judgmentLines() : Array.from({ length: 8 }, () => MOTIFS).flat();
    return drawScan(lines, { dpi: 200, angle: i % 2 === 0 ? 1.2 : -0.8, noise: 0.003, seed: 3 + i }).toBuffer('image/jpeg', 72);
  });
  return pdfkit((doc) => {
    images.forEach((image, i) => {
      if (i > 0) doc.addPage();
      doc.image(image, 0, 0, { width: doc.page.width, height: doc.page.height });
    });
  }, { margin: 0 });
}

/**
 * The judgment fed into the scanner sideways (a quarter turn, `turn` 90) or upside down (180): the page
 * image of the PDF is the sheet as the scanner saw it, with no /Rotate to set it right.
 */
export function turnedScanPdf(turn: 90 | 180): Promise<Buffer> {
  const sheet = drawScan(judgmentLines(), { dpi: 200, angle: 0.8, noise: 0.01, seed: 11 });
  const [w, h] = turn === 90 ? [sheet.height, sheet.width] : [sheet.width, sheet.height];
  const turned = createCanvas(w, h);
  const ctx = turned.getContext('2d');
  ctx.translate(w / 2, h / 2);
  ctx.rotate((turn * Math.PI) / 180);
  ctx.drawImage(sheet, -sheet.width / 2, -sheet.height / 2);
  const image = turned.toBuffer('image/jpeg', 85);
  const size: [number, number] = turn === 90 ? [841.89, 595.28] : [595.28, 841.89];
  return pdfkit((doc) => doc.image(image, 0, 0, { width: size[0], height: size[1] }), { margin: 0, size });
}

/** A phone photo of the top of the judgment: 3° askew, lit from one corner, JPEG. */
export function photoJpeg(): Buffer {
  return drawScan(judgmentLines().slice(0, 18), { dpi: 170, angle: -3, noise: 0.01, darkCorner: 0.5, seed: 5, inches: [8.27, 6.2] }).toBuffer('image/jpeg', 80);
}

/**
 * A phone photo taken sideways: the pixels stored turned a quarter left, with EXIF orientation 6
 * ("turn right to view"), as phones write them.
 */
export function sidewaysPhotoJpeg(): Buffer {
  const upright = drawScan(judgmentLines().slice(0, 10), { dpi: 170, angle: 1, seed: 6, inches: [8.27, 4] });
  const stored = createCanvas(upright.height, upright.width);
  const ctx = stored.getContext('2d');
  ctx.translate(0, upright.width);
  ctx.rotate(-Math.PI / 2);
  ctx.drawImage(upright, 0, 0);
  return withExifOrientation(stored.toBuffer('image/jpeg', 85), 6);
}

/** A JPEG with an EXIF APP1 segment holding only the orientation tag, right after SOI. */
export function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4); // IFD at 8
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x0112, 10); // Orientation
  tiff.writeUInt16LE(3, 12); // SHORT
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22); // no next IFD
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

/** A clean scan of the top of the judgment as PNG. */
export function scanPng(): Buffer {
  return drawScan(judgmentLines().slice(0, 12), { dpi: 200, angle: 0.6, seed: 9, inches: [8.27, 4.5] }).toBuffer('image/png');
}

/** The same as a greyscale TIFF (PackBits, what tesseract's libtiff reads). */
export function scanTiff(compression?: Parameters<typeof greyTiff>[2]): Buffer {
  return greyTiff(drawScan(judgmentLines().slice(0, 12), { dpi: 200, seed: 9, inches: [8.27, 4.5] }), 200, compression);
}

export function blankScanPng(): Buffer {
  return drawScan([], { dpi: 200, noise: 0.002, seed: 11 }).toBuffer('image/png');
}

export function noiseScanPng(): Buffer {
  return drawNoise(200).toBuffer('image/png');
}

/** Opens only with the password. */
export function encryptedPdf(): Promise<Buffer> {
  return pdfkit((doc) => doc.font(DEJAVU_SERIF).text(judgmentLines().join('\n')), { userPassword: 'greffe', ownerPassword: 'greffe-owner' });
}

/** The CID-font judgment cut at 60 % of its bytes: no xref, no trailer, the font cut short. */
export async function truncatedPdf(): Promise<Buffer> {
  const whole = await cidFontPdf();
  return whole.subarray(0, Math.floor(whole.length * 0.6));
}

/** The whole corpus, in the order of the table test. */
export async function buildCorpus(): Promise<CorpusDocument[]> {
  const pdf = (name: string, content: Buffer): CorpusDocument => ({ name, kind: 'pdf', content });
  return [
    pdf('cid-font', await cidFontPdf()),
    pdf('standard-font', await standardFontPdf()),
    pdf('letter-spaced', await letterSpacedPdf()),
    pdf('multi-page', await multiPagePdf()),
    pdf('table', await tablePdf()),
    pdf('other-company', await otherCompanyPdf()),
    pdf('scanned', await scannedPdf()),
    { name: 'photo', kind: 'jpeg', content: photoJpeg() },
    { name: 'photo-sideways', kind: 'jpeg', content: sidewaysPhotoJpeg() },
    { name: 'scan-png', kind: 'png', content: scanPng() },
    { name: 'scan-tiff', kind: 'tiff', content: scanTiff() },
    { name: 'scan-tiff-deflate', kind: 'tiff', content: scanTiff(DEFLATE) },
    pdf('scan-sideways', await turnedScanPdf(90)),
    pdf('scan-upside-down', await turnedScanPdf(180)),
    { name: 'blank-scan', kind: 'png', content: blankScanPng() },
    { name: 'noise-scan', kind: 'png', content: noiseScanPng() },
    pdf('encrypted', await encryptedPdf()),
    pdf('truncated', await truncatedPdf()),
    pdf('garbage', garbagePdf()),
    pdf('page-bomb', pageBombPdf()),
    pdf('huge-image-pdf', hugeImagePdf()),
    { name: 'huge-png', kind: 'png', content: hugePng() },
    pdf('decompression-bomb', decompressionBombPdf()),
    pdf('nested-forms', nestedFormsPdf()),
  ];
}
