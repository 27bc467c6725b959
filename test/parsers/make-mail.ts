import { createHash } from 'node:crypto';
import type { InboundAttachment, InboundMail } from '../../parsers/inbound-mail';

/** A plain request-looking InboundMail; override what the case is about. */
export function makeMail(over: Partial<InboundMail> = {}): InboundMail {
  return {
    messageId: '<abc@mj-moutin.fr>',
    inReplyTo: null,
    references: [],
    subject: 'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    from: { address: 'claire.moutin@mj-moutin.fr', name: 'Claire Moutin' },
    replyTo: null,
    returnPath: 'claire.moutin@mj-moutin.fr',
    date: new Date('2026-11-26T09:00:00Z'),
    headers: {},
    contentType: 'multipart/mixed',
    text: '',
    html: null,
    attachments: [],
    sizeBytes: 1000,
    ...over,
  };
}

export const PDF_BYTES = new TextEncoder().encode('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n');

/** An attachment whose head/size/sha256 are computed from `bytes`. */
export function makeAttachment(bytes: Uint8Array, over: Partial<InboundAttachment> = {}): InboundAttachment {
  return {
    filename: 'jugement.pdf',
    declaredType: 'application/pdf',
    size: bytes.length,
    head: bytes.slice(0, 65 * 1024),
    tail: bytes.slice(Math.max(0, bytes.length - 1024)),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    contentId: null,
    disposition: 'attachment',
    referencedByHtml: false,
    related: false,
    ...over,
  };
}
