/**
 * Scans and photos of a page, drawn with @napi-rs/canvas: text in DejaVu Serif on an A4 sheet at a given
 * resolution, optionally rotated, speckled and lit unevenly. Deterministic (seeded noise).
 */
import { createCanvas, GlobalFonts, type Canvas } from '@napi-rs/canvas';
import { deflateSync } from 'node:zlib';
import { prng } from '../siren-pdfs';

export const DEJAVU_SERIF = '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf';
let fontRegistered = false;

export interface ScanOptions {
  /** Resolution of the scan (A4 = 8.27 × 11.69 in). */
  dpi: number;
  /** Rotation of the sheet, degrees (a sheet fed askew). */
  angle?: number;
  /** Share of pixels turned to random grey (dust, sensor noise), 0–1. */
  noise?: number;
  /** A photo under a lamp: the light falls from 1 at one corner to this at the opposite one. */
  darkCorner?: number;
  /** Text size in points (11 by default, as in court documents). */
  fontPt?: number;
  /** Seed of the noise. */
  seed?: number;
  /** Width × height in inches (A4 by default); a photo may frame only part of the sheet. */
  inches?: [number, number];
  /** Colour of the text: '#111' by default, a grey for faded toner. */
  ink?: string;
}

/** A page of `lines` as a canvas. Empty `lines` draws a blank sheet (with its noise, if any). */
export function drawScan(lines: readonly string[], o: ScanOptions): Canvas {
  if (!fontRegistered) {
    GlobalFonts.registerFromPath(DEJAVU_SERIF, 'Corpus Serif');
    fontRegistered = true;
  }
  const [wIn, hIn] = o.inches ?? [8.27, 11.69];
  const w = Math.round(wIn * o.dpi);
  const h = Math.round(hIn * o.dpi);
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  const px = ((o.fontPt ?? 11) * o.dpi) / 72;
  ctx.save();
  ctx.translate(w / 2, h / 2);
  ctx.rotate(((o.angle ?? 0) * Math.PI) / 180);
  ctx.translate(-w / 2, -h / 2);
  ctx.fillStyle = o.ink ?? '#111';
  ctx.font = `${px}px "Corpus Serif"`;
  ctx.textBaseline = 'top';
  let y = o.dpi * 0.9;
  for (const line of lines) {
    ctx.fillText(line, o.dpi * 0.9, y);
    y += px * 1.45;
  }
  ctx.restore();
  if (o.darkCorner !== undefined) {
    const light = ctx.createLinearGradient(0, 0, w, h);
    light.addColorStop(0, 'rgba(0,0,0,0)');
    light.addColorStop(1, `rgba(40,30,10,${1 - o.darkCorner})`);
    ctx.fillStyle = light;
    ctx.fillRect(0, 0, w, h);
  }
  if (o.noise) speckle(canvas, o.noise, o.seed ?? 1);
  return canvas;
}

/** Sets a share of the pixels to random greys. */
function speckle(canvas: Canvas, share: number, seed: number): void {
  const ctx = canvas.getContext('2d');
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const next = prng(seed);
  const px = img.data;
  for (let i = 0; i < px.length; i += 4) {
    if (next() < share) {
      const v = Math.floor(next() * 256);
      px[i] = px[i + 1] = px[i + 2] = v;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** A sheet of pure noise: every pixel a random grey. */
export function drawNoise(dpi: number, seed = 7): Canvas {
  return drawScan([], { dpi, noise: 1, seed });
}

/** 8-bit greyscale of a canvas, row by row. */
export function greyPixels(canvas: Canvas): Uint8Array {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  const grey = new Uint8Array(canvas.width * canvas.height);
  for (let i = 0, j = 0; j < grey.length; i += 4, j++) grey[j] = (data[i]! * 77 + data[i + 1]! * 150 + data[i + 2]! * 29) >> 8;
  return grey;
}

export const UNCOMPRESSED = 1;
export const DEFLATE = 8;
export const PACKBITS = 32773;
export type TiffCompression = typeof UNCOMPRESSED | typeof DEFLATE | typeof PACKBITS;

/** PackBits (TIFF compression 32773), each row encoded on its own as the specification asks. */
function packBits(pixels: Buffer, width: number): Buffer {
  const out: number[] = [];
  for (let row = 0; row < pixels.length; row += width) {
    const end = row + width;
    let i = row;
    while (i < end) {
      let run = 1;
      while (i + run < end && run < 128 && pixels[i + run] === pixels[i]) run++;
      if (run > 1) {
        out.push(257 - run, pixels[i]!);
        i += run;
        continue;
      }
      let lit = 1;
      while (i + lit < end && lit < 128 && !(i + lit + 1 < end && pixels[i + lit] === pixels[i + lit + 1])) lit++;
      out.push(lit - 1);
      for (let k = 0; k < lit; k++) out.push(pixels[i + k]!);
      i += lit;
    }
  }
  return Buffer.from(out);
}

/**
 * A single-page greyscale TIFF, little-endian, one strip, PackBits-compressed by default (Deflate and
 * uncompressed on demand), with its resolution tags: what a scanner writes, without a TIFF library.
 */
export function greyTiff(canvas: Canvas, dpi: number, compression: TiffCompression = PACKBITS): Buffer {
  const pixels = Buffer.from(greyPixels(canvas));
  const strip = compression === DEFLATE ? deflateSync(pixels) : compression === PACKBITS ? packBits(pixels, canvas.width) : pixels;
  const entries: [number, number, number, number][] = [
    // tag, type (3 SHORT, 4 LONG, 5 RATIONAL), count, value (or offset)
    [256, 4, 1, canvas.width],
    [257, 4, 1, canvas.height],
    [258, 3, 1, 8],
    [259, 3, 1, compression],
    [262, 3, 1, 1], // BlackIsZero
    [273, 4, 1, 0], // StripOffsets: set below
    [277, 3, 1, 1],
    [278, 4, 1, canvas.height],
    [279, 4, 1, strip.length],
    [282, 5, 1, 0], // XResolution: offset set below
    [283, 5, 1, 0],
    [296, 3, 1, 2], // inches
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  const rationalOffset = ifdOffset + ifdSize;
  const stripOffset = rationalOffset + 8;
  const head = Buffer.alloc(stripOffset);
  head.write('II', 0, 'latin1');
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(ifdOffset, 4);
  head.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdOffset + 2 + i * 12;
    if (tag === 273) value = stripOffset;
    if (tag === 282 || tag === 283) value = rationalOffset;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(count, at + 4);
    if (type === 3) head.writeUInt16LE(value, at + 8);
    else head.writeUInt32LE(value, at + 8);
  });
  head.writeUInt32LE(0, ifdOffset + 2 + entries.length * 12); // no next IFD
  head.writeUInt32LE(dpi, rationalOffset);
  head.writeUInt32LE(1, rationalOffset + 4);
  return Buffer.concat([head, strip]);
}
