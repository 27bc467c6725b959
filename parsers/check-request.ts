/**
 * Checks a liquidator request mail against the procedure: SIRET, liquidator address,
 * court document. Pure; the subject and the loop guard are checked before (see check-verdict).
 */
import { htmlToText, stripQuoted, stripQuotedHtml } from './body-text.js';
import { checkDocuments, type DocumentInfo } from './document-sniff.js';
import type { InboundMail } from './inbound-mail.js';
import type { Problem, ProblemCode } from './problems.js';
import { PROBLEM_CODES } from './problems.js';
import { extractRequestFields } from './request-fields.js';

export type { DocumentInfo } from './document-sniff.js';

/** What checkRequest found in one request mail. */
export interface RequestCheck {
  /** 14 digits, or null when the SIRET has a problem. */
  siret: string | null;
  /** Lower-cased address, or null when it has a problem. */
  liquidatorEmail: string | null;
  /** Accepted documents, in mail order. */
  documents: DocumentInfo[];
  /** Every problem of the mail, ordered as PROBLEM_CODES (SIRET*, LIQUIDATOR*, ATTACHMENT*). */
  problems: Problem[];
}

/**
 * The text a request is read from: the plain-text body when there is one, else the HTML
 * converted after its quoted parts were removed; then quoted earlier messages are cut.
 */
export function newTextOf(mail: Pick<InboundMail, 'text' | 'html'>): string {
  const text = mail.text.trim() !== '' ? mail.text : mail.html ? htmlToText(stripQuotedHtml(mail.html)) : '';
  return stripQuoted(text);
}

const ORDER = new Map<ProblemCode, number>(PROBLEM_CODES.map((code, i) => [code, i]));

/**
 * Checks a request mail and returns ALL its problems, in a stable order
 * (SIRET*, LIQUIDATOR_EMAIL*, ATTACHMENT*); no problems means the request conforms.
 */
export function checkRequest(mail: InboundMail): RequestCheck {
  const fields = extractRequestFields(newTextOf(mail));
  const docs = checkDocuments(mail.attachments);
  const problems = [...fields.problems, ...docs.problems].sort(
    (a, b) => (ORDER.get(a.code) ?? 0) - (ORDER.get(b.code) ?? 0),
  );
  return { siret: fields.siret, liquidatorEmail: fields.liquidatorEmail, documents: docs.documents, problems };
}
