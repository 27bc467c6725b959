import type { Config } from '../config';
import { findTicketByRef } from '../db/ticket-queries';
import { AppError } from '../errors';
import type { TemplateName } from '../templates/catalog';
import { templateVarsOfTicket } from '../templates/ticket-vars';
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
    return templateVarsOfTicket(name, ticket);
  } finally {
    await database.close();
  }
}
