import { toOneLine } from '../../parsers/one-line';
import type { Config } from '../config';
import { TICKET_STATUSES, type TicketStatus } from '../db/schema';
import { inboundOfTicket } from '../db/inbound-queries';
import { outboxOfTicket } from '../db/outbox-queries';
import { eventsOfTicket, findTicketByRef, listTickets, ticketsNeedingPerson } from '../db/ticket-queries';
import { markPersonHandled } from '../workflow/mark-person-handled';
import { userInfo } from 'node:os';
import { AppError } from '../errors';
import { formatSiret } from '../../parsers/siret';
import type { TicketCheck } from '../workflow/ticket-check';
import { openDatabaseForCommand } from './open-database';
import { parseCommandArgs, type Output } from './usage';

export const TICKETS_HELP = `Usage:
  liquibot tickets list [--status STATUS] [--limit N] [--json]
  liquibot tickets show REF [--json]
  liquibot tickets waiting [--json]          requests that need a person (a message handed to the agents)
  liquibot tickets handled REF [--as NAME]   the person answered: the request no longer waits for one

STATUS is one of: ${TICKET_STATUSES.map((s) => s.replace(/_/g, '-')).join(', ')}
(dashes or underscores). "show" prints the ticket with its whole history: every mail in and out,
every state change.`;

/** `liquibot tickets …`. */
export async function ticketsCommand(args: string[], io: Output, config: Config): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseCommandArgs(rest, {
    status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, as: { type: 'string' },
  });
  if (values.help || !sub || sub === '--help' || sub === '-h') {
    io.out(TICKETS_HELP);
    return 0;
  }
  if (!['list', 'show', 'waiting', 'handled'].includes(sub)) throw new AppError('USAGE', `unknown tickets command "${sub}"\n\n${TICKETS_HELP}`);
  let status: TicketStatus | undefined;
  if (values.status) {
    const s = values.status.replace(/-/g, '_');
    if (!(TICKET_STATUSES as readonly string[]).includes(s)) {
      throw new AppError('USAGE', `unknown status "${values.status}"; one of ${TICKET_STATUSES.join(', ')}`);
    }
    status = s as TicketStatus;
  }
  if ((sub === 'show' || sub === 'handled') && positionals.length !== 1) throw new AppError('USAGE', `tickets ${sub} takes one reference, e.g. LJ-261126-0042`);

  const database = await openDatabaseForCommand(config);
  try {
    if (sub === 'waiting') {
      const rows = await ticketsNeedingPerson(database.db);
      if (values.json) {
        io.out(JSON.stringify(rows.map((t) => ({ ref: t.ref, status: t.status, since: t.needsPersonSince, requester: t.requesterEmail }))));
        return 0;
      }
      for (const t of rows) io.out([t.ref.padEnd(16), t.status.padEnd(18), `since ${t.needsPersonSince!.toISOString()}`, toOneLine(t.requesterEmail, 80)].join(' '));
      io.out(`${rows.length} request(s) waiting for a person`);
      return 0;
    }
    if (sub === 'handled') {
      const operator = (values.as ?? process.env.LIQUIBOT_OPERATOR ?? userInfo().username).trim().slice(0, 100);
      const found = await findTicketByRef(database.db, positionals[0]!);
      if (!found) throw new AppError('TICKET_NOT_FOUND', `no ticket ${positionals[0]}`);
      const done = await markPersonHandled(database.db, found.id, `terminal:${operator}`, 'terminal', new Date());
      if (!done) {
        io.err(`${found.ref} does not wait for a person; nothing changed`);
        return 1;
      }
      io.out(`${found.ref}: marked handled by ${operator}`);
      return 0;
    }
    if (sub === 'list') {
      const rows = await listTickets(database.db, { status, limit: values.limit ? Number(values.limit) : 200 });
      if (values.json) {
        io.out(JSON.stringify(rows.map((t) => ({ ref: t.ref, status: t.status, siret: t.siret, liquidatorEmail: t.liquidatorEmail, requester: t.requesterEmail, createdAt: t.createdAt, updatedAt: t.updatedAt }))));
        return 0;
      }
      if (rows.length === 0) {
        io.out(status ? `no ticket with status ${status}` : 'no ticket');
        return 0;
      }
      io.out(['REF'.padEnd(16), 'STATUS'.padEnd(18), 'SIRET'.padEnd(18), 'REQUESTER'.padEnd(32), 'UPDATED'].join(' '));
      for (const t of rows) {
        io.out([t.ref.padEnd(16), t.status.padEnd(18), (t.siret ? formatSiret(t.siret) : '-').padEnd(18), t.requesterEmail.padEnd(32), t.updatedAt.toISOString()].join(' '));
      }
      io.out(`${rows.length} ticket(s)`);
      return 0;
    }
    const ticket = await findTicketByRef(database.db, positionals[0]!);
    if (!ticket) throw new AppError('TICKET_NOT_FOUND', `no ticket ${positionals[0]}`);
    const [events, mailsOut, mailsIn] = await Promise.all([
      eventsOfTicket(database.db, ticket.id), outboxOfTicket(database.db, ticket.id), inboundOfTicket(database.db, ticket.id),
    ]);
    if (values.json) {
      io.out(JSON.stringify({ ticket, events, mailsIn, mailsOut }));
      return 0;
    }
    const check = ticket.check;
    io.out(`${ticket.ref}  ${ticket.status}${ticket.needsPersonSince ? `  (waiting for a person since ${ticket.needsPersonSince.toISOString()})` : ''}`);
    io.out(`  requester:    ${ticket.requesterName ? `${toOneLine(ticket.requesterName, 120)} ` : ''}<${toOneLine(ticket.requesterEmail, 320)}>`);
    io.out(`  SIRET:        ${ticket.siret ? formatSiret(ticket.siret) : '-'}`);
    io.out(`  liquidator:   ${ticket.liquidatorEmail ?? '-'}`);
    io.out(`  documents:    ${check.documents.map((d) => `${d.filename ? toOneLine(d.filename, 120) : '(no name)'} (${d.kind}, ${d.size} B)`).join(', ') || '-'}`);
    io.out(`  problems:     ${check.problems.map((p) => p.code).join(', ') || 'none'}`);
    io.out(`  created:      ${ticket.createdAt.toISOString()}`);
    io.out('');
    io.out('Mails in:');
    for (const m of mailsIn) io.out(`  #${m.id} ${m.receivedAt.toISOString()} ${m.outcome ?? m.status} ${m.messageId ?? ''}`);
    io.out('Mails out:');
    for (const m of mailsOut) {
      io.out(`  #${m.id} ${m.createdAt.toISOString()} ${m.kind} → ${m.toAddress} [${m.status}${m.attempts > 1 ? `, ${m.attempts} attempts` : ''}] template ${m.templateName}@${m.templateVersion}${m.lastError ? ` error: ${m.lastError}` : ''}`);
    }
    io.out('History:');
    for (const e of events) {
      const change = e.toStatus ? ` ${e.fromStatus ?? '∅'} → ${e.toStatus}` : '';
      io.out(`  ${e.at.toISOString()} ${e.kind}${change} by ${e.actor} ${JSON.stringify(e.detail)}`);
    }
    return 0;
  } finally {
    await database.close();
  }
}
