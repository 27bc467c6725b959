import { randomBytes } from 'node:crypto';
import type { InboundMail } from '../../parsers/inbound-mail';
import type { NewOutboxRow } from '../db/schema';
import type { TemplateName, TemplateVars } from '../templates/catalog';
import type { RenderedMail } from '../templates/store';

export type { RenderedMail };

/** What renders a mail: the template store, typed by template name. */
export interface MailRenderer {
  render<N extends TemplateName>(name: N, vars: TemplateVars<N>): RenderedMail;
}

/**
 * A fresh Message-ID for an outbox row, with 128 random bits. It is written with the row, before the
 * first attempt, so a resend after a crash carries the same one; and nobody outside can compute it, so
 * a reply that names it (In-Reply-To/References) is bound to a mail liquibot really sent on the ticket:
 * the only thing that lets a follow-up change a request's facts (docs/security.md).
 */
export function newMessageId(domain: string): string {
  return `<lj.${randomBytes(16).toString('hex')}@${domain}>`;
}

/** In-Reply-To and References for an answer to `parent` (nodemailer does not build References itself). */
export function threadOn(parent: Pick<InboundMail, 'messageId' | 'references'> | null): { inReplyTo: string | null; references: string[] } {
  if (!parent?.messageId) return { inReplyTo: null, references: parent?.references.slice(-20) ?? [] };
  // Keep the chain bounded: the root and the latest ones are what clients thread on.
  const chain = [...parent.references.filter((r) => r !== parent.messageId), parent.messageId];
  const bounded = chain.length > 20 ? [chain[0]!, ...chain.slice(-19)] : chain;
  return { inReplyTo: parent.messageId, references: bounded };
}

export interface OutboxRowInput {
  purposeKey: string;
  kind: string;
  ticketId: number | null;
  ticketRef: string | null;
  to: string;
  rendered: RenderedMail;
  messageIdDomain: string;
  parent: Pick<InboundMail, 'messageId' | 'references'> | null;
  autoSubmitted: 'auto-replied' | 'auto-generated';
  replyTo?: string | null;
  attachments?: NewOutboxRow['attachments'];
  /** A Message-ID made by the caller (the approval request's, bound to its token); default: a fresh random one. */
  messageId?: string;
  resetLinkId?: number | null;
  now: Date;
}

/** Build the outbox row for one mail: everything fixed before the first attempt. */
export function outboxRowFor(input: OutboxRowInput): NewOutboxRow {
  const thread = threadOn(input.parent);
  return {
    purposeKey: input.purposeKey,
    ticketId: input.ticketId,
    ticketRef: input.ticketRef,
    kind: input.kind,
    messageId: input.messageId ?? newMessageId(input.messageIdDomain),
    resetLinkId: input.resetLinkId ?? null,
    toAddress: input.to,
    subject: input.rendered.subject,
    textBody: input.rendered.text,
    htmlBody: input.rendered.html,
    inReplyTo: thread.inReplyTo,
    references: thread.references,
    autoSubmitted: input.autoSubmitted,
    replyTo: input.replyTo ?? null,
    attachments: input.attachments ?? [],
    templateName: input.rendered.templateName,
    templateVersion: input.rendered.templateVersion,
    nextAttemptAt: input.now,
    createdAt: input.now,
  };
}
