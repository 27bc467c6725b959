/**
 * Forwards: a collaborator (or an agent) passes on someone else's request. Read as a reply, a forward
 * is empty (its content is "quoted history"); read as a forward, the forwarded message IS the request.
 *
 * Told from a reply by the first boundary of its text (body-text.ts findQuoteBoundary): a forward
 * separator ("---------- Forwarded message ---------", "-------- Message transféré --------",
 * "Début du message réexpédié :"…) always opens a forward; Outlook's "De : … Envoyé : …" block and
 * "-----Original Message-----" open one only when the subject's outermost prefix is a forward's
 * (TR:, Fwd:, FW:, WG:); an attribution ("Le … a écrit :") never does.
 */
import { findQuoteBoundary, stripQuoted } from './body-text.js';
import { findEmailTokens, isPlausibleEmail } from './email-address.js';
import type { MailAddress } from './inbound-mail.js';
import { isForwardSubject } from './subject.js';

/** The forwarded message's header block, as the forwarder's client wrote it. */
export interface ForwardedHeader {
  /** The original sender, when the block names a plausible address. */
  from: MailAddress | null;
  /** Its subject as written, or null. */
  subject: string | null;
  /** Its date as written ("jeudi 26 novembre 2026 10:12"), or null. */
  date: string | null;
}

/** A forward found in a mail's text. */
export interface InlineForward {
  /** What the forwarder wrote above the forwarded message, `>` lines removed, trimmed. */
  forwarderText: string;
  header: ForwardedHeader;
  /** The forwarded message's text below its header block, as forwarded (its own quoted history included). */
  body: string;
  /** The forwarded message was itself a forward (read with its own subject), or null. */
  nested: InlineForward | null;
}

/** Forwards inside forwards read at most this deep. */
export const MAX_NESTED_FORWARDS = 3;

const HEADER_LINE = new RegExp(
  '^\\s*[*_]*(De|From|Von|Exp[ée]diteur|Envoy[ée](?:\\s+le)?|Sent|Date|Gesendet|[ÀA]|To|Pour|An|Destinataires?|Cc|Cci|Bcc|' +
    'Copie(?:\\s+[àa])?|Objet|Subject|Sujet|Betreff|R[ée]pondre\\s+[àa]|Reply-To|Importance|Pi[èe]ces?\\s+jointes?|Attachments?)' +
    '[*_]*\\s*[:\\uff1a][*_]*[ \\t\\u00a0]*(.*)$',
  'i',
);
const FROM_KEY = /^(?:de|from|von|exp[ée]diteur)$/i;
const SUBJECT_KEY = /^(?:objet|subject|sujet|betreff)$/i;
const DATE_KEY = /^(?:envoy[ée](?:\s+le)?|sent|date|gesendet)$/i;

/** `Claire Moutin <claire@x.fr>`, `"Moutin, Claire" [mailto:claire@x.fr]`, `claire@x.fr`, `*Claire* <claire@x.fr>`. */
function mailboxOf(value: string): MailAddress | null {
  const address = findEmailTokens(value).find(isPlausibleEmail);
  if (!address) return null;
  const name = value
    .replace(/<[^<>]*>|\[mailto:[^\]]*\]|\(mailto:[^)]*\)/gi, ' ')
    .replace(/[*"“”«»]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { address, name: name.toLowerCase() === address ? '' : name };
}

const clean = (value: string) => value.replace(/^[\s*_]+|[\s*_]+$/g, '');

/**
 * Reads the header block starting at `start` (blank lines first are skipped): "De : / Envoyé : /
 * À : / Objet :", "From: / Date: / Subject: / To:", Thunderbird's "Sujet : / Date : / De : / Pour :"…
 * One blank line inside the block is tolerated when a header line follows. Returns the header and
 * the first line of the body (`start` itself when there is no header block).
 */
function readHeaderBlock(lines: readonly string[], start: number): { header: ForwardedHeader; bodyStart: number } {
  const header: ForwardedHeader = { from: null, subject: null, date: null };
  let i = start;
  while (i < lines.length && (lines[i] ?? '').trim() === '' && i < start + 3) i++;
  if (!HEADER_LINE.test(lines[i] ?? '')) return { header, bodyStart: start };
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const m = HEADER_LINE.exec(line);
    if (m) {
      const key = (m[1] ?? '').replace(/\s+/g, ' ');
      const value = clean(m[2] ?? '');
      if (FROM_KEY.test(key) && !header.from) header.from = mailboxOf(value);
      else if (SUBJECT_KEY.test(key) && header.subject === null) header.subject = value;
      else if (DATE_KEY.test(key) && header.date === null) header.date = value;
      continue;
    }
    if (line.trim() === '' && HEADER_LINE.test(lines[i + 1] ?? '')) continue;
    // a long "À :" list wrapped by the client goes on, indented
    if (/^[ \t]+\S/.test(line) && i > start && HEADER_LINE.test(lines[i - 1] ?? '')) continue;
    break;
  }
  return { header, bodyStart: i };
}

/** One level of `>` removed, when the forwarded part is quoted as a whole (some plain-text forwards). */
function unquoteOnce(lines: readonly string[]): string[] {
  const first = lines.find((line) => line.trim() !== '');
  if (first === undefined || !/^\s*>/.test(first)) return [...lines];
  return lines.map((line) => line.replace(/^\s*> ?/, ''));
}

function findForwardAt(text: string, subject: string | null, depth: number): InlineForward | null {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const boundary = findQuoteBoundary(lines);
  if (!boundary) return null;
  const isForward =
    boundary.kind === 'forward-separator' ||
    ((boundary.kind === 'header-block' || boundary.kind === 'original-separator') && subject !== null && isForwardSubject(subject));
  if (!isForward) return null;
  const forwarded = unquoteOnce(lines.slice(boundary.after));
  const { header, bodyStart } = readHeaderBlock(forwarded, 0);
  const body = forwarded.slice(bodyStart).join('\n').trim();
  return {
    forwarderText: lines.slice(0, boundary.start).filter((line) => !/^\s*>/.test(line)).join('\n').trim(),
    header,
    body,
    nested: depth < MAX_NESTED_FORWARDS ? findForwardAt(body, header.subject, depth + 1) : null,
  };
}

/**
 * The forward in a plain-text body (an HTML body converted first), or null when the text is a
 * reply or a new message. `subject` is the mail's (decoded); without it, only a forward separator
 * makes a forward.
 *
 * @example findForward('Voir ci-dessous\n---------- Forwarded message ---------\nFrom: Claire <c@mj.fr>\nSubject: X\n\nSIRET concerné : 1', 'Fwd: X')
 *   → { forwarderText: 'Voir ci-dessous', header: { from: { address: 'c@mj.fr', name: 'Claire' }, subject: 'X', date: null }, body: 'SIRET concerné : 1', nested: null }
 */
export function findForward(text: string, subject: string | null = null): InlineForward | null {
  return findForwardAt(text, subject, 1);
}

/**
 * The texts a forward is read from, in order: the forwarder's, then the forwarded message's own
 * text (its quoted history cut; a forward inside it read the same way).
 */
export function forwardedTexts(forward: InlineForward): string[] {
  const rest = forward.nested ? forwardedTexts(forward.nested) : [stripQuoted(forward.body)];
  return [forward.forwarderText, ...rest].filter((text) => text !== '');
}

/** A request that reached liquibot forwarded, and who sent it first. */
export interface ForwardInfo {
  /** In the text (an inline forward) or as an attached message (message/rfc822). */
  via: 'inline' | 'attachment';
  /** The original sender: the forwarded header block's "De :", or the attached message's From; null when unknown. */
  originalSender: MailAddress | null;
  /** The forwarded message's subject, or null. */
  originalSubject: string | null;
}

/** Who liquibot answers for a request, and who forwarded it on the requester's behalf. */
export interface Requester {
  /** The address liquibot answers; null when the mail has no sender. */
  requester: MailAddress | null;
  /** The agent who forwarded the request on the requester's behalf, or null. */
  forwardedBy: MailAddress | null;
}

/**
 * The requester of a request mail. A forward is answered to whoever forwarded it (a collaborator
 * passing on the liquidator's request is the one who asks), EXCEPT when an agent forwarded it (a
 * request that reached another mailbox): then the original sender is the requester, as FreeScout's
 * and Help Scout's forwarding do, and the agent is recorded as `forwardedBy`. An agent's forward
 * that does not name a plausible original sender stays the agent's.
 *
 * `senderIsAgent` must come from the allow-list (src/approval/agent-allow-list.ts), which never
 * counts an ambiguous From.
 */
export function requesterOf(
  mail: { from: MailAddress | null },
  forward: ForwardInfo | null | undefined,
  senderIsAgent: boolean,
): Requester {
  const original = forward?.originalSender ?? null;
  if (senderIsAgent && mail.from && original && original.address !== mail.from.address) {
    return { requester: original, forwardedBy: { address: mail.from.address, name: mail.from.name } };
  }
  return { requester: mail.from ? { address: mail.from.address, name: mail.from.name } : null, forwardedBy: null };
}
