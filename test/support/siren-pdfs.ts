import { deflateSync } from 'node:zlib';
import { pdfPadFor, samplePdf } from './sample-mails';

/**
 * PDFs for the SIREN-scan differential tests (test/approval/find-siren-in-pdf.test.ts) and micro-benchmark
 * (bench/micro-siren.ts).
 * Deterministic: the same bytes on every run.
 */

/** Small deterministic PRNG (mulberry32), so "image" and "font" bytes are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(n: number, seed: number): Buffer {
  const next = prng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
  return b;
}

const WORDS = ('le tribunal de commerce de paris statuant en audience publique ouvre une procedure de liquidation ' +
  'judiciaire a l egard de la societe designe maitre dupont en qualite de liquidateur fixe la date de cessation ' +
  'des paiements ordonne la publicite du present jugement au bodacc dit que les creanciers declareront leurs creances').split(' ');

/** One page of a judgment as a content stream: ~60 lines of Tj/TJ text with positioning operators. */
export function judgmentPage(page: number, sirenLine: string | null): string {
  const next = prng(1000 + page);
  const lines: string[] = ['BT /F1 10 Tf 72 780 Td 12 TL'];
  lines.push(`(TRIBUNAL DE COMMERCE DE PARIS \\227 page ${page}) Tj T*`);
  for (let l = 0; l < 60; l++) {
    const words = Array.from({ length: 10 + Math.floor(next() * 6) }, () => WORDS[Math.floor(next() * WORDS.length)]!);
    if (l % 7 === 3) {
      // kerned TJ arrays, as word processors write them
      const half = Math.floor(words.length / 2);
      lines.push(`[(${words.slice(0, half).join(' ')} ) ${-Math.floor(next() * 300)} (${words.slice(half).join(' ')})] TJ T*`);
    } else {
      lines.push(`(${words.join(' ')}) Tj T*`);
    }
    if (l === 10 && sirenLine !== null) lines.push(`[(SOCI) 20 (\\311T\\311 EXEMPLE SAS, RCS Paris ) -250 (${sirenLine})] TJ T*`);
    if (l % 20 === 19) lines.push('ET q 0.5 w 72 100 m 523 100 l S Q BT /F1 10 Tf 72 500 Td 12 TL');
  }
  lines.push('ET');
  return lines.join('\n');
}

function object(n: number, body: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${n} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')]);
}

function streamObject(n: number, dict: string, data: Buffer): Buffer {
  return object(n, Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, Buffer.from('\nendstream')]));
}

/**
 * A court document as scanners and word processors make them, about `bytes` long: 6 pages of
 * Flate-compressed text, an embedded (Flate) font program and a JPEG seal that fills the rest.
 * The SIREN line is on page `sirenPage` (1-based), or absent when null.
 */
export function courtDocumentPdf(opts: { bytes: number; siren: string | null; sirenPage?: number }): Buffer {
  const pages = 6;
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  parts.push(object(1, '<< /Type /Catalog /Pages 2 0 R >>'));
  parts.push(object(2, `<< /Type /Pages /Kids [${Array.from({ length: pages }, (_, i) => `${10 + 2 * i} 0 R`).join(' ')}] /Count ${pages} >>`));
  parts.push(streamObject(3, '/Length1 40000 /Filter /FlateDecode', deflateSync(randomBytes(40_000, 3))));
  parts.push(object(4, '<< /Type /FontDescriptor /FontName /Helvetica /FontFile2 3 0 R >>'));
  for (let p = 1; p <= pages; p++) {
    const siren = p === (opts.sirenPage ?? 1) ? opts.siren : null;
    parts.push(object(8 + 2 * p, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${9 + 2 * p} 0 R >>`));
    parts.push(streamObject(9 + 2 * p, '/Filter /FlateDecode', deflateSync(Buffer.from(judgmentPage(p, siren), 'latin1'))));
  }
  const tail = Buffer.from('trailer\n<< /Root 1 0 R >>\n%%EOF\n');
  const used = parts.reduce((n, b) => n + b.length, 0) + tail.length + 120;
  const image = randomBytes(Math.max(1000, opts.bytes - used), 7);
  parts.push(streamObject(40, '/Type /XObject /Subtype /Image /Width 800 /Height 600 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode', image));
  // The trailer last: a whole PDF ends with it (parsers/document-sniff.ts refuses one cut short).
  parts.push(tail);
  return Buffer.concat(parts);
}

/** The drain benchmark's attachment: samplePdf() padded with a '0…' stream to `bytes`. */
export function drainBenchPdf(bytes: number): Buffer {
  return samplePdf(pdfPadFor(bytes));
}
