/**
 * Mailbox identity: when two written addresses reach the same mailbox. Used wherever liquibot asks
 * "is this sender that person" (the agents' allow-list, "never the requester or the liquidator", the
 * classifier, the per-sender notice limit): comparing the strings as written let
 * `sophie.martin+x@…` pass for someone other than `sophie.martin@…`.
 *
 * Pure: no I/O. `node:url`'s domainToASCII is the WHATWG URL host algorithm (UTS #46), no network.
 */
import { domainToASCII } from 'node:url';

export interface MailboxOptions {
  /**
   * Characters that start a subaddress in the local part (`jean+tag@x.fr` → `jean@x.fr`), as in
   * SUBADDRESS_SEPARATORS. `+` is always one, whatever is given; add `-` for servers configured
   * with `recipient_delimiter = -` (then `jean-pierre@x.fr` is `jean@x.fr`: only where that is true).
   */
  subaddressSeparators?: string;
}

const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-";
const DOT_ATOM = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
/** What may appear in a domain as written: ASCII letters, digits, hyphens and dots, and non-ASCII letters (IDN). */
const DOMAIN_AS_WRITTEN = /^[A-Za-z0-9.\-\p{L}\p{M}\p{N}]+$/u;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The local part as written (dot-atom, or a quoted string whose content is a dot-atom), unquoted; null otherwise. */
function localPartOf(written: string): { local: string; rest: string } | null {
  if (!written.startsWith('"')) {
    const at = written.indexOf('@');
    if (at <= 0) return null;
    return { local: written.slice(0, at), rest: written.slice(at + 1) };
  }
  let local = '';
  for (let i = 1; i < written.length; i += 1) {
    const c = written[i]!;
    if (c === '\\') {
      i += 1;
      if (i >= written.length) return null;
      local += written[i];
    } else if (c === '"') {
      return written[i + 1] === '@' ? { local, rest: written.slice(i + 2) } : null;
    } else {
      local += c;
    }
  }
  return null;
}

/** The domain in its one ASCII form: lower case, punycode for IDN labels, without the trailing root dot; null when it is not a host name. */
function canonicalDomain(written: string): string | null {
  const domain = written.endsWith('.') ? written.slice(0, -1) : written;
  // Checked before the URL host algorithm, which would also percent-decode, drop invisible characters and read IPv4 forms.
  if (!domain || !DOMAIN_AS_WRITTEN.test(domain)) return null;
  const ascii = domainToASCII(domain);
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (!labels.every((label) => LDH_LABEL.test(label))) return null;
  // a top label without a letter is an address literal in disguise (`x@127.0.0.1`), not a mail domain
  return /[a-z]/.test(labels[labels.length - 1]!) ? ascii : null;
}

/**
 * The canonical form of one address (an addr-spec: `local@domain`, surrounding whitespace ignored), or
 * null when it is not one clean mailbox. Two addresses reach the same mailbox when their canonical
 * forms are equal:
 *
 * - case ignored: local part and domain lower-cased;
 * - the subaddress removed: from the first separator (`+`, and the configured ones) that is not the
 *   first character of the local part;
 * - a quoted local part unquoted: `"sophie.martin"@x.fr` is `sophie.martin@x.fr`;
 * - the domain in one form: IDN labels as punycode (`exämple.fr` and `xn--exmple-cua.fr` alike),
 *   the trailing root dot removed (`x.fr.` is `x.fr`).
 *
 * Null (never the same as anything else, never an agent) for: display names, angle brackets, comments,
 * lists and groups, whitespace inside, several `@`, a quoted local part that is not a plain dot-atom
 * once unquoted (`"a,b"@x.fr`, `"x@y.fr"@x.fr`), a non-ASCII local part, address literals
 * (`x@[1.2.3.4]`), IPv4-looking domains, invisible or percent-encoded characters in the domain.
 *
 * @example canonicalMailbox(' Sophie.Martin+X@Agents.Example.FR. ') === 'sophie.martin@agents.example.fr'
 */
export function canonicalMailbox(address: string, opts: MailboxOptions = {}): string | null {
  const written = address.trim();
  if (written.length === 0 || written.length > 254) return null;
  const parts = localPartOf(written);
  if (!parts || parts.local.length > 64 || !DOT_ATOM.test(parts.local)) return null;
  const domain = canonicalDomain(parts.rest);
  if (!domain) return null;
  const separators = new Set(`+${opts.subaddressSeparators ?? ''}`);
  let local = parts.local.toLowerCase();
  const cut = [...local].findIndex((c, i) => i > 0 && separators.has(c));
  if (cut > 0) local = local.slice(0, cut);
  return `${local}@${domain}`;
}

/** The domain of a canonical mailbox (its part after the one `@`). */
export function domainOfMailbox(canonical: string): string {
  return canonical.slice(canonical.lastIndexOf('@') + 1);
}

/**
 * Whether two written addresses reach the same mailbox: their canonical forms are equal. When neither
 * is a clean mailbox, they are the same only as the same string (case and surrounding whitespace
 * ignored), so that a requester with an odd address is still recognised on its own thread; absent
 * or empty addresses are never the same as anything.
 */
export function sameMailbox(a: string | null | undefined, b: string | null | undefined, opts: MailboxOptions = {}): boolean {
  if (!a?.trim() || !b?.trim()) return false;
  const ca = canonicalMailbox(a, opts);
  const cb = canonicalMailbox(b, opts);
  if (ca !== null || cb !== null) return ca === cb;
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The addr-spec, as written, of an address header (From) that names exactly one mailbox in one of its
 * two plain forms, `addr-spec` or `display-name <addr-spec>`, with comments only around the parts;
 * null for anything else: a list or a group (`,` `;` `:` outside quotes), several or unbalanced angle
 * brackets, quotes or parentheses, text after `>`, an unquoted `@` in the display name
 * (`evil@evil.fr <paul@x.fr>`), words around an unbracketed address (`paul durand@x.fr`), a comment
 * inside the address. Whether the addr-spec itself is a clean mailbox is canonicalMailbox's to say.
 *
 * A strictness check beside a real address parser (nodemailer's, in src/mail/parse-mail.ts), which
 * reads such forms leniently: it decides the structure, this refuses what it had to guess at.
 */
export function writtenMailboxOf(header: string): string | null {
  let out = '';
  let quoted = false;
  let depth = 0;
  let open = -1;
  let close = -1;
  for (let i = 0; i < header.length; i += 1) {
    const c = header[i]!;
    if (quoted) {
      out += c;
      if (c === '\\') {
        if (i + 1 >= header.length) return null;
        out += header[(i += 1)];
      } else if (c === '"') {
        quoted = false;
      }
    } else if (depth > 0) {
      if (c === '\\') i += 1;
      else if (c === '(') depth += 1;
      else if (c === ')' && (depth -= 1) === 0) out += ' ';
    } else if (c === '(') {
      depth = 1;
    } else if (c === ')' || c === ',' || c === ';' || c === ':') {
      return null;
    } else {
      if (c === '"') quoted = true;
      if (c === '<') {
        if (open >= 0) return null;
        open = out.length;
      }
      if (c === '>') {
        if (open < 0 || close >= 0) return null;
        close = out.length;
      }
      out += c;
    }
  }
  if (quoted || depth > 0) return null;
  const unquoted = (text: string) => text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  let address: string;
  if (open < 0 && close < 0) {
    address = out.trim();
  } else {
    if (open < 0 || close < 0 || out.slice(close + 1).trim() !== '') return null;
    if (/[@"<>]/.test(unquoted(out.slice(0, open)).replaceAll('""', ''))) return null;
    address = out.slice(open + 1, close).trim();
  }
  // whitespace inside the address (words, or a comment, in it) is a guess for a lenient parser
  return /\s/.test(unquoted(address)) ? null : address;
}
