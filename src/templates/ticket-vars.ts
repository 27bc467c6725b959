import type { Ticket } from '../db/schema';
import { CATALOG, type TemplateName } from './catalog';

/**
 * Variables for previewing a mail with a real ticket's data: the mail's sample data with every
 * ticket field the mail has replaced by the ticket's own. Links and tokens stay the sample ones:
 * a preview never makes a usable link. Pure; the mail's schema still checks (and cleans) the result.
 */
export function templateVarsOfTicket(name: TemplateName, ticket: Ticket): Record<string, unknown> {
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
}
