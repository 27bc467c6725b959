import type { Hono } from 'hono';
import { lastProcessedAt, needingPerson, oldestPendingApprovalSince, outboxHealth, quarantinedCount } from '../db/ops-queries';
import { countTicketsByStatus } from '../db/ticket-queries';
import { TICKET_STATUSES } from '../db/vocabulary';
import { STATUS_LABELS } from '../workflow/status-labels';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { dateTime, duration, oneLine } from './format';
import { html, type Html } from './html';
import { alert } from './layout';
import { pageResponse } from './responses';

/** Status: health, outbox, queue ages (what /healthz and `liquibot status` say). The accounts and the audit log: admin-users.ts. */

const HEALTH_TEXT = { ok: 'en bonne santé', degraded: 'dégradé', failing: 'en panne' } as const;

function facts(entries: [string, Html | string][]): Html {
  return html`<dl class="console-facts fr-mb-4w">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

export function registerStatusPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base } = deps;
  const db = deps.database.db;
  const tz = deps.config.TIMEZONE;

  app.get('/admin/status', async (c) => {
    const now = deps.now();
    const [health, outbox, quarantined, last, person, oldest, byStatus] = await Promise.all([
      deps.health().catch(() => null), outboxHealth(db), quarantinedCount(db), lastProcessedAt(db), needingPerson(db),
      oldestPendingApprovalSince(db), countTicketsByStatus(db),
    ]);
    const age = (d: Date | null) => (d ? `${duration(now.getTime() - d.getTime())} (depuis le ${dateTime(d, tz)})` : '—');
    const body = html`<h1>État du service</h1>
<h2>Santé</h2>
${health ? html`${alert(health.status === 'ok' ? 'success' : health.status === 'degraded' ? 'warning' : 'error', `Le service est ${HEALTH_TEXT[health.status]}.${
      health.reasons.length ? ` Raisons : ${health.reasons.join(', ')}.` : ''}`)}
${facts([
      ['Boîte IMAP', `${health.imap}${health.imapError ? ` — ${oneLine(health.imapError.error, 300)}` : ''}`],
      ['Serveur SMTP', `${health.smtp}${health.smtpError ? ` — ${oneLine(health.smtpError.error, 300)}` : ''}`],
      ['Base de données', health.database === 'reachable' ? 'joignable' : 'injoignable'],
    ])}` : alert('info', 'La santé des connexions n’est connue que du daemon qui lit la boîte (GET /healthz).')}
<h2>Envois et files</h2>
${facts([
      ['Mails à envoyer', `${outbox.unsent}${outbox.oldestUnsentAt ? `, le plus ancien en attente depuis ${age(outbox.oldestUnsentAt)}` : ''}`],
      ['Mails en échec définitif', String(outbox.failed)],
      ['Quarantaine', String(quarantined)],
      ['Dernier message traité', dateTime(last, tz)],
      ['Plus ancienne demande à valider', age(oldest)],
      ['Demandes en attente d’une personne', `${person.count}${person.oldestSince ? `, la plus ancienne depuis ${age(person.oldestSince)}` : ''}`],
    ])}
<h2>Demandes par état</h2>
${facts(TICKET_STATUSES.map((s) => [STATUS_LABELS[s], String(byStatus[s] ?? 0)]))}`;
    return pageResponse({ base, title: 'État du service', body, viewer: c.get('auth').viewer, current: 'status' });
  });
}
