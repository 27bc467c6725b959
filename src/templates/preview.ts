import MailComposer from 'nodemailer/lib/mail-composer';
import type { Audience } from './catalog';
import type { RenderedMail } from './store';

/** Fictitious addresses for previews, per audience. */
const PREVIEW_RECIPIENTS: Record<Audience, string> = {
  requester: 'demandeur@exemple.invalid',
  liquidator: 'liquidateur@exemple.invalid',
  agents: 'agents@exemple.invalid',
  admins: 'admins@exemple.invalid',
};

/**
 * Builds a preview .eml of a rendered mail: multipart/alternative when it has an HTML part.
 * Addresses and Message-ID are fictitious: the outbox sets the real ones.
 */
export async function buildPreviewEml(mail: RenderedMail, audience: Audience, date = new Date()): Promise<Buffer> {
  const composer = new MailComposer({
    from: { name: 'Support net-entreprises (aperçu)', address: 'liquibot@exemple.invalid' },
    to: PREVIEW_RECIPIENTS[audience],
    subject: mail.subject,
    text: mail.text,
    ...(mail.html !== null ? { html: mail.html } : {}),
    date,
    messageId: `<preview.${mail.templateName}.${mail.templateVersion}@exemple.invalid>`,
    headers: { 'X-Liquibot-Template': `${mail.templateName} ${mail.templateVersion}` },
  });
  return composer.compile().build();
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The HTML part, or for a text-only mail an HTML page that shows the text as sent. */
export function previewHtml(mail: RenderedMail): string {
  if (mail.html !== null) return mail.html;
  return [
    '<!DOCTYPE html>',
    '<html lang="fr"><head><meta charset="utf-8">',
    `<title>${escapeHtml(mail.subject)}</title></head>`,
    '<body><p><em>Message texte seul (pas de html.liquid) :</em></p>',
    `<pre style="white-space: pre-wrap; font-family: monospace;">${escapeHtml(mail.text)}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}
