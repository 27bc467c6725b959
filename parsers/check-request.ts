/**
 * Checks a liquidator request mail against the procedure: SIRET, liquidator address,
 * court document. Pure; the subject and the loop guard are checked before (see check-verdict).
 */
import { htmlToText, stripQuoted, stripQuotedHtml } from './body-text.js';
import { checkDocuments, type DocumentInfo } from './document-sniff.js';
import { findForward, forwardedTexts, type ForwardInfo } from './forwarded.js';
import type { InboundAttachment, InboundMail } from './inbound-mail.js';
import type { Problem, ProblemCode } from './problems.js';
import { PROBLEM_CODES } from './problems.js';
import { extractRequestFields, requestLabelsIn } from './request-fields.js';
import { isRequestSubject } from './subject.js';

export type { DocumentInfo } from './document-sniff.js';
export type { ForwardInfo } from './forwarded.js';

/** What checkRequest found in one request mail. */
export interface RequestCheck {
  /** 14 digits, or null when the SIRET has a problem. */
  siret: string | null;
  /** Lower-cased address, or null when it has a problem. */
  liquidatorEmail: string | null;
  /** Accepted documents, in mail order (the mail's own, then its attached messages'). */
  documents: DocumentInfo[];
  /** Every problem of the mail, ordered as PROBLEM_CODES (SIRET*, LIQUIDATOR*, ATTACHMENT*). */
  problems: Problem[];
  /**
   * The request reached liquibot forwarded (in the text or as an attached message): who sent it
   * first. null (or absent, in checks made before forwards were read) when it was not forwarded.
   * The requester is then parsers/forwarded.ts requesterOf(mail, check.forward, senderIsAgent).
   */
  forward?: ForwardInfo | null;
}

/** The parts of a mail (or of an attached message) its text is read from. */
export type ReadableMail = Pick<InboundMail, 'text' | 'html'> & Partial<Pick<InboundMail, 'subject' | 'attachedMessages'>>;

/** What a request is read from. */
export interface RequestReading {
  /**
   * The new texts of the request, in order: the mail's own words (quoted history cut); for a forward,
   * the forwarder's words then the forwarded message's; then each attached message's, read the same way.
   */
  texts: string[];
  forward: ForwardInfo | null;
}

/** One message's own texts: a forward's forwarder and forwarded texts, or a reply's new text. */
function readOwn(part: Pick<ReadableMail, 'text' | 'html' | 'subject'>): { texts: string[]; forward: ForwardInfo | null } {
  const plain = part.text.trim() !== '' ? part.text : null;
  const full = plain ?? (part.html ? htmlToText(part.html) : '');
  const inline = findForward(full, part.subject ?? null);
  if (inline) {
    return { texts: forwardedTexts(inline), forward: { via: 'inline', originalSender: inline.header.from, originalSubject: inline.header.subject } };
  }
  // A reply: the HTML's quoted parts go before it is converted (they have markers there, not in the text).
  const text = plain ?? (part.html ? htmlToText(stripQuotedHtml(part.html)) : '');
  const own = stripQuoted(text);
  return { texts: own === '' ? [] : [own], forward: null };
}

/**
 * How a request is read. A forward's forwarded message is read as the request, together with the
 * forwarder's own words (a reply's quoted history is cut, see parsers/forwarded.ts for how a forward
 * is told from a reply); every attached message (message/rfc822) is read as part of the request.
 * The forward recorded is the inline one, else the first attached message that looks like a request
 * (the procedure's subject, or its two labelled fields).
 */
export function readRequest(mail: ReadableMail): RequestReading {
  const own = readOwn(mail);
  const texts = [...own.texts];
  let forward = own.forward;
  for (const attached of mail.attachedMessages ?? []) {
    const read = readOwn(attached);
    texts.push(...read.texts);
    if (forward) continue;
    const labels = requestLabelsIn(read.texts);
    if (isRequestSubject(attached.subject) || (labels.siret && labels.email)) {
      forward = { via: 'attachment', originalSender: attached.from, originalSubject: attached.subject };
    }
  }
  return { texts, forward };
}

/**
 * The text a request is read from, as one text (see readRequest): the plain-text body when there
 * is one, else the HTML converted; a reply's quoted earlier messages cut, a forward's forwarded
 * message kept, attached messages' texts added.
 */
export function newTextOf(mail: ReadableMail): string {
  return readRequest(mail).texts.join('\n\n');
}

/** The mail's attachments, then its attached messages' (each file once). */
function attachmentsOf(mail: InboundMail): InboundAttachment[] {
  const all = [...mail.attachments];
  const seen = new Set(all.map((a) => a.sha256));
  for (const att of (mail.attachedMessages ?? []).flatMap((m) => m.attachments)) {
    if (seen.has(att.sha256)) continue;
    seen.add(att.sha256);
    all.push(att);
  }
  return all;
}

const ORDER = new Map<ProblemCode, number>(PROBLEM_CODES.map((code, i) => [code, i]));

/**
 * Checks a request mail and returns ALL its problems, in a stable order
 * (SIRET*, LIQUIDATOR_EMAIL*, ATTACHMENT*); no problems means the request conforms.
 */
export function checkRequest(mail: InboundMail): RequestCheck {
  const reading = readRequest(mail);
  const fields = extractRequestFields(reading.texts);
  const docs = checkDocuments(attachmentsOf(mail));
  const problems = [...fields.problems, ...docs.problems].sort(
    (a, b) => (ORDER.get(a.code) ?? 0) - (ORDER.get(b.code) ?? 0),
  );
  return { siret: fields.siret, liquidatorEmail: fields.liquidatorEmail, documents: docs.documents, problems, forward: reading.forward };
}
