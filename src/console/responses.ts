import { documentText, html, type Html } from './html';
import { alert, layout, type PageInput } from './layout';

/** The headers of every console response (a document view replaces the CSP with its own, stricter one). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // No inline script or style anywhere; DSFR's files come from our own origin.
  'content-security-policy': [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'", "connect-src 'self'",
    "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** An HTML page (no-store: pages show personal data). */
export function pageResponse(input: PageInput, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(documentText(layout(input)), {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** A 303 to a path of the console (after a POST: the browser then GETs it). */
export function seeOther(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store', ...headers } });
}

/** The body of a page that only says something went wrong (403, 404, 400…). */
export function messageBody(title: string, text: string, kind: 'error' | 'info' | 'warning' = 'error'): Html {
  return html`<h1>${title}</h1>${alert(kind, text)}`;
}
