import type { Config } from '../config';
import type { Tx } from '../db/client';
import type { NewOutboxRow, NewTicketEvent, Ticket } from '../db/schema';
import { enqueueMail } from '../db/outbox-queries';
import { writeBehind } from '../db/write-behind';
import { AppError } from '../errors';
import type { InboundMail } from '../../parsers/inbound-mail';
import type { TemplateName, TemplateVars } from '../templates/catalog';
import { outboxRowFor, type MailRenderer } from './outgoing-mail';

/** What queueing a ticket's mail needs. */
export interface QueueDeps {
  templates: MailRenderer;
  config: Pick<Config, 'messageIdDomain'>;
}

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
 * Render a ticket's mail and write it to the outbox inside the ticket's transaction; its history line
 * (`mail_queued`) is pushed onto `events` for the caller to insert with the others (one statement for
 * all). Returns false when a mail with this purpose was already queued.
 *
 * `fresh`: the ticket was created by this transaction, so no mail of its can be queued yet, and the row
 * is sent behind (write-behind.ts), with the statements that follow. Should it not be written after
 * all, the transaction fails: the history would say otherwise.
 */
export async function queueTicketMail<N extends TemplateName>(
  deps: QueueDeps, tx: Tx, ticket: Pick<Ticket, 'id' | 'ref'>, mail: TicketMail<N>, now: Date, events: NewTicketEvent[],
  opts: { fresh?: boolean | undefined } = {},
): Promise<boolean> {
  const rendered = deps.templates.render(mail.template, mail.vars);
  const purposeKey = `${ticket.ref}:${mail.purpose}`;
  const enqueued = enqueueMail(tx, outboxRowFor({
    purposeKey, kind: mail.template, ticketId: ticket.id, ticketRef: ticket.ref, to: mail.to, rendered,
    messageIdDomain: deps.config.messageIdDomain, parent: mail.parent, autoSubmitted: mail.autoSubmitted,
    replyTo: mail.replyTo ?? null, resetLinkId: mail.resetLinkId ?? null, attachments: mail.attachments,
    messageId: mail.messageId, now,
  }));
  let inserted = true;
  if (opts.fresh) {
    await writeBehind(tx, enqueued, (written) => {
      if (!written) throw new AppError('INTERNAL', `mail ${purposeKey} was already queued on a ticket created by this step`);
    });
  } else {
    inserted = await enqueued;
  }
  if (inserted) {
    events.push({
      ticketId: ticket.id, at: now, kind: 'mail_queued', actor: 'liquibot',
      detail: { mail: mail.template, purposeKey, template: rendered.templateName, templateVersion: rendered.templateVersion },
    });
  }
  return inserted;
}
