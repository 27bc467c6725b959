import type { GreyImage } from './raster';

/** What a decoded TIFF page says of its pixels (the fields of the `tiff` package's IFD we use). */
export interface DecodedTiffPage {
  width: number;
  height: number;
  bitsPerSample: number;
  samplesPerPixel: number;
  /** PhotometricInterpretation: 0 WhiteIsZero, 1 BlackIsZero, 2 RGB, 3 palette. */
  type: number;
  data: Uint8Array | Uint16Array | Float32Array | Float64Array;
  /** 16-bit RGB entries for palette images. */
  palette?: Array<[number, number, number]>;
}

const lum = (r: number, g: number, b: number) => (r * 77 + g * 150 + b * 29) >> 8;

/**
 * A decoded TIFF page as an 8-bit grey raster (0 black), or null for a layout we do not turn into
 * grey (1-bit pages come as CCITT in practice, which tesseract reads itself; CMYK, floats). Pure.
 */
export function tiffToGrey(page: DecodedTiffPage): GreyImage | null {
  const { width, height, bitsPerSample: bits, samplesPerPixel: spp, type, data } = page;
  const n = width * height;
  if (data instanceof Float32Array || data instanceof Float64Array) return null;
  if (bits !== 8 && bits !== 16) return null;
  if (data.length < n * spp) return null;
  const shift = bits === 16 ? 8 : 0;
  const pixels = new Uint8Array(n);
  if (spp === 1 && (type === 0 || type === 1)) {
    for (let i = 0; i < n; i++) {
      const v = data[i]! >> shift;
      pixels[i] = type === 0 ? 255 - v : v;
    }
    return { width, height, pixels };
  }
  if (spp === 1 && type === 3 && page.palette) {
    const palette = page.palette;
    for (let i = 0; i < n; i++) {
      const entry = palette[data[i]!];
      pixels[i] = entry ? lum(entry[0] >> 8, entry[1] >> 8, entry[2] >> 8) : 255;
    }
    return { width, height, pixels };
  }
  if (type === 2 && (spp === 3 || spp === 4)) {
    for (let i = 0, j = 0; i < n; i++, j += spp) {
      const v = lum(data[j]! >> shift, data[j + 1]! >> shift, data[j + 2]! >> shift);
      // an alpha sample: white under transparency, as toGrey does for canvases
      const a = spp === 4 ? data[j + 3]! >> shift : 255;
      pixels[i] = a === 255 ? v : (v * a + 255 * (255 - a)) / 255;
    }
    return { width, height, pixels };
  }
  return null;
}
