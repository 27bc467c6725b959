import type { Hono } from 'hono';
import { sniffDocumentKind, PDF_HEADER_WINDOW } from '../../parsers/document-sniff';
import { rawOfInbound, recordAudit } from '../db/console-queries';
import { findTicketByRef } from '../db/ticket-queries';
import { extractAttachments } from '../mail/parse-mail';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { messageBody, pageResponse } from './responses';

/**
 * A court document of a ticket, from its stored mail, in a response of its own. Shown inline only when
 * its bytes sniff as PDF, JPEG or PNG (parsers/document-sniff.ts: the sender's declared type and file
 * name are never used), with that type; anything else is a download of opaque bytes. The response is
 * sandboxed (CSP `sandbox`: no script, no same-origin rights even if a viewer ran one), never sniffed
 * again by the browser (nosniff), and named by its hash, not by the sender's file name.
 */
export const DOCUMENT_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

const INLINE = { pdf: 'application/pdf', jpeg: 'image/jpeg', png: 'image/png' } as const;

export function registerDocumentRoute(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const db = deps.database.db;
  app.get('/tickets/:ref/documents/:sha256', async (c) => {
    const auth = c.get('auth');
    const notFound = (text: string, status = 404) => pageResponse({ base: deps.base, title: 'Document introuvable', viewer: auth.viewer, body: messageBody('Document introuvable', text) }, status);
    const sha256 = c.req.param('sha256');
    const ticket = /^[0-9a-f]{64}$/.test(sha256) ? await findTicketByRef(db, c.req.param('ref').slice(0, 40)) : null;
    const doc = ticket?.check.documents.find((d) => d.sha256 === sha256);
    if (!ticket || !doc) return notFound('Cette demande n’a pas ce document.');
    const raw = await rawOfInbound(db, doc.inboundMessageId);
    if (!raw) return notFound('Le message qui portait ce document a été supprimé par la rétention.', 410);
    const [att] = await extractAttachments(raw, [sha256]);
    if (!att) return notFound('Le document n’a pas été retrouvé dans son message.');
    const kind = sniffDocumentKind(att.content.subarray(0, PDF_HEADER_WINDOW));
    const inline = kind === 'pdf' || kind === 'jpeg' || kind === 'png';
    await recordAudit(db, { at: deps.now(), actor: auth.actor, action: 'document_viewed', target: ticket.ref, ip: c.get('client').ip, detail: { sha256, kind } });
    const name = `document-${sha256.slice(0, 12)}.${kind === 'jpeg' ? 'jpg' : kind ?? 'bin'}`;
    return new Response(new Uint8Array(att.content), {
      status: 200,
      headers: {
        'content-type': inline ? INLINE[kind] : 'application/octet-stream',
        'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${name}"`,
        'content-security-policy': DOCUMENT_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'cross-origin-resource-policy': 'same-origin',
      },
    });
  });
}
