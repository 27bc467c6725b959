/**
 * Hostile and broken files, written byte by byte (cheaply: no library can be made to write them):
 * a page bomb, decompression bombs, an image declaring 10 000 megapixels, a damaged PDF.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { prng } from '../siren-pdfs';

/** A PDF from its objects' bodies (object n is bodies[n - 1]), with a correct xref table. */
export function pdfFromObjects(bodies: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    offsets.push(length);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')]);
    parts.push(obj);
    length += obj.length;
  });
  const xref = [`xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** A stream object's body. */
export function streamBody(dict: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, Buffer.from('\nendstream')]);
}

/**
 * `pages` pages, all showing the same small content stream, under a two-level page tree: ~50 bytes a
 * page, so 20 000 pages make 1 MB.
 */
export function pageBombPdf(pages = 20_000): Buffer {
  const perNode = 200;
  const nodes = Math.ceil(pages / perNode);
  // 1 catalog, 2 root Pages, 3 content, 4 font, then the intermediate nodes, then the pages
  const firstNode = 5;
  const firstPage = firstNode + nodes;
  const bodies: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Count ${pages} /Kids [${Array.from({ length: nodes }, (_, i) => `${firstNode + i} 0 R`).join(' ')}] >>`,
    streamBody('', Buffer.from('BT /F1 12 Tf 72 720 Td (Page) Tj ET')).toString('latin1'),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  for (let n = 0; n < nodes; n++) {
    const count = Math.min(perNode, pages - n * perNode);
    const kids = Array.from({ length: count }, (_, k) => `${firstPage + n * perNode + k} 0 R`).join(' ');
    bodies.push(`<< /Type /Pages /Parent 2 0 R /Count ${count} /Kids [${kids}] >>`);
  }
  for (let p = 0; p < pages; p++) {
    bodies.push(`<< /Type /Page /Parent ${firstNode + Math.floor(p / perNode)} 0 R /MediaBox [0 0 595 842] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>`);
  }
  return pdfFromObjects(bodies);
}

/**
 * A zlib stream that inflates to `mb` MiB of zero bytes, ~1 KiB per MiB: one 16 MiB block deflated
 * with a full flush (which empties the compressor's window) is repeated, then an empty final block.
 * Its Adler-32 is wrong (pdfjs does not check it).
 */
export function zeroBomb(mb: number): Buffer {
  const chunkMb = 16;
  const chunk = deflateRawSync(Buffer.alloc(chunkMb << 20), { finishFlush: constants.Z_FULL_FLUSH, level: 9 });
  const chunks = Array<Buffer>(Math.ceil(mb / chunkMb)).fill(chunk);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...chunks, Buffer.from([0x03, 0x00]), Buffer.alloc(4)]);
}

/** One page whose content stream inflates to `mb` MiB (zeros: whitespace to the PDF lexer). */
export function decompressionBombPdf(mb = 2048): Buffer {
  return pdfFromObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Count 1 /Kids [3 0 R] >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    streamBody('/Filter /FlateDecode', zeroBomb(mb)),
  ]);
}

/** One page drawing a 30 000 × 30 000 grey image (900 Mpx) whose data inflates to 900 MB. */
export function hugeImagePdf(side = 30_000): Buffer {
  return pdfFromObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Count 1 /Kids [3 0 R] >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>',
    streamBody('', Buffer.from('q 595 0 0 842 0 0 cm /Im1 Do Q')),
    streamBody(`/Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`, zeroBomb(Math.ceil((side * side) / (1 << 20)))),
  ]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG declaring `side` × `side` grey pixels (10 000 Mpx by default), with a few KB of zeros as data. */
export function hugePng(side = 100_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8 bits, greyscale, deflate, no filter, no interlace
  const idat = zeroBomb(16).subarray(0, 4096);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A PDF header and random bytes: nothing pdfjs can rebuild. */
export function garbagePdf(bytes = 20_000): Buffer {
  const next = prng(99);
  const body = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) body[i] = Math.floor(next() * 256);
  return Buffer.concat([Buffer.from('%PDF-1.7\n'), body]);
}

/**
 * A "billion laughs" PDF: the page draws form X3 a thousand times, X3 draws X2 a thousand times, X2
 * draws X1 (one word of text) a thousand times: 10⁹ text operations from 12 KB, an endless loop to any
 * reader that walks the forms.
 */
export function nestedFormsPdf(fanOut = 1000): Buffer {
  const calls = (name: string) => Buffer.from(Array(fanOut).fill(`/${name} Do`).join('\n'));
  const form = (resources: string, data: Buffer) => streamBody(`/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << ${resources} >>`, data);
  return pdfFromObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Count 1 /Kids [3 0 R] >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /X3 7 0 R >> >> >>',
    streamBody('', calls('X3')),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    form('/Font << /F1 5 0 R >>', Buffer.from('BT /F1 12 Tf 72 720 Td (liquidation) Tj ET')),
    form('/XObject << /X2 8 0 R >>', calls('X2')),
    form('/XObject << /X1 6 0 R >>', calls('X1')),
  ]);
}
