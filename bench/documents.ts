/**
 * Micro-benchmark of reading court documents (src/documents/): time to read a text PDF and one OCR
 * page (p50/p95), the OCR resolution sweep behind OCR_DPI, hostile and large inputs, and the peak
 * resident memory of this (daemon-side) process and of the reader processes.
 *
 *   npx tsx bench/documents.ts [--runs 20] [--ocr-runs 6] [--quick] [--skip-sweep]
 *
 * Figures, not a test: nothing here fails. The machine's other load shows in the spread.
 */
import { compareSiren } from '../src/documents/document-facts';
import { OCR_DPI, type DocumentReading } from '../src/documents/document-reading';
import { createDocumentReader, type DocumentReader } from '../src/documents/read-document';
import { cidFontPdf, pdfkit, scannedPdf } from '../test/support/documents/corpus';
import { DEJAVU_SERIF, drawScan } from '../test/support/documents/draw-scan';
import { decompressionBombPdf, pdfFromObjects, streamBody } from '../test/support/documents/hostile-files';
import { judgmentLines, MOTIFS } from '../test/support/documents/judgment-text';
import { percentile, round } from './stats';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const QUICK = process.argv.includes('--quick');
const RUNS = arg('runs', QUICK ? 8 : 20);
const OCR_RUNS = arg('ocr-runs', QUICK ? 3 : 6);
const SIREN = '732829320';

// The daemon's side, while a reading is in progress only (building the corpus here blocks this
// process, the readings must not): resident memory above its level when the reading began, sampled
// every 10 ms, and the event loop's delay.
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
let reading = false;
let readBaseMb = 0;
let readPeakMb = 0;
let maxGrowthMb = 0;
/** Lateness of a 10 ms timer, ms, over ticks that fell within readings. */
const lateness: number[] = [];
let lastTick = performance.now();
const sampler = setInterval(() => {
  const now = performance.now();
  if (reading) {
    readPeakMb = Math.max(readPeakMb, rssMb());
    lateness.push(Math.max(0, now - lastTick - 10));
  }
  lastTick = now;
}, 10);

async function timed(reader: DocumentReader, content: Buffer, kind: 'pdf' | 'jpeg' | 'png' | 'tiff'): Promise<{ ms: number; reading: DocumentReading; growthMb: number }> {
  readBaseMb = readPeakMb = rssMb();
  reading = true;
  lastTick = performance.now();
  const t = performance.now();
  const result = await reader.readDocument(content, kind);
  const ms = performance.now() - t;
  reading = false;
  const growthMb = Math.max(0, readPeakMb - readBaseMb);
  maxGrowthMb = Math.max(maxGrowthMb, growthMb);
  return { ms, reading: result, growthMb };
}

function line(label: string, values: number[], extra = ''): void {
  const f = (x: number) => round(x, 0).toString().padStart(6);
  console.log(`${label.padEnd(44)} p50 ${f(percentile(values, 50))} ms  p95 ${f(percentile(values, 95))} ms  (n=${values.length})${extra}`);
}

function outcome(r: DocumentReading): string {
  if (r.status === 'unreadable') return `${r.reason} (${r.detail})`;
  const f = r.facts;
  return `${r.method} ${r.pagesRead}/${r.pages} p, conf ${r.confidence ?? '-'}, SIREN ${compareSiren(f, SIREN).result}, date ${f.judgmentDate?.date ?? '-'}, court ${f.court ? 'yes' : 'no'}`;
}

const SWEEP_LINES = [...judgmentLines(), '', ...MOTIFS, ...MOTIFS];
/** Words of 3 letters or more, lower-cased. */
const wordsOf = (text: string) => text.toLowerCase().match(/[a-zàâäçéèêëîïôöùûüÿœæ]{3,}/g) ?? [];

/** Share of the page's words (3+ letters) found in the OCR text. */
function wordRecall(r: DocumentReading): number {
  if (r.status !== 'read') return 0;
  const read = new Set(wordsOf(r.text));
  const truth = wordsOf(SWEEP_LINES.join(' '));
  return truth.filter((w) => read.has(w)).length / truth.length;
}

/** A page scanned at 300 dpi with text of `pt` points, askew and speckled, in a PDF; `faded`: grey toner, JPEG 40. */
async function scanAt(pt: number, faded: boolean): Promise<Buffer> {
  const image = drawScan(SWEEP_LINES, { dpi: 300, fontPt: pt, angle: 0.8, noise: 0.01, seed: pt, ...(faded ? { ink: '#8a8a8a' } : {}) }).toBuffer('image/jpeg', faded ? 40 : 80);
  return pdfkit((doc) => doc.image(image, 0, 0, { width: doc.page.width, height: doc.page.height }), { margin: 0 });
}

/** ~40 MiB: a text page plus an uncompressed 40 MiB image that is too large to draw. */
function bigPdf(): Buffer {
  const text = judgmentLines().map((l, i) => `BT /F1 10 Tf 60 ${780 - i * 13} Td (${l.replace(/[()\\]/g, '')}) Tj ET`).join('\n');
  const side = [5000, 8389];
  const pixels = Buffer.alloc(side[0]! * side[1]!, 0x80);
  return pdfFromObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Count 1 /Kids [3 0 R] >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>',
    streamBody('', Buffer.from(`q 595 0 0 842 0 0 cm /Im1 Do Q\n${text}`, 'latin1')),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    streamBody(`/Type /XObject /Subtype /Image /Width ${side[0]} /Height ${side[1]} /ColorSpace /DeviceGray /BitsPerComponent 8`, pixels),
  ]);
}

console.log(`node ${process.version}; OCR_DPI ${OCR_DPI}; readers: child processes, 1 in the pool`);

// 1. a text PDF (CID font), warm reader
{
  const reader = createDocumentReader();
  const pdf = await cidFontPdf();
  const cold = await timed(reader, pdf, 'pdf');
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await timed(reader, pdf, 'pdf')).ms);
  console.log(`\ntext PDF (CID font, 1 page, ${pdf.length} bytes): first reading ${round(cold.ms, 0)} ms (reader build + start); ${outcome(cold.reading)}`);
  line('text PDF, warm reader', times);

  // 2. one OCR page at OCR_DPI (scanner at 200 dpi), same reader
  const scan = await scannedPdf();
  const first = await timed(reader, scan, 'pdf');
  const ocrTimes: number[] = [];
  for (let i = 0; i < OCR_RUNS; i++) ocrTimes.push((await timed(reader, scan, 'pdf')).ms);
  console.log(`\nscanned PDF, 1 page: first OCR ${round(first.ms, 0)} ms (includes tesseract start); ${outcome(first.reading)}`);
  line(`OCR page at ${OCR_DPI} dpi, warm`, ocrTimes);
  console.log(`reader peak RSS so far: ${reader.stats().peakReaderRssMb} MB`);
  await reader.close();
}

// 3. the resolution sweep: pages scanned at 300 dpi with 8, 9 and 11 pt text, rasterised at 150/200/300
if (!process.argv.includes('--skip-sweep')) {
  console.log('\nOCR resolution sweep (A4 page of text scanned at 300 dpi, 0.8° askew, 1 % specks; "faded": grey toner, JPEG q40);');
  console.log('time: best of 2; recall: share of the page\'s words read exactly');
  const variants = [[7, false], [8, false], [11, false], [8, true], [11, true]] as const;
  const pages = await Promise.all(variants.map(async ([pt, faded]) => ({ label: `${pt} pt${faded ? ' faded' : ''}`, pdf: await scanAt(pt, faded) })));
  for (const dpi of [150, 200, 300]) {
    const reader = createDocumentReader({ ocrDpi: dpi });
    await timed(reader, pages[2]!.pdf, 'pdf'); // warm: tesseract started
    for (const { label, pdf } of pages) {
      const first = await timed(reader, pdf, 'pdf');
      const again = await timed(reader, pdf, 'pdf');
      const recall = `recall ${round(wordRecall(again.reading) * 100, 0)} %`;
      console.log(`  ${dpi} dpi, ${label.padEnd(11)} ${round(Math.min(first.ms, again.ms), 0).toString().padStart(5)} ms  ${recall}; ${outcome(again.reading)}`);
    }
    console.log(`  ${dpi} dpi: reader peak RSS ${reader.stats().peakReaderRssMb} MB`);
    await reader.close();
  }
}

// 4. large and hostile inputs, each on a fresh reader
{
  const scanPage = drawScan(judgmentLines(), { dpi: 200, angle: 1, noise: 0.01, seed: 4 }).toBuffer('image/jpeg', 80);
  const twentyPages = await pdfkit((doc) => {
    for (let p = 0; p < 20; p++) {
      if (p > 0) doc.addPage();
      doc.image(scanPage, 0, 0, { width: doc.page.width, height: doc.page.height });
    }
  }, { margin: 0, font: DEJAVU_SERIF });
  const cases: [string, Buffer][] = [
    [`20-page scan (${(twentyPages.length / 2 ** 20).toFixed(1)} MiB)`, twentyPages],
    ['40 MiB PDF (text + 40 MiB image)', bigPdf()],
    ['decompression bomb (2 GiB of zeros)', decompressionBombPdf()],
  ];
  console.log('\nlarge and hostile documents (default bounds):');
  for (const [name, pdf] of cases) {
    const reader = createDocumentReader();
    const { ms, reading: r, growthMb } = await timed(reader, pdf, 'pdf');
    console.log(`  ${name}: ${round(ms, 0)} ms; ${outcome(r)}; reader peak ${reader.stats().peakReaderRssMb} MB; this process +${round(growthMb, 0)} MB`);
    await reader.close();
  }
}

clearInterval(sampler);
console.log(`\nthis process (the daemon's side) during the readings: RSS at most +${round(maxGrowthMb, 0)} MB over its level before each;`);
console.log(`lateness of a 10 ms timer: p50 ${round(percentile(lateness, 50), 1)} ms, p99 ${round(percentile(lateness, 99), 1)} ms, max ${round(Math.max(...lateness), 1)} ms (${lateness.length} ticks)`);
