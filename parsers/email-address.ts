/**
 * Liquidator e-mail addresses: pulling the address out of what people (and HTML
 * conversions) write, and a pragmatic syntax check.
 */

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/**
 * Pragmatic but strict address check: `local@domain.tld`, ASCII only, at most 254 characters,
 * no whitespace, CR/LF, double quotes, commas or angle brackets; a dot-atom local part of at
 * most 64 characters (no leading, trailing or doubled dot); a domain of at least two labels
 * with an alphabetic (or punycode) top-level label. Quoted local parts and address literals
 * (`user@[1.2.3.4]`) are refused: nobody needs them to receive a reset link.
 */
export function isPlausibleEmail(address: string): boolean {
  if (address.length > 254 || !/^[\x21-\x7e]+$/.test(address)) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.indexOf('@') !== at) return false;
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  if (local.length > 64 || !local.split('.').every((part) => ATEXT.test(part))) return false;
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return false;
  return TOP_LABEL.test(labels[labels.length - 1] ?? '');
}

/**
 * Every address-looking token of a field value, lower-cased, in order, duplicates kept.
 * Understands `x@y.fr`, `mailto:x@y.fr`, `Name <x@y.fr>`, `"x@y.fr" <x@y.fr>`,
 * `[x@y.fr](mailto:x@y.fr)` and `x@y.fr <mailto:x@y.fr>`. The content of `<…>` is taken whole,
 * so `<jean dupont@x.fr>` yields a token that fails {@link isPlausibleEmail}.
 */
export function findEmailTokens(value: string): string[] {
  const tokens: string[] = [];
  const rest = value
    .replace(/<([^<>]*)>/g, (_all, inner: string) => {
      if (inner.includes('@')) tokens.push(inner.replace(/^\s*mailto:/i, '').trim());
      return ' ';
    })
    .replace(/mailto:/gi, ' ');
  for (const token of rest.split(/[\s,;()[\]<>"]+/)) {
    if (token.includes('@')) tokens.push(token);
  }
  // a sentence may end right after the address: "… : jean@mj.fr."
  return tokens.map((token) => token.replace(/^[.:]+|[.:]+$/g, '').toLowerCase());
}
