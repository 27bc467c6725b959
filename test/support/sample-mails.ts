import { randomUUID } from 'node:crypto';

/**
 * Realistic liquidator requests as the knowledge base sends them, for the demo, the end-to-end
 * tests and the benchmark. Built by hand (not by our own sender) so they stay independent of it.
 */

/** The smallest PDF readers accept, with an optional padding stream to reach a size. */
export function samplePdf(padBytes = 0): Buffer {
  const pad = padBytes > 0 ? `4 0 obj\n<< /Length ${padBytes} >>\nstream\n${'0'.repeat(padBytes)}\nendstream\nendobj\n` : '';
  return Buffer.from(
    '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' +
      '2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' +
      '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n' +
      pad +
      'trailer\n<< /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  );
}

/** The padding that makes samplePdf() exactly `bytes` long (or as close as its framing allows). */
export function pdfPadFor(bytes: number): number {
  const base = samplePdf(0).length;
  if (bytes <= base) return 0;
  let pad = bytes - base;
  // The padding object's header names its length: shrink until the whole file fits.
  for (let i = 0; i < 5; i += 1) {
    const over = samplePdf(pad).length - bytes;
    if (over === 0) break;
    pad = Math.max(1, pad - over);
  }
  return pad;
}

export interface SampleRequest {
  from: string;
  fromName?: string;
  to?: string;
  subject?: string;
  siret?: string | null;
  liquidatorEmail?: string | null;
  attachment?: 'pdf' | 'none' | 'docx' | { filename: string; content: Buffer; contentType: string };
  /** Extra text before the fields. */
  preamble?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  date?: Date;
  /** Padding of the PDF attachment, in bytes. */
  pdfPadBytes?: number;
}

export const REQUEST_SUBJECT = 'LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE';

function encodeHeader(value: string): string {
  // RFC 2047 for anything outside ASCII, as real clients do.
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function base64Lines(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/**
 * A valid SIRET (Luhn) of its own for request number `n`: load tests and benchmarks give each request its
 * own company, since liquibot puts one company's requests before the agents one at a time.
 */
export function sampleSiret(n: number): string {
  const base = `1${String(Math.floor(n)).padStart(12, '0')}`;
  for (let check = 0; check <= 9; check += 1) {
    const digits = base + check;
    let sum = 0;
    for (let i = 0; i < 14; i += 1) {
      let d = Number(digits[13 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error('unreachable: one check digit always fits');
}

/** Build the raw source (CRLF) of a request or a reply on one. */
export function buildRequestMail(r: SampleRequest): string {
  const messageId = r.messageId ?? `<${randomUUID()}@custhelp.example.net>`;
  const lines: string[] = [];
  if (r.preamble) lines.push(r.preamble, '');
  lines.push('Thème : Se connecter sur le site / Connexion par mot de passe', '');
  if (r.siret !== null) lines.push(`SIRET concerné : ${r.siret ?? '73282932000074'}`);
  if (r.liquidatorEmail !== null) lines.push(`Mail du liquidateur à renseigner : ${r.liquidatorEmail ?? 'liquidateur@etude-martin.fr'}`);
  lines.push('', 'Cordialement,', r.fromName ?? 'Maître Martin');
  const text = lines.join('\r\n');
  const boundary = `----=_liquibot_sample_${randomUUID()}`;
  const headers = [
    `Return-Path: <${r.from}>`,
    `From: ${r.fromName ? `${encodeHeader(r.fromName)} ` : ''}<${r.from}>`,
    `To: ${r.to ?? 'support@support.example.fr'}`,
    `Subject: ${encodeHeader(r.subject ?? REQUEST_SUBJECT)}`,
    `Date: ${(r.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId}`,
    ...(r.inReplyTo ? [`In-Reply-To: ${r.inReplyTo}`] : []),
    ...(r.references?.length ? [`References: ${r.references.join(' ')}`] : []),
    ...Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  const textPart = ['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(text, 'utf8'))];
  const attachment = r.attachment ?? 'pdf';
  if (attachment === 'none') return [...headers, ...textPart, ''].join('\r\n');
  const file =
    attachment === 'pdf'
      ? { filename: 'minutes-greffe.pdf', content: samplePdf(r.pdfPadBytes ?? 0), contentType: 'application/pdf' }
      : attachment === 'docx'
        ? { filename: 'jugement.docx', content: Buffer.from('PK\x03\x04 not a court document', 'latin1'), contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }
        : attachment;
  return [
    ...headers,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    ...textPart,
    `--${boundary}`,
    `Content-Type: ${file.contentType}; name="${file.filename}"`,
    `Content-Disposition: attachment; filename="${file.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(file.content),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** An out-of-office answer, as Exchange sends them. */
export function buildAutoReply(from: string, inReplyTo?: string): string {
  return [
    `From: <${from}>`,
    'To: support@support.example.fr',
    `Subject: ${encodeHeader('Réponse automatique : LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE')}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@etude.example.fr>`,
    ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`] : []),
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'Je suis absent du bureau jusqu’au 2 décembre.',
    '',
  ].join('\r\n');
}

/** A mail about something else: liquibot leaves it for humans. */
export function buildUnrelatedMail(from: string): string {
  return [
    `From: <${from}>`,
    'To: support@support.example.fr',
    'Subject: Question sur ma DSN de novembre',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@entreprise.example.fr>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'Bonjour, ma DSN est rejetée, pouvez-vous m’aider ?',
    '',
  ].join('\r\n');
}
