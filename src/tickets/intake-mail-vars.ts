import type { InboundMail } from '../../parsers/inbound-mail';
import type { Ticket } from '../db/schema';
import type { TemplateVars } from '../templates/catalog';
import type { MailDraft } from './decide-intake';
import { requesterOf } from './queue-ticket-mail';

/** The variables of an intake mail (acknowledgment or non-conformity notice) for its template. */
export function intakeMailVars(
  draft: MailDraft,
  ticket: Pick<Ticket, 'ref' | 'requesterEmail' | 'requesterName' | 'siret' | 'liquidatorEmail' | 'createdAt'>,
  mail: InboundMail,
): TemplateVars<'acknowledgment'> | TemplateVars<'non-conformity'> {
  const base = {
    ticketRef: ticket.ref,
    requester: requesterOf(ticket),
    receivedAt: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : ticket.createdAt,
  };
  if (draft.template === 'acknowledgment') {
    return { ...base, siret: ticket.siret!, liquidatorEmail: ticket.liquidatorEmail! };
  }
  return { ...base, problems: draft.problems.map((p) => ({ code: p.code, found: p.found ?? null })) };
}
