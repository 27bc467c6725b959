/**
 * What an image file declares in its header, read before anything decodes it: its size (so a
 * 100 000 × 100 000 PNG of a few kilobytes is refused before it takes gigabytes), a TIFF's
 * compression and page count. Pure; bounded loops; a header it cannot read gives null.
 */

export interface ImageHeader {
  width: number;
  height: number;
  /** TIFF: compression tag of the first page (1 none, 5 LZW, 4 CCITT G4, 8 Deflate, 32773 PackBits…). */
  compression?: number;
  /** TIFF: number of pages (image file directories), counted up to 1000. */
  pages: number;
}

function pngHeader(b: Buffer): ImageHeader | null {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), pages: 1 };
}

function jpegHeader(b: Buffer): ImageHeader | null {
  let at = 2;
  // markers until the frame header; at most a few hundred segments in any real file
  for (let seg = 0; seg < 512 && at + 4 <= b.length; seg++) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = b.readUInt16BE(at + 2);
    // SOF0–SOF15 except DHT (C4), JPG (C8), DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      if (at + 9 > b.length) return null;
      return { height: b.readUInt16BE(at + 5), width: b.readUInt16BE(at + 7), pages: 1 };
    }
    at += 2 + length;
  }
  return null;
}

function tiffHeader(b: Buffer): ImageHeader | null {
  if (b.length < 8) return null;
  const le = b[0] === 0x49;
  const u16 = (at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  let ifd = u32(4);
  let first: ImageHeader | null = null;
  let pages = 0;
  const seen = new Set<number>();
  while (ifd !== 0 && ifd + 2 <= b.length && pages < 1000 && !seen.has(ifd)) {
    seen.add(ifd);
    pages++;
    const count = u16(ifd);
    if (ifd + 2 + count * 12 + 4 > b.length) break;
    if (first === null) {
      const tags = new Map<number, number>();
      for (let i = 0; i < count; i++) {
        const at = ifd + 2 + i * 12;
        const type = u16(at + 2);
        tags.set(u16(at), type === 3 ? u16(at + 8) : u32(at + 8));
      }
      const width = tags.get(256);
      const height = tags.get(257);
      if (width === undefined || height === undefined) return null;
      first = { width, height, compression: tags.get(259) ?? 1, pages: 1 };
    }
    ifd = u32(ifd + 2 + count * 12);
  }
  return first && { ...first, pages };
}

/** The header of a PNG, JPEG or TIFF, or null when it cannot be read. */
export function readImageHeader(content: Buffer, kind: 'png' | 'jpeg' | 'tiff'): ImageHeader | null {
  try {
    if (kind === 'png') return pngHeader(content);
    if (kind === 'jpeg') return jpegHeader(content);
    return tiffHeader(content);
  } catch {
    // a header cut short: Buffer reads throw RangeError
    return null;
  }
}
