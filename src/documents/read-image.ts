/**
 * An image attachment read by OCR inside the reader process. JPEG and PNG are decoded with
 * @napi-rs/canvas (which turns a JPEG upright by its EXIF orientation; drawn smaller when huge), cleaned and
 * judged before tesseract sees them; TIFF goes to tesseract as it is (its libtiff reads uncompressed,
 * PackBits, LZW and CCITT), except Deflate, which its libtiff lacks: those are decoded by the `tiff`
 * package and go the JPEG/PNG way. The header is checked first: a bomb is never decoded.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Canvas from '@napi-rs/canvas';
import type { PagesRead } from './assemble-reading';
import type { ReadLimits } from './document-reading';
import { readImageHeader } from './image-header';
import type { OcrEngine } from './ocr-engine';
import { OCR_MAX_RASTER_PIXELS, ocrRaster, type ReadOutcome } from './read-pdf';
import { toGrey, type GreyImage } from './raster';
import { tiffToGrey } from './tiff-grey';

/** TIFF compressions the tesseract build cannot read (its libtiff has no zlib): Deflate, old Deflate. */
const TIFF_DEFLATE = new Set([8, 32946]);

let canvasModule: typeof Canvas | null = null;
/** The @napi-rs/canvas pdfjs itself loads (it may have its own copy): one native library in the process. */
function canvas(nodeModulesFrom: string): typeof Canvas {
  if (canvasModule === null) {
    const pdfjsDir = dirname(createRequire(nodeModulesFrom).resolve('pdfjs-dist/package.json'));
    canvasModule = createRequire(`${pdfjsDir}/package.json`)('@napi-rs/canvas') as typeof Canvas;
  }
  return canvasModule;
}

/**
 * Draws the image no larger than OCR_MAX_RASTER_PIXELS. @napi-rs/canvas has already turned a JPEG
 * upright by its EXIF orientation (a phone's sideways photo comes out as seen).
 */
function drawForOcr(c: typeof Canvas, image: Canvas.Image): Canvas.Canvas {
  const scale = Math.min(1, Math.sqrt(OCR_MAX_RASTER_PIXELS / (image.width * image.height)));
  const out = c.createCanvas(Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)));
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(image, 0, 0, out.width, out.height);
  return out;
}

export async function readImage(content: Buffer, kind: 'jpeg' | 'png' | 'tiff', limits: ReadLimits, ocr: OcrEngine, nodeModulesFrom: string): Promise<ReadOutcome> {
  const header = readImageHeader(content, kind);
  if (header === null || header.width === 0 || header.height === 0) return { unreadable: 'DAMAGED', detail: `no readable ${kind.toUpperCase()} header` };
  const pixels = header.width * header.height;
  if (pixels > limits.maxImagePixels) {
    return { unreadable: 'IMAGE_TOO_LARGE', detail: `${header.width} × ${header.height} pixels, more than ${limits.maxImagePixels}` };
  }
  const read: PagesRead = { pages: header.pages, texts: Array<string | null>(header.pages).fill(null), ocrPages: [], confidences: [], notes: [] };
  let result: { text: string; confidence: number } | { none: string };
  if (kind === 'tiff' && TIFF_DEFLATE.has(header.compression ?? 1)) {
    let grey: GreyImage | null;
    try {
      const { decode } = await import('tiff');
      const [first] = decode(content, { pages: [0] });
      grey = first ? tiffToGrey(first) : null;
    } catch (err) {
      return { unreadable: 'DAMAGED', detail: `TIFF not decodable: ${String(err).slice(0, 120)}`, pages: header.pages };
    }
    if (grey === null) return { unreadable: 'UNSUPPORTED', detail: 'Deflate TIFF in a pixel layout other than grey, palette or RGB', pages: header.pages };
    result = await ocrRaster(ocr, grey, undefined);
  } else if (kind === 'tiff') {
    try {
      const page = await ocr.recognize(content);
      result = page.legible ? page : { none: `illegible (${page.realWords} words, ${Math.round(page.confidence)} %)` };
    } catch (err) {
      return { unreadable: 'DAMAGED', detail: `TIFF not readable: ${String(err).slice(0, 120)}`, pages: header.pages };
    }
  } else {
    const c = canvas(nodeModulesFrom);
    let image: Canvas.Image;
    try {
      image = await c.loadImage(content);
    } catch (err) {
      return { unreadable: 'DAMAGED', detail: `${kind.toUpperCase()} not decodable: ${String(err).slice(0, 120)}` };
    }
    const drawn = drawForOcr(c, image);
    const grey = toGrey(drawn.getContext('2d').getImageData(0, 0, drawn.width, drawn.height).data, drawn.width, drawn.height);
    result = await ocrRaster(ocr, grey, undefined);
  }
  if ('none' in result) {
    read.notes.push(result.none);
    read.texts[0] = '';
  } else {
    read.texts[0] = result.text.trim();
    read.ocrPages.push(1);
    read.confidences.push(result.confidence);
  }
  return read;
}
