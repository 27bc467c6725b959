/**
 * The one shape of an incoming mail that the pure core reads.
 *
 * It is produced by the parser adapter (src/mail/parse-mail.ts) so that the
 * checks never see a mailparser object and the parser can be swapped.
 */

export interface MailAddress {
  /** Lower-cased address, e.g. `jean.dupont@example.fr`. */
  address: string;
  /** Display name as decoded, '' when absent. */
  name: string;
}

/**
 * The sender as the From header names it. `address` and `name` are what mailparser read (the first
 * mailbox), kept for answering; `ambiguous` says the header does not name exactly one clean mailbox,
 * so that it never counts as an agent (src/approval/agent-allow-list.ts).
 */
export interface SenderAddress extends MailAddress {
  /**
   * Present (true) when the From header holds more than one mailbox, a group, several From headers,
   * an address that is not one clean mailbox (a comma, several `@`, a quoted list…), or when our
   * address parser and mailparser read it differently. Absent otherwise.
   */
  ambiguous?: true;
}

export interface InboundAttachment {
  /** Decoded file name, or null. */
  filename: string | null;
  /** Content-Type as declared by the sender (never trusted for the checks). */
  declaredType: string;
  /** Decoded size in bytes. */
  size: number;
  /** The first bytes of the decoded content (at least 16 when the part has them), for sniffing. */
  head: Uint8Array;
  /** The last bytes of the decoded content (up to 1 KiB), for the integrity check (a whole file ends as its kind must). */
  tail: Uint8Array;
  /** SHA-256 of the decoded content, hex. */
  sha256: string;
  /** Content-ID without angle brackets, or null. */
  contentId: string | null;
  /** Content-Disposition type, or null when the part has none. */
  disposition: 'attachment' | 'inline' | null;
  /** True when the HTML body references this part by `cid:`. */
  referencedByHtml: boolean;
  /** True when the part sits inside a multipart/related. */
  related: boolean;
}

/**
 * A message attached to the mail as a message/rfc822 part (a request forwarded as an attachment),
 * read by the same parser. Its own attachments are listed here, not in the mail's `attachments`,
 * which keep the mail's MIME parts as they are (the message/rfc822 part included).
 */
export interface AttachedMessage {
  /** 1 for a part of the mail itself, 2 for a part of an attached message, and so on. */
  depth: number;
  /** Decoded subject ('' when absent). */
  subject: string;
  from: MailAddress | null;
  date: Date | null;
  /** Message-ID with angle brackets, or null. */
  messageId: string | null;
  /** Plain-text body; '' when HTML only. */
  text: string;
  html: string | null;
  attachments: InboundAttachment[];
}

export interface InboundMail {
  /** Message-ID with angle brackets, e.g. `<abc@host>`, or null. */
  messageId: string | null;
  /** In-Reply-To with angle brackets, or null. */
  inReplyTo: string | null;
  /** References, each with angle brackets, oldest first. */
  references: string[];
  /** Decoded subject ('' when absent). */
  subject: string;
  from: SenderAddress | null;
  replyTo: MailAddress | null;
  /** Return-Path address; '' for the null sender `<>`; null when the header is absent. */
  returnPath: string | null;
  date: Date | null;
  /** Every header, lower-cased name → decoded values in order of appearance. */
  headers: Record<string, string[]>;
  /** Top-level Content-Type, lower-cased, without parameters, e.g. `multipart/report`. */
  contentType: string;
  /** Plain-text body as sent; '' when the mail is HTML only (use newTextOf() from check-request for the text to read). */
  text: string;
  /** HTML body or null. */
  html: string | null;
  attachments: InboundAttachment[];
  /**
   * The messages attached as message/rfc822 parts, depth first (a bounded depth; see
   * src/mail/parse-mail.ts). Absent or empty when there are none.
   */
  attachedMessages?: AttachedMessage[];
  /** Size of the raw source in bytes. */
  sizeBytes: number;
}
