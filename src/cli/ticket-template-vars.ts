import type { Config } from '../config';
import { findTicketByRef } from '../db/ticket-queries';
import { AppError } from '../errors';
import { CATALOG, type TemplateName } from '../templates/catalog';
import type { TicketCheck } from '../workflow/ticket-check';
import { openDatabaseForCommand } from './open-database';

/**
 * Variables for previewing a mail with a real ticket's data: the mail's sample data with every
 * ticket field the mail has replaced by the ticket's own. Links and tokens stay the sample ones:
 * a preview never makes a usable link.
 */
export async function ticketTemplateVars(config: Config, ref: string, name: TemplateName): Promise<unknown> {
  const database = await openDatabaseForCommand(config);
  try {
    const ticket = await findTicketByRef(database.db, ref);
    if (!ticket) throw new AppError('TICKET_NOT_FOUND', `no ticket ${ref}`);
    const vars: Record<string, unknown> = { ...(CATALOG[name].example as Record<string, unknown>) };
    const check = ticket.check;
    const set = (key: string, value: unknown) => {
      if (key in vars && value !== null && value !== undefined) vars[key] = value;
    };
    set('ticketRef', ticket.ref);
    set('requester', { email: ticket.requesterEmail, name: ticket.requesterName || null });
    set('siret', ticket.siret);
    set('liquidatorEmail', ticket.liquidatorEmail);
    set('sentTo', ticket.liquidatorEmail);
    set('receivedAt', ticket.createdAt);
    set('reason', ticket.refusalReason);
    if (check.problems?.length) set('problems', check.problems.map((p) => ({ code: p.code, found: p.found ?? null, hint: p.hint ?? null, digits: p.digits ?? null })));
    return vars;
  } finally {
    await database.close();
  }
}
