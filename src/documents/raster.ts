/**
 * Greyscale rasters before OCR: convert, remove specks, tell a blank sheet and pure noise from a page
 * of text without asking tesseract (which spends 20–50 s "reading" a noise scan), and wrap as PGM, the
 * one image format tesseract takes without any encoding cost. Pure; linear in the pixels.
 */

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, rows top to bottom, 0 black, 255 white. */
  pixels: Uint8Array;
}

/** RGBA (canvas ImageData) to grey, with white under transparency. */
export function toGrey(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): GreyImage {
  const pixels = new Uint8Array(width * height);
  for (let i = 0, j = 0; j < pixels.length; i += 4, j++) {
    const a = rgba[i + 3]!;
    const lum = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
    pixels[j] = a === 255 ? lum : (lum * a + 255 * (255 - a)) / 255;
  }
  return { width, height, pixels };
}

const DARK = 128;
/** A pixel this much darker (or lighter) than all its neighbours is a speck. */
const SPECK = 48;

/**
 * Removes specks in place: a pixel darker than all 8 of its neighbours by more than SPECK takes the
 * lightest neighbour's value, and the reverse. Text survives (no stroke of a glyph is one pixel wide at
 * ≥ 150 dpi, so a stroke's pixel always has a dark neighbour); dust and sensor noise do not, which
 * spares tesseract thousands of tiny blobs.
 */
export function despeckle(img: GreyImage): void {
  const { width: w, height: h, pixels: p } = img;
  const rows = new Uint8Array(w * 3); // the previous row (as cleaned), this row and the next
  for (let y = 1; y < h - 1; y++) {
    rows.set(p.subarray((y - 1) * w, (y + 2) * w));
    for (let x = 1; x < w - 1; x++) {
      const c = rows[w + x]!;
      let min = 255;
      let max = 0;
      for (let k = 0; k < 9; k++) {
        if (k === 4) continue;
        const v = rows[Math.floor(k / 3) * w + x + (k % 3) - 1]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (c + SPECK < min) p[y * w + x] = min;
      else if (c > max + SPECK) p[y * w + x] = max;
    }
  }
}

export interface InkMeasure {
  /** Share of horizontally adjacent pixel pairs differing by more than a quarter of the range. */
  edges: number;
  /** Share of pixels darker than mid-grey. */
  dark: number;
}

/** Edges and dark pixels, over every other row (plenty for a page). */
export function measureInk(img: GreyImage): InkMeasure {
  const { width: w, height: h, pixels: p } = img;
  let edges = 0;
  let dark = 0;
  let pairs = 0;
  for (let y = 0; y < h; y += 2) {
    const at = y * w;
    for (let x = 0; x < w - 1; x++) {
      const a = p[at + x]!;
      const b = p[at + x + 1]!;
      if (a - b > 64 || b - a > 64) edges++;
      if (a < DARK) dark++;
    }
    pairs += w - 1;
  }
  return { edges: pairs === 0 ? 0 : edges / pairs, dark: pairs === 0 ? 0 : dark / pairs };
}

/** Fewer edges than this (after despeckling): nothing on the sheet; about ten characters of 11 pt text at 200 dpi. */
export const BLANK_EDGES = 0.0002;
/**
 * More edges than this: noise, not text. A dense page of 8 pt text at 150 dpi has ~8 %; a noise scan
 * 50–60 %, a page speckled over 30 % of its pixels ~30 %.
 */
export const NOISE_EDGES = 0.25;

export type RasterVerdict = 'blank' | 'noise' | 'ink';

/** Whether the raster is worth OCR: 'ink' is. */
export function judgeRaster(m: InkMeasure): RasterVerdict {
  if (m.edges < BLANK_EDGES) return 'blank';
  if (m.edges > NOISE_EDGES) return 'noise';
  return 'ink';
}

/** Binary PGM (P5): tesseract (leptonica) reads it as is. */
export function toPgm(img: GreyImage): Uint8Array {
  const head = new TextEncoder().encode(`P5\n${img.width} ${img.height}\n255\n`);
  const out = new Uint8Array(head.length + img.pixels.length);
  out.set(head);
  out.set(img.pixels, head.length);
  return out;
}

/** The raster turned by a quarter turn clockwise (90), a half turn (180) or a quarter turn back (270). */
export function rotate(img: GreyImage, degrees: 90 | 180 | 270): GreyImage {
  const { width: w, height: h, pixels: p } = img;
  const out = new Uint8Array(p.length);
  if (degrees === 180) {
    for (let i = 0; i < p.length; i++) out[p.length - 1 - i] = p[i]!;
    return { width: w, height: h, pixels: out };
  }
  // the new image is h wide and w high
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const to = degrees === 90 ? x * h + (h - 1 - y) : (w - 1 - x) * h + y;
      out[to] = p[y * w + x]!;
    }
  }
  return { width: h, height: w, pixels: out };
}
