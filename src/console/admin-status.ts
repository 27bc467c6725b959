import type { Hono } from 'hono';
import { listUsers, recentAudit } from '../db/console-queries';
import { lastProcessedAt, needingPerson, oldestPendingApprovalSince, outboxHealth, quarantinedCount } from '../db/ops-queries';
import { countTicketsByStatus } from '../db/ticket-queries';
import { TICKET_STATUSES } from '../db/vocabulary';
import { STATUS_LABELS } from '../workflow/status-labels';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { dateTime, duration, oneLine, SHOWN } from './format';
import { html, type Html } from './html';
import { alert } from './layout';
import { pageResponse } from './responses';

/** Status (health, outbox, queue ages: what /healthz and `liquibot status` say) and the accounts with the audit log. */

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

  app.get('/admin/users', async (c) => {
    const now = deps.now();
    const [users, audit] = await Promise.all([listUsers(db), recentAudit(db, 100)]);
    const state = (u: (typeof users)[number]) => (u.disabledAt ? `désactivé le ${dateTime(u.disabledAt, tz)}`
      : u.passwordHash ? 'actif'
        : u.invitationExpiresAt && u.invitationExpiresAt > now ? `invité (jusqu’au ${dateTime(u.invitationExpiresAt, tz)})` : 'invitation expirée');
    const body = html`<h1>Comptes</h1>
<p>Les comptes se gèrent avec <code>liquibot users add|list|disable|enable|invite</code> (voir docs/console.md).</p>
<div class="fr-table fr-table--no-caption"><table><caption>Comptes</caption><thead><tr><th scope="col">Adresse</th><th scope="col">Rôle</th><th scope="col">État</th><th scope="col">Dernière connexion</th></tr></thead>
<tbody>${users.map((u) => html`<tr><td>${u.email}</td><td>${u.role === 'admin' ? 'administrateur' : 'agent'}</td><td>${state(u)}</td><td>${dateTime(u.lastLoginAt, tz)}</td></tr>`)}</tbody></table></div>
<h2>Journal de la console</h2>
<p class="fr-text--sm">Les 100 dernières actions. Les décisions sont aussi dans l’historique de chaque demande.</p>
<div class="fr-table fr-table--no-caption"><table><caption>Journal</caption><thead><tr><th scope="col">Date</th><th scope="col">Qui</th><th scope="col">Action</th><th scope="col">Sur</th><th scope="col">Adresse IP</th><th scope="col">Détail</th></tr></thead>
<tbody>${audit.map((a) => html`<tr><td class="console-nowrap">${dateTime(a.at, tz)}</td><td>${oneLine(a.actor, SHOWN.address)}</td><td>${a.action}</td>
<td>${oneLine(a.target, 200)}</td><td>${oneLine(a.ip, 60)}</td><td class="fr-text--sm">${oneLine(JSON.stringify(a.detail), 300)}</td></tr>`)}</tbody></table></div>`;
    return pageResponse({ base, title: 'Comptes', body, viewer: c.get('auth').viewer, current: 'users' });
  });
}
