import { userInfo } from 'node:os';
import type { Config } from '../config';
import { findTicketByRef, lockTicket } from '../db/ticket-queries';
import { AppError } from '../errors';
import { reasonProblem } from '../../parsers/agent-reply';
import type { Logger } from '../log';
import { applyDecision } from '../workflow/apply-decision';
import { decideAgentReply, decideApproval, decideRefusal, type DecisionActor } from '../workflow/decide-agent-reply';
import { noteOnly } from '../workflow/decision';
import { createPipelineDeps } from '../workflow/deps';
import { openTemplateStore } from '../templates/open-store';
import { openDatabaseForCommand } from './open-database';
import { parseCommandArgs, type Output } from './usage';

export const APPROVE_HELP = `Usage: liquibot approve REF [--as NAME]

Approves a request that awaits a decision, as an agent's VALIDER would: the reset link goes to the
liquidator's address from the request, the requester gets the resolved notice, the agents a confirmation.
The first decision wins: a request already decided is left as it is (exit 1).
--as NAME   the operator recorded in the history (default: $LIQUIBOT_OPERATOR, else the system user).

The mails are queued; the running daemon sends them.`;

export const REFUSE_HELP = `Usage: liquibot refuse REF --reason "…" [--as NAME]

Refuses a request that awaits a decision: the requester gets the refusal notice with the reason.
The first decision wins: a request already decided is left as it is (exit 1).`;

/** `liquibot approve REF` and `liquibot refuse REF --reason …`: the same effects and checks as a mail decision. */
export async function decideCommand(
  kind: 'approve' | 'refuse', args: string[], io: Output, config: Config, log: Logger, now: () => Date = () => new Date(),
): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { reason: { type: 'string' }, as: { type: 'string' } });
  const help = kind === 'approve' ? APPROVE_HELP : REFUSE_HELP;
  if (values.help) {
    io.out(help);
    return 0;
  }
  if (positionals.length !== 1) throw new AppError('USAGE', `${kind} takes one ticket reference\n\n${help}`);
  const reason = (values.reason ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
  if (kind === 'refuse' && !reason) throw new AppError('USAGE', `refuse needs --reason "…" (it is sent to the requester)\n\n${help}`);
  // The same rule as a refusal by mail: no placeholder, no one-word reason (the requester reads it as written).
  const reasonIssue = kind === 'refuse' ? reasonProblem(reason) : null;
  if (reasonIssue) throw new AppError('USAGE', `refuse: the reason is ${reasonIssue === 'REASON_PLACEHOLDER' ? 'a placeholder' : 'too short'}: write the real reason, it is sent to the requester`);
  const operator = (values.as ?? process.env.LIQUIBOT_OPERATOR ?? userInfo().username).trim().slice(0, 100);
  const actor: DecisionActor = { email: `terminal:${operator}`, name: operator, via: 'terminal' };

  const database = await openDatabaseForCommand(config);
  try {
    const templates = await openTemplateStore(config, log, { database });
    const deps = createPipelineDeps({ config, database, templates, log, now });
    const found = await findTicketByRef(database.db, positionals[0]!);
    if (!found) throw new AppError('TICKET_NOT_FOUND', `no ticket ${positionals[0]}`);
    const message = await database.db.transaction(async (tx): Promise<{ code: number; text: string }> => {
      const ticket = (await lockTicket(tx, found.id))!;
      const at = now();
      const outcome = decideAgentReply(ticket, kind === 'approve' ? { kind: 'approve' } : { kind: 'refuse', reason });
      switch (outcome.kind) {
        case 'approve':
          await applyDecision(deps, tx, ticket, decideApproval(ticket, actor, config.AGENTS_ADDRESS, at), { now: at });
          return { code: 0, text: `${ticket.ref} approved by ${operator}: reset link queued for ${ticket.liquidatorEmail}` };
        case 'refuse':
          await applyDecision(deps, tx, ticket, decideRefusal(ticket, actor, outcome.reason, at, config.AGENTS_ADDRESS), { now: at });
          return { code: 0, text: `${ticket.ref} refused by ${operator}: refusal queued for ${ticket.requesterEmail}` };
        case 'already-decided':
          await applyDecision(deps, tx, ticket, noteOnly([
            { kind: 'decision_rejected', actor: actor.email, detail: { reason: 'ALREADY_DECIDED', via: 'terminal' } },
          ]), { now: at });
          return { code: 1, text: `${ticket.ref} was already ${outcome.decision} by ${outcome.decidedBy} at ${outcome.decidedAt.toISOString()}; nothing changed` };
        case 'not-awaiting':
          return { code: 1, text: `${ticket.ref} does not await a decision (status ${outcome.status}); nothing changed` };
        case 'reply-error':
          return { code: 2, text: `unexpected: ${outcome.error}` };
      }
    });
    (message.code === 0 ? io.out : io.err)(message.text);
    return message.code;
  } finally {
    await database.close();
  }
}
