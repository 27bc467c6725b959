import type { Tx } from '../db/client';
import type { NewOutboxRow, NewTicketEvent, Ticket } from '../db/schema';
import { enqueueMail } from '../db/outbox-queries';
import { insertEvents } from '../db/ticket-queries';
import type { InboundMail } from '../../parsers/inbound-mail';
import type { TemplateName, TemplateVars } from '../templates/catalog';
import { outboxRowFor } from './outgoing-mail';
import type { PipelineDeps } from './process-inbound';

export interface TicketMail<N extends TemplateName> {
  template: N;
  vars: TemplateVars<N>;
  to: string;
  /** Unique within the ticket; the outbox never sends the same purpose twice. */
  purpose: string;
  /** The mail this one answers (threading), or null. */
  parent: Pick<InboundMail, 'messageId' | 'references'> | null;
  autoSubmitted: 'auto-replied' | 'auto-generated';
  replyTo?: string | null;
  resetLinkId?: number | null;
  attachments?: NewOutboxRow['attachments'];
  messageId?: string;
}

/**
 * Render a ticket's mail and write it to the outbox with a history line, inside the ticket's
 * transaction. Returns false when a mail with this purpose was already queued. With `events`, the
 * history line is added there for the caller to insert with the others (one statement for all).
 */
export async function queueTicketMail<N extends TemplateName>(
  deps: Pick<PipelineDeps, 'templates' | 'config'>, tx: Tx, ticket: Pick<Ticket, 'id' | 'ref'>, mail: TicketMail<N>, now: Date,
  events?: NewTicketEvent[],
): Promise<boolean> {
  const rendered = deps.templates.render(mail.template, mail.vars);
  const purposeKey = `${ticket.ref}:${mail.purpose}`;
  const inserted = await enqueueMail(tx, outboxRowFor({
    purposeKey, kind: mail.template, ticketId: ticket.id, ticketRef: ticket.ref, to: mail.to, rendered,
    messageIdDomain: deps.config.messageIdDomain, parent: mail.parent, autoSubmitted: mail.autoSubmitted,
    replyTo: mail.replyTo ?? null, resetLinkId: mail.resetLinkId ?? null, attachments: mail.attachments,
    messageId: mail.messageId, now,
  }));
  if (inserted) {
    const event: NewTicketEvent = {
      ticketId: ticket.id, at: now, kind: 'mail_queued', actor: 'liquibot',
      detail: { mail: mail.template, purposeKey, template: rendered.templateName, templateVersion: rendered.templateVersion },
    };
    if (events) events.push(event);
    else await insertEvents(tx, [event]);
  }
  return inserted;
}

/** The requester as templates know them. */
export function requesterOf(ticket: Pick<Ticket, 'requesterEmail' | 'requesterName'>): { email: string; name: string | null } {
  return { email: ticket.requesterEmail, name: ticket.requesterName || null };
}

/** The first request of a ticket, as a parent to thread answers on. */
export function rootOf(ticket: Pick<Ticket, 'rootMessageId'>): Pick<InboundMail, 'messageId' | 'references'> | null {
  return ticket.rootMessageId ? { messageId: ticket.rootMessageId, references: [] } : null;
}
