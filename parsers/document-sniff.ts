/**
 * The court document ("minutes du greffe") attached to a request: which parts count as
 * attachments, and which of them are documents we accept, judged by their bytes only.
 */
import { FOUND_MAX, foundText } from './found-text.js';
import type { InboundAttachment } from './inbound-mail.js';
import type { Problem } from './problems.js';

export type DocumentKind = 'pdf' | 'jpeg' | 'png' | 'tiff';

/** An accepted document of a request. */
export interface DocumentInfo {
  filename: string | null;
  kind: DocumentKind;
  size: number;
  sha256: string;
}

/** Acrobat accepts `%PDF-` anywhere in the first 1024 bytes; so do we. Pass that many head bytes. */
export const PDF_HEADER_WINDOW = 1024;

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const TIFF_LE = [0x49, 0x49, 0x2a, 0x00]; // II*\0
const TIFF_BE = [0x4d, 0x4d, 0x00, 0x2a]; // MM\0*

function startsWithAt(head: Uint8Array, magic: readonly number[], at: number): boolean {
  if (at + magic.length > head.length) return false;
  return magic.every((byte, i) => head[at + i] === byte);
}

function findPdfHeader(head: Uint8Array): boolean {
  const last = Math.min(head.length, PDF_HEADER_WINDOW) - PDF_MAGIC.length;
  for (let at = 0; at <= last; at++) {
    if (head[at] === 0x25 && startsWithAt(head, PDF_MAGIC, at)) return true;
  }
  return false;
}

/**
 * The kind of a document from its first bytes (magic numbers), or null.
 * Declared content types and file names are never looked at.
 */
export function sniffDocumentKind(head: Uint8Array): DocumentKind | null {
  if (startsWithAt(head, JPEG_MAGIC, 0)) return 'jpeg';
  if (startsWithAt(head, PNG_MAGIC, 0)) return 'png';
  if (startsWithAt(head, TIFF_LE, 0) || startsWithAt(head, TIFF_BE, 0)) return 'tiff';
  return findPdfHeader(head) ? 'pdf' : null;
}

/**
 * False for a part the HTML body shows through a `cid:` link (a signature logo, an image
 * pasted in the text): that is decoration, not an attachment. True for every other part,
 * whatever its disposition.
 */
export function isCountedAttachment(att: InboundAttachment): boolean {
  return !(att.contentId !== null && att.referencedByHtml);
}

export interface DocumentsCheck {
  /** Counted, non-empty attachments whose bytes are an accepted kind, in mail order. */
  documents: DocumentInfo[];
  /** ATTACHMENT_MISSING or ATTACHMENT_INVALID, or nothing. */
  problems: Problem[];
}

/**
 * Checks the attachments of a request: no counted attachment → ATTACHMENT_MISSING; counted
 * attachments but none non-empty of an accepted kind → ATTACHMENT_INVALID, `found` listing the
 * declared file names. One accepted document is enough; other attachments are then not a problem.
 */
export function checkDocuments(attachments: readonly InboundAttachment[]): DocumentsCheck {
  const counted = attachments.filter(isCountedAttachment);
  if (counted.length === 0) return { documents: [], problems: [{ code: 'ATTACHMENT_MISSING' }] };
  const documents: DocumentInfo[] = [];
  for (const att of counted) {
    const kind = att.size > 0 ? sniffDocumentKind(att.head) : null;
    if (kind) documents.push({ filename: att.filename, kind, size: att.size, sha256: att.sha256 });
  }
  if (documents.length > 0) return { documents, problems: [] };
  const names = counted.map((att) => att.filename ?? '(sans nom)').join(', ');
  return { documents, problems: [{ code: 'ATTACHMENT_INVALID', found: foundText(names, FOUND_MAX.filenames) }] };
}
