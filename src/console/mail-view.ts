import { htmlToText } from '../../parsers/body-text';
import { sniffDocumentKind } from '../../parsers/document-sniff';
import { parseMail } from '../mail/parse-mail';
import { dateTime, kibibytes, oneLine, paragraph, SHOWN } from './format';
import { html, type Html } from './html';

/** Larger mails are not parsed for the page (a 50 MB mail costs a second and 200 MB to parse). */
const MAX_PARSED_BYTES = 15 * 1024 * 1024;

/**
 * A received mail shown as TEXT: its text part (or its HTML part turned into text, never rendered),
 * every header value on one line, attachments by name, declared type, size and what their bytes are.
 */
export async function receivedMailView(
  mail: { id: number; raw: Buffer | null; sizeBytes: number; receivedAt: Date; outcome: string | null },
  timeZone: string,
): Promise<Html> {
  const head = html`<p class="fr-text--sm fr-mb-1w">Message n° ${mail.id}, reçu le ${dateTime(mail.receivedAt, timeZone)} — ${kibibytes(mail.sizeBytes)}${
    mail.outcome ? ` — ${oneLine(mail.outcome, 80)}` : ''}</p>`;
  if (!mail.raw) return html`<div class="console-mail">${head}<p><em>Source supprimée par la rétention.</em></p></div>`;
  if (mail.raw.length > MAX_PARSED_BYTES) {
    return html`<div class="console-mail">${head}<p><em>Message trop volumineux pour être affiché ici ; ses documents restent consultables ci-dessus.</em></p></div>`;
  }
  let parsed;
  try {
    parsed = await parseMail(mail.raw);
  } catch {
    return html`<div class="console-mail">${head}<p><em>Ce message n’a pas pu être lu.</em></p></div>`;
  }
  const from = parsed.from ? `${parsed.from.name ? `${parsed.from.name} ` : ''}<${parsed.from.address}>` : '';
  const body = parsed.text.trim() ? parsed.text : parsed.html ? htmlToText(parsed.html) : '';
  const attachments = parsed.attachments.map((a) => {
    const kind = a.size > 0 ? sniffDocumentKind(a.head) : null;
    return html`<li>${oneLine(a.filename ?? 'sans nom', SHOWN.filename)} — ${oneLine(a.declaredType, 80)}, ${kibibytes(a.size)}${
      kind ? `, contenu : ${kind.toUpperCase()}` : ', contenu non reconnu'}</li>`;
  });
  return html`<div class="console-mail">${head}
<dl>
<dt>De</dt><dd>${oneLine(from, SHOWN.name + SHOWN.address)}</dd>
<dt>Objet</dt><dd>${oneLine(parsed.subject, SHOWN.subject)}</dd>
<dt>Date</dt><dd>${dateTime(parsed.date, timeZone)}</dd>
${attachments.length > 0 ? html`<dt>Pièces jointes</dt><dd><ul>${attachments}</ul></dd>` : ''}
</dl>
<div class="console-text">${paragraph(body) || '(message vide)'}</div></div>`;
}
