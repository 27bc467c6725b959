/**
 * A PDF read by pdfjs inside the reader process: the text layer of every page (any font encoding,
 * CID fonts, object streams), and OCR of the pages that have none or too little, rasterised at ocrDpi.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, OPS, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { alnumCount, type PagesRead } from './assemble-reading';
import type { ReadLimits, UnreadableReason } from './document-reading';
import type { OcrEngine } from './ocr-engine';
import { pageText, type TextPiece } from './page-lines';
import { despeckle, judgeRaster, measureInk, rotate, toGrey, toPgm, type GreyImage } from './raster';

export type ReadOutcome = PagesRead | { unreadable: UnreadableReason; detail: string; pages?: number };

/** A page with an image and fewer letters and digits in its text layer is OCRed (a scan with a stamp, a footer). */
export const MIN_TEXT_LAYER_CHARS = 40;
/** A text layer where more than this share of the characters are not text (unmapped glyphs) is garbage. */
const MAX_GARBAGE_SHARE = 0.3;
/** Pages larger than this at ocrDpi are drawn at a lower resolution (A4 at 300 dpi is 8.7 Mpx). */
export const OCR_MAX_RASTER_PIXELS = 12_000_000;

interface CanvasAndContext {
  canvas: { width: number; height: number };
  context: { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface CanvasFactory {
  create(width: number, height: number): CanvasAndContext;
  destroy(c: CanvasAndContext): void;
}

/** pdfjs's data files, from the installed package: nothing is fetched. */
function pdfjsAssets(nodeModulesFrom: string): { standardFontDataUrl: string; cMapUrl: string; wasmUrl: string; iccUrl: string } {
  const dir = dirname(createRequire(nodeModulesFrom).resolve('pdfjs-dist/package.json'));
  return {
    standardFontDataUrl: join(dir, 'standard_fonts') + '/',
    cMapUrl: join(dir, 'cmaps') + '/',
    wasmUrl: join(dir, 'wasm') + '/',
    iccUrl: join(dir, 'iccs') + '/',
  };
}

/** The operators that paint an image: a page with one of them and little text is a scan. */
const IMAGE_OPS = new Set<number>(
  ['paintImageXObject', 'paintInlineImageXObject', 'paintImageMaskXObject', 'paintImageXObjectRepeat', 'paintImageMaskXObjectRepeat', 'paintInlineImageXObjectGroup', 'paintImageMaskXObjectGroup'].flatMap(
    (name) => (name in OPS ? [(OPS as Record<string, number>)[name]!] : []),
  ),
);

async function paintsImages(page: PDFPageProxy): Promise<boolean> {
  const ops = await page.getOperatorList();
  return ops.fnArray.some((fn) => IMAGE_OPS.has(fn));
}

/**
 * Whether a page needs OCR: its text layer is garbage; or it has none (a scan, text drawn as curves:
 * drawn, a blank page is found out cheaply before tesseract); or little text and an image (a scan
 * with a stamp or a footer). A short page of plain text (a signature page) is taken as it is.
 */
async function needsOcr(page: PDFPageProxy, text: string, garbage: boolean): Promise<boolean> {
  if (garbage) return true;
  const chars = alnumCount(text);
  if (chars === 0) return true;
  return chars < MIN_TEXT_LAYER_CHARS && (await paintsImages(page));
}

function isGarbage(text: string): boolean {
  const chars = text.replace(/\s/g, '');
  if (chars.length === 0) return false;
  const odd = chars.match(/[^\p{L}\p{N}\p{P}\p{S}]|[\uE000-\uF8FF\uFFFD]/gu)?.length ?? 0;
  return odd / chars.length > MAX_GARBAGE_SHARE;
}

async function rasterise(doc: PDFDocumentProxy, page: PDFPageProxy, dpi: number): Promise<GreyImage> {
  const base = page.getViewport({ scale: 1 });
  let scale = dpi / 72;
  const pixels = base.width * base.height * scale * scale;
  if (!(pixels <= OCR_MAX_RASTER_PIXELS)) scale *= Math.sqrt(OCR_MAX_RASTER_PIXELS / pixels) || 0;
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.floor(viewport.width));
  const height = Math.max(1, Math.floor(viewport.height));
  const factory = doc.canvasFactory as CanvasFactory;
  const cc = factory.create(width, height);
  try {
    cc.context.fillStyle = '#ffffff';
    cc.context.fillRect(0, 0, width, height);
    await page.render({ canvasContext: cc.context as never, canvas: cc.canvas as never, viewport }).promise;
    return toGrey(cc.context.getImageData(0, 0, width, height).data, width, height);
  } finally {
    factory.destroy(cc);
  }
}

/** What OCR makes of a raster: text, or why none ('blank', 'noise', 'illegible'). */
export async function ocrRaster(ocr: OcrEngine, img: GreyImage, dpi: number | undefined): Promise<{ text: string; confidence: number; turned?: 90 | 180 | 270 } | { none: string }> {
  despeckle(img);
  const verdict = judgeRaster(measureInk(img));
  if (verdict !== 'ink') return { none: verdict };
  const page = await ocr.recognize(toPgm(img), dpi);
  if (page.legible && page.confidence >= OCR_UPRIGHT_CONFIDENCE) return { text: page.text, confidence: page.confidence };
  // Many real words at a low confidence: an upright page, poorly scanned. Turning it costs three OCR passes
  // of the reading's time budget for nothing.
  if (page.realWords >= OCR_TURNED_MAX_WORDS) return page.legible ? { text: page.text, confidence: page.confidence } : { none: `illegible (${page.realWords} words, ${Math.round(page.confidence)} %)` };
  // Read badly: perhaps a sheet fed sideways or upside down. Read it turned before settling.
  let best = page.legible ? { text: page.text, confidence: page.confidence, realWords: page.realWords } : null;
  for (const turn of PAGE_TURNS) {
    const turned = await ocr.recognize(toPgm(rotate(img, turn)), dpi);
    if (!turned.legible || turned.realWords <= (best?.realWords ?? 0)) continue;
    if (turned.confidence >= OCR_UPRIGHT_CONFIDENCE) return { text: turned.text, confidence: turned.confidence, turned: turn };
    best = { text: turned.text, confidence: turned.confidence, realWords: turned.realWords };
  }
  return best ? { text: best.text, confidence: best.confidence } : { none: `illegible (${page.realWords} words, ${Math.round(page.confidence)} %)` };
}

/**
 * A page read upright reaches this mean confidence (court documents scanned at 200 dpi: 75–90 %); one
 * read sideways or upside down stays near 30–40 %, though tesseract may find a few "words" in it.
 */
export const OCR_UPRIGHT_CONFIDENCE = 55;
/** A page read with this many real words is upright, however low its confidence (a turned one: 0–11). */
export const OCR_TURNED_MAX_WORDS = 30;
/** The turns tried on a page read badly: sideways either way, then upside down. */
const PAGE_TURNS = [90, 270, 180] as const;

function openError(err: unknown): { unreadable: UnreadableReason; detail: string } {
  const name = (err as { name?: string })?.name ?? 'Error';
  if (name === 'PasswordException') return { unreadable: 'ENCRYPTED', detail: 'the PDF asks for a password' };
  const message = String((err as { message?: string })?.message ?? err).slice(0, 200);
  return { unreadable: 'DAMAGED', detail: `${name}: ${message}` };
}

export async function readPdf(content: Uint8Array, limits: ReadLimits, ocr: OcrEngine, nodeModulesFrom: string, started: number): Promise<ReadOutcome> {
  const task = getDocument({
    data: content,
    ...pdfjsAssets(nodeModulesFrom),
    cMapPacked: true,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    enableXfa: false,
    verbosity: 0,
    maxImageSize: limits.maxImagePixels,
    stopAtErrors: false,
  });
  let doc: PDFDocumentProxy;
  try {
    doc = await task.promise;
  } catch (err) {
    return openError(err);
  }
  try {
    const pages = doc.numPages;
    if (pages > limits.maxPages) return { unreadable: 'TOO_MANY_PAGES', detail: `${pages} pages, more than ${limits.maxPages}`, pages };
    const read: PagesRead = { pages, texts: [], ocrPages: [], confidences: [], notes: [] };
    const needOcr: number[] = [];
    for (let n = 1; n <= pages; n++) {
      try {
        const page = await doc.getPage(n);
        const items = (await page.getTextContent()).items.filter((i) => 'str' in i) as TextPiece[];
        const text = pageText(items).slice(0, limits.maxTextChars);
        const garbage = isGarbage(text);
        read.texts.push(garbage ? '' : text);
        if (await needsOcr(page, text, garbage)) needOcr.push(n);
        page.cleanup();
      } catch (err) {
        read.texts.push(null);
        read.notes.push(`page ${n}: ${openError(err).detail}`);
      }
    }
    let ocrDone = 0;
    for (const n of needOcr) {
      const overTime = performance.now() - started > limits.ocrBudgetMs;
      if (ocrDone >= limits.maxOcrPages || overTime) {
        if (alnumCount(read.texts[n - 1] ?? '') === 0) read.texts[n - 1] = null;
        read.notes.push(`page ${n}: not OCRed (${overTime ? 'time budget spent' : `${limits.maxOcrPages} pages OCRed already`})`);
        if (overTime) read.emptyReason = 'TIMEOUT';
        continue;
      }
      let raster: GreyImage;
      try {
        const page = await doc.getPage(n);
        raster = await rasterise(doc, page, limits.ocrDpi);
        page.cleanup();
      } catch (err) {
        // a page pdfjs cannot draw is the document's fault; tesseract failing below is the reader's
        read.notes.push(`page ${n}: not drawable (${openError(err).detail})`);
        continue;
      }
      const result = await ocrRaster(ocr, raster, limits.ocrDpi);
      if ('none' in result) {
        read.notes.push(`page ${n}: ${result.none}`);
        if (result.none.startsWith('illegible')) ocrDone++;
        continue;
      }
      ocrDone++;
      const layer = read.texts[n - 1] ?? '';
      read.texts[n - 1] = (layer.trim() === '' ? '' : `${layer}\n`) + result.text.trim();
      read.ocrPages.push(n);
      read.confidences.push(result.confidence);
    }
    if (read.notes.length === 0 && needOcr.length === pages) read.notes.push('no text layer and nothing drawn');
    return read;
  } finally {
    await doc.destroy();
  }
}
