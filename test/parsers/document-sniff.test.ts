import { describe, expect, it } from 'vitest';
import { checkDocuments, documentDamage, isCountedAttachment, sniffDocumentKind } from '../../parsers/document-sniff';
import { makeAttachment, PDF_BYTES } from './make-mail';

const b = (...bytes: number[]) => Uint8Array.from(bytes);
const ascii = (s: string) => new TextEncoder().encode(s);
const withJunk = (n: number) => {
  const out = new Uint8Array(n + PDF_BYTES.length);
  out.set(PDF_BYTES, n);
  return out;
};

describe('sniffDocumentKind', () => {
  it.each([
    ['pdf', ascii('%PDF-1.7\n'), 'pdf'],
    ['pdf after 3 bytes of junk', withJunk(3), 'pdf'],
    ['pdf header at byte 1019 (last place it fits)', withJunk(1019), 'pdf'],
    ['pdf header at byte 1020 (too late)', withJunk(1020), null],
    ['%PDF without dash', ascii('%PDF1.4'), null],
    ['jpeg JFIF', b(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10), 'jpeg'],
    ['jpeg EXIF', b(0xff, 0xd8, 0xff, 0xe1), 'jpeg'],
    ['jpeg cut short', b(0xff, 0xd8), null],
    ['png', b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), 'png'],
    ['png with broken signature', b(0x89, 0x50, 0x4e, 0x47, 0x0a, 0x0a, 0x1a, 0x0a), null],
    ['tiff little-endian', b(0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0), 'tiff'],
    ['tiff big-endian', b(0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8), 'tiff'],
    ['zip / docx', b(0x50, 0x4b, 0x03, 0x04), null],
    ['html named .pdf', ascii('<!DOCTYPE html><html>'), null],
    ['gif', ascii('GIF89a'), null],
    ['tnef winmail.dat', b(0x78, 0x9f, 0x3e, 0x22), null],
    ['empty', new Uint8Array(0), null],
  ])('%s', (_name, head, want) => {
    expect(sniffDocumentKind(head)).toBe(want);
  });
});

describe('isCountedAttachment', () => {
  it.each([
    ['plain attachment', {}, true],
    ['inline with cid referenced by the html (logo)', { contentId: 'logo@x', disposition: 'inline' as const, referencedByHtml: true, related: true }, false],
    ['cid referenced, even with attachment disposition', { contentId: 'logo@x', disposition: 'attachment' as const, referencedByHtml: true }, false],
    ['inline with cid not referenced', { contentId: 'scan@x', disposition: 'inline' as const, referencedByHtml: false, related: true }, true],
    ['inline without cid (Thunderbird inline image)', { disposition: 'inline' as const }, true],
    ['no disposition', { disposition: null }, true],
  ])('%s → %s', (_name, over, want) => {
    expect(isCountedAttachment(makeAttachment(PDF_BYTES, over))).toBe(want);
  });
});

describe('checkDocuments', () => {
  const pdf = makeAttachment(PDF_BYTES, { filename: 'jugement.pdf' });
  const logo = makeAttachment(b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), {
    filename: 'image001.png', contentId: 'image001.png@01DB', disposition: 'inline', referencedByHtml: true, related: true,
  });
  const docx = makeAttachment(b(0x50, 0x4b, 0x03, 0x04, 0x14), { filename: 'jugement.docx', declaredType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
  const fakePdf = makeAttachment(ascii('<html>404</html>'), { filename: 'jugement.pdf' });
  const emptyPdf = makeAttachment(new Uint8Array(0), { filename: 'vide.pdf' });
  const nameless = makeAttachment(ascii('hello'), { filename: null });
  const renamedPdf = makeAttachment(PDF_BYTES, { filename: 'scan.docx', declaredType: 'application/msword' });

  it.each([
    ['one pdf', [pdf], ['jugement.pdf'], []],
    ['pdf + logo', [logo, pdf], ['jugement.pdf'], []],
    ['pdf + docx: the pdf is enough', [docx, pdf], ['jugement.pdf'], []],
    ['bytes decide, not the name', [renamedPdf], ['scan.docx'], []],
    ['nothing', [], [], [{ code: 'ATTACHMENT_MISSING' }]],
    ['only a logo', [logo], [], [{ code: 'ATTACHMENT_MISSING' }]],
    ['docx', [docx], [], [{ code: 'ATTACHMENT_INVALID', found: 'jugement.docx' }]],
    ['html named .pdf', [fakePdf], [], [{ code: 'ATTACHMENT_INVALID', found: 'jugement.pdf' }]],
    ['empty pdf', [emptyPdf], [], [{ code: 'ATTACHMENT_INVALID', found: 'vide.pdf' }]],
    ['several bad, logo not listed', [logo, docx, emptyPdf, nameless], [], [{ code: 'ATTACHMENT_INVALID', found: 'jugement.docx, vide.pdf, (sans nom)' }]],
  ])('%s', (_name, attachments, filenames, problems) => {
    const result = checkDocuments(attachments);
    expect(result.documents.map((d) => d.filename)).toEqual(filenames);
    expect(result.problems).toEqual(problems);
  });

  it('describes an accepted document by its bytes', () => {
    expect(checkDocuments([pdf]).documents).toEqual([{ filename: 'jugement.pdf', kind: 'pdf', size: PDF_BYTES.length, sha256: pdf.sha256 }]);
  });

  it('truncates a long list of file names', () => {
    const many = Array.from({ length: 20 }, (_, i) => makeAttachment(ascii('x'), { filename: `annexe-numero-${i}.docx` }));
    const found = checkDocuments(many).problems[0]?.found ?? '';
    expect(found.length).toBeLessThanOrEqual(120);
    expect(found.endsWith('…')).toBe(true);
  });
});

describe('documentDamage: a file of an accepted kind must be whole (issue 13)', () => {
  const pdfWhole = ascii('%PDF-1.7\n1 0 obj <<>> endobj\nxref\n0 1\ntrailer <<>>\nstartxref\n9\n%%EOF\n');
  const png = (width: number, height: number, end = true) => {
    const bytes = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...ascii('IHDR'),
      (width >>> 24) & 255, (width >>> 16) & 255, (width >>> 8) & 255, width & 255,
      (height >>> 24) & 255, (height >>> 16) & 255, (height >>> 8) & 255, height & 255, 8, 2, 0, 0, 0, 1, 2, 3, 4];
    return Uint8Array.from(end ? [...bytes, 0, 0, 0, 0, ...ascii('IEND'), 0xae, 0x42, 0x60, 0x82] : bytes);
  };
  const jpeg = (opts: { frame?: boolean; end?: boolean } = {}) => Uint8Array.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ...(opts.frame === false ? [] : [0xff, 0xc0, 0x00, 0x11, 8, 0x02, 0x58, 0x03, 0x20, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]),
    0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0, 0x12, 0x34,
    ...(opts.end === false ? [] : [0xff, 0xd9]),
  ]);
  const damage = (kind: 'pdf' | 'png' | 'jpeg' | 'tiff', bytes: Uint8Array) => documentDamage(kind, bytes.slice(0, 65 * 1024), bytes.slice(-1024), bytes.length);

  it.each([
    ['a whole PDF', 'pdf', pdfWhole, null],
    ['a PDF that is only its first bytes', 'pdf', pdfWhole.slice(0, 20), 'PDF_NO_END'],
    ['a PDF cut before %%EOF', 'pdf', pdfWhole.slice(0, pdfWhole.length - 7), 'PDF_NO_END'],
    ['a PDF with %%EOF but no startxref nor trailer', 'pdf', ascii('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n'), 'PDF_NO_XREF'],
    ['a PDF ending in garbage (invalid base64 decoded)', 'pdf', Uint8Array.from([...ascii('%PDF-1.4\n'), ...Array.from({ length: 2000 }, (_, i) => (i * 37) & 255)]), 'PDF_NO_END'],
    ['a whole PNG', 'png', png(800, 600), null],
    ['a PNG without IEND (cut short)', 'png', png(800, 600, false), 'PNG_NO_END'],
    ['a PNG of zero width', 'png', png(0, 600), 'PNG_NO_HEADER'],
    ['a PNG claiming 10^6 pixels of height', 'png', png(800, 1_000_000), 'PNG_NO_HEADER'],
    ['a PNG that is only its signature', 'png', png(800, 600).slice(0, 10), 'PNG_NO_HEADER'],
    ['a whole JPEG', 'jpeg', jpeg(), null],
    ['a JPEG cut before its end marker', 'jpeg', jpeg({ end: false }), 'JPEG_NO_END'],
    ['a JPEG without a frame header', 'jpeg', jpeg({ frame: false }), 'JPEG_NO_FRAME'],
    ['a TIFF whose directory is inside', 'tiff', Uint8Array.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0, 0, 0, 0, 0]), null],
    ['a TIFF whose directory points past its end', 'tiff', Uint8Array.from([0x49, 0x49, 0x2a, 0x00, 0xff, 0, 0, 0, 0, 0]), 'TIFF_BAD_OFFSET'],
  ] as const)('%s → %s', (_l, kind, bytes, want) => {
    expect(damage(kind, bytes)).toBe(want);
  });

  it('refuses a request whose only document is damaged, saying so in what it found', () => {
    const cut = pdfWhole.slice(0, 40);
    const check = checkDocuments([makeAttachment(cut, { filename: 'minutes.pdf', head: cut, tail: cut })]);
    expect(check.documents).toEqual([]);
    expect(check.problems).toEqual([{ code: 'ATTACHMENT_INVALID', found: 'minutes.pdf (fichier endommagé ou incomplet)' }]);
  });
});
