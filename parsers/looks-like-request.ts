/**
 * Whether a mail (not machine mail, not on a ticket's thread) is a request made through the procedure.
 */
import { readRequest } from './check-request.js';
import type { InboundMail } from './inbound-mail.js';
import { requestLabelsIn } from './request-fields.js';
import { isRequestSubject } from './subject.js';

/**
 * True when the mail is a request: its subject is the procedure's or close to it (subject.ts), or the
 * subject of the request it forwards is, or its new text (a reply's quoted history cut, a forward's
 * forwarded message and attached messages read: check-request.ts readRequest) carries both labelled
 * fields of the procedure's form, a SIRET label ("SIRET concerné", or "SIRET :" at the start of a
 * line) and the liquidator's address label ("Mail du liquidateur"), whatever the subject, values
 * filled or not. Run the loop guard first: this says nothing about machine mail.
 *
 * @example looksLikeRequest({ ...mail, subject: '', text: 'SIRET concerné : 73282932000074\nMail du liquidateur : a@b.fr' }) === true
 */
export function looksLikeRequest(mail: Pick<InboundMail, 'subject' | 'text' | 'html' | 'attachedMessages'>): boolean {
  if (isRequestSubject(mail.subject)) return true;
  const reading = readRequest(mail);
  if (reading.forward?.originalSubject && isRequestSubject(reading.forward.originalSubject)) return true;
  const labels = requestLabelsIn(reading.texts);
  return labels.siret && labels.email;
}
