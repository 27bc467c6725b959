import { Counter, Gauge, Registry } from 'prom-client';
import type { Database } from '../db/client';
import { TICKET_STATUSES } from '../db/schema';
import { checkCounts, lastProcessedAt, needingPerson, oldestPendingApprovalSince, outboxHealth, quarantinedCount } from '../db/ops-queries';
import { countTicketsByStatus } from '../db/ticket-queries';
import { PROBLEM_CODES } from '../../parsers/problems';

export interface DatabaseMetrics {
  registry: Registry;
  /** Read the current values; throws when the database does not answer. */
  refresh(database: Database, now: Date): Promise<void>;
}

const VERDICTS = ['conforme', 'non_conforme'];

/**
 * Metrics read from the database at scrape time. They are the same for every instance on one
 * database: aggregate them with max(), not sum(). Counters are totals since the database was created,
 * so they survive restarts; rate() and increase() work on them as on any counter.
 */
export function createDatabaseMetrics(): DatabaseMetrics {
  const registry = new Registry();
  const tickets = new Gauge({ name: 'liquibot_tickets', help: 'Tickets by status', labelNames: ['status'] as const, registers: [registry] });
  const checks = new Counter({
    name: 'liquibot_checks_total', help: 'Requests checked (first mails and follow-ups), by verdict',
    labelNames: ['verdict'] as const, registers: [registry],
  });
  const problems = new Counter({
    name: 'liquibot_check_problems_total', help: 'Checks that found a problem, by problem code',
    labelNames: ['code'] as const, registers: [registry],
  });
  const unsent = new Gauge({ name: 'liquibot_outbox_unsent', help: 'Outgoing mails pending or being sent', registers: [registry] });
  const oldestUnsent = new Gauge({
    name: 'liquibot_outbox_oldest_unsent_age_seconds', help: 'Age of the oldest unsent outgoing mail (0 when none)', registers: [registry],
  });
  const failed = new Gauge({ name: 'liquibot_outbox_failed', help: 'Outgoing mails that failed for good (5xx or attempts exhausted)', registers: [registry] });
  const quarantined = new Gauge({ name: 'liquibot_quarantined_messages', help: 'Inbound mails in quarantine (liquibot replay --list)', registers: [registry] });
  const oldestApproval = new Gauge({
    name: 'liquibot_oldest_pending_approval_age_seconds',
    help: 'How long the request waiting longest for an agent\'s decision has waited, since it entered awaiting_approval (0 when none)',
    registers: [registry],
  });
  const waitingForPerson = new Gauge({
    name: 'liquibot_tickets_needing_person',
    help: 'Requests waiting for a person: a message liquibot does not act on was handed to the agents (liquibot tickets waiting)',
    registers: [registry],
  });
  const lastProcessed = new Gauge({
    name: 'liquibot_last_processed_timestamp_seconds', help: 'When the newest handled inbound mail was processed (0 when none)', registers: [registry],
  });

  return {
    registry,
    async refresh(database, now) {
      const [byStatus, outbox, inQuarantine, counts, last, approvalSince, person] = await Promise.all([
        countTicketsByStatus(database.db), outboxHealth(database.db), quarantinedCount(database.db),
        checkCounts(database.db), lastProcessedAt(database.db), oldestPendingApprovalSince(database.db), needingPerson(database.db),
      ]);
      for (const status of new Set([...TICKET_STATUSES, ...Object.keys(byStatus)])) tickets.set({ status }, byStatus[status] ?? 0);
      checks.reset();
      for (const verdict of new Set([...VERDICTS, ...Object.keys(counts.verdicts)])) checks.inc({ verdict }, counts.verdicts[verdict] ?? 0);
      problems.reset();
      for (const code of new Set([...PROBLEM_CODES, ...Object.keys(counts.problems)])) problems.inc({ code }, counts.problems[code] ?? 0);
      unsent.set(outbox.unsent);
      oldestUnsent.set(outbox.oldestUnsentAt ? Math.max(0, (now.getTime() - outbox.oldestUnsentAt.getTime()) / 1000) : 0);
      failed.set(outbox.failed);
      quarantined.set(inQuarantine);
      lastProcessed.set(last ? last.getTime() / 1000 : 0);
      oldestApproval.set(approvalSince ? Math.max(0, (now.getTime() - approvalSince.getTime()) / 1000) : 0);
      waitingForPerson.set(person.count);
    },
  };
}
