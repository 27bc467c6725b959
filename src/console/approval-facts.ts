import type { Config } from '../config';
import type { Db } from '../db/client';
import { accountKnown, identityRecords, siblingsOf } from '../db/console-queries';
import type { Ticket } from '../db/schema';
import { approvalWarnings, type WarningFacts } from '../approval/approval-request-vars';
import { domainOf, isFreeMailDomain, organisationDomainOf } from '../approval/warnings';
import { OPEN_STATUSES } from '../workflow/ticket-transitions';

/**
 * The points d'attention of a request, as of now. The approval request computes them when it is sent
 * and stores only their number (the `approval_requested` line of the history); the console computes
 * them again, read-only, with the same pure function (approvalWarnings) over the same facts, gathered
 * by the same queries (src/db/console-queries.ts mirrors src/approval/queue-approval-request.ts). So
 * the agents see today's facts: another request for the company that arrived since is listed too.
 */
export async function currentWarnings(
  db: Db, config: Pick<Config, 'MAIL_FROM' | 'AGENTS_ADDRESS' | 'AGENT_SENDERS'>, ticket: Ticket, now: Date,
): Promise<string[]> {
  return approvalWarnings(await warningFacts(db, config, ticket, now));
}

async function warningFacts(db: Db, config: Pick<Config, 'MAIL_FROM' | 'AGENTS_ADDRESS' | 'AGENT_SENDERS'>, ticket: Ticket, now: Date): Promise<WarningFacts> {
  const check = ticket.check;
  const siren = ticket.siret?.slice(0, 9) ?? null;
  const siblings = await siblingsOf(db, ticket, OPEN_STATUSES, now);
  const identity = await identityRecords(db, ticket, now);
  const liquidator = ticket.liquidatorEmail;
  const liquidatorOrg = liquidator ? organisationDomainOf(liquidator) : null;
  const requesterOrg = organisationDomainOf(ticket.requesterEmail);
  return {
    otherTickets: siblings.slice(0, 5).map(({ ref, status, liquidatorEmail }) => ({
      ref, status, otherLiquidator: liquidatorEmail && liquidator && liquidatorEmail !== liquidator ? liquidatorEmail : null,
    })),
    liquidatorOnFreeMail: liquidator ? isFreeMailDomain(liquidator) : false,
    sirenInPdfs: check.documents.flatMap((d) => {
      if (d.kind !== 'pdf') return [];
      return [d.sirenScan && d.sirenScan.siren === siren ? d.sirenScan.result : 'not-scanned' as const];
    }),
    otherDocuments: check.documents.filter((d) => d.kind !== 'pdf').length,
    accountKnown: ticket.siret ? await accountKnown(db, ticket.siret) : false,
    linkReissues: ticket.linkReissues,
    changes: check.changes ?? [],
    domains: liquidator && liquidatorOrg !== requesterOrg ? { liquidator: domainOf(liquidator), requester: domainOf(ticket.requesterEmail) } : null,
    liquidatorOnOwnDomain: liquidatorOrg && ownDomains(config).has(liquidatorOrg) ? liquidatorOrg : null,
    liquidatorElsewhere: { count: identity.liquidatorElsewhere.length, refs: identity.liquidatorElsewhere.slice(0, 5) },
    requesterNew: identity.requesterNew,
  };
}

/** The organisation domains of liquibot, the agents' shared address and every allow-listed agent. */
function ownDomains(config: Pick<Config, 'MAIL_FROM' | 'AGENTS_ADDRESS' | 'AGENT_SENDERS'>): Set<string> {
  const entries = (config.AGENT_SENDERS ?? '').split(/[\s,;]+/).filter(Boolean).map((e) => (e.startsWith('@') ? `x${e}` : e));
  return new Set([config.MAIL_FROM, config.AGENTS_ADDRESS, ...entries].map(organisationDomainOf));
}
