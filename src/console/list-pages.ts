import type { Hono } from 'hono';
import { normalizeSiret } from '../../parsers/siret';
import { pendingApprovals, searchTickets } from '../db/console-queries';
import type { Ticket } from '../db/schema';
import { ticketsNeedingPerson } from '../db/ticket-queries';
import { STATUS_LABELS } from '../workflow/status-labels';
import { currentWarnings } from './approval-facts';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { dateTime, duration, oneLine, SHOWN, siret, ticketPath } from './format';
import { html, type Html } from './html';
import { alert } from './layout';
import { pageResponse } from './responses';

/** The agents' lists: the queue of pending approvals, the requests waiting for a person, the search. */

const QUEUE_LIMIT = 200;

function requesterCell(t: Ticket): Html {
  return html`${t.requesterName ? html`${oneLine(t.requesterName, SHOWN.name)}<br>` : ''}<span class="fr-text--sm">${oneLine(t.requesterEmail, SHOWN.address)}</span>`;
}

function table(caption: string, head: string[], rows: Html[]): Html {
  return html`<div class="fr-table fr-table--no-caption"><table><caption>${caption}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

export function registerListPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base } = deps;
  const db = deps.database.db;
  const tz = deps.config.TIMEZONE;

  app.get('/', async (c) => {
    const now = deps.now();
    const pending = await pendingApprovals(db, QUEUE_LIMIT);
    const rows: Html[] = [];
    for (const { ticket: t, since } of pending) {
      const warnings = await currentWarnings(db, deps.config, t, now);
      rows.push(html`<tr>
<td><a href="${ticketPath(base, t.ref)}">${t.ref}</a>${t.approvalMessageId ? '' : html`<br><p class="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">attend une autre demande</p>`}</td>
<td class="console-nowrap" data-age-ms="${now.getTime() - since.getTime()}">${duration(now.getTime() - since.getTime())}<br><span class="fr-text--xs">depuis le ${dateTime(since, tz)}</span></td>
<td class="console-nowrap">${siret(t.siret)}</td>
<td>${requesterCell(t)}</td>
<td>${oneLine(t.liquidatorEmail, SHOWN.address)}</td>
<td>${warnings.length === 0 ? html`<span class="fr-text--sm">aucun</span>` : html`<ul class="console-warnings fr-text--sm">${warnings.map((w) => html`<li>${w}</li>`)}</ul>`}</td>
</tr>`);
    }
    const body = html`<h1>Demandes à valider</h1>
<p>${pending.length === 0 ? 'Aucune demande n’attend de décision.' : `${pending.length} demande(s) attendent une décision, la plus ancienne en premier.`}
${pending.length >= QUEUE_LIMIT ? ` Seules les ${QUEUE_LIMIT} plus anciennes sont affichées.` : ''}</p>
${pending.length > 0 ? table('Demandes à valider', ['Référence', 'Attente', 'SIRET', 'Demandeur', 'Adresse du liquidateur', 'Points d’attention'], rows) : ''}`;
    return pageResponse({ base, title: 'Demandes à valider', body, viewer: c.get('auth').viewer, current: 'queue' });
  });

  app.get('/waiting', async (c) => {
    const now = deps.now();
    const waiting = await ticketsNeedingPerson(db);
    const rows = waiting.map((t) => html`<tr>
<td><a href="${ticketPath(base, t.ref)}">${t.ref}</a></td>
<td class="console-nowrap">${t.needsPersonSince ? duration(now.getTime() - t.needsPersonSince.getTime()) : ''}<br><span class="fr-text--xs">depuis le ${dateTime(t.needsPersonSince, tz)}</span></td>
<td>${STATUS_LABELS[t.status]}</td>
<td class="console-nowrap">${siret(t.siret)}</td>
<td>${requesterCell(t)}</td>
</tr>`);
    const body = html`<h1>Demandes en attente d’une personne</h1>
<p>Un message que liquibot ne traite pas seul a été transmis aux agents : la personne attend une réponse (par mail, depuis votre messagerie).
La demande sort de cette liste quand un agent décide, ou avec le bouton « Marquer traité » de sa fiche (comme <code>liquibot tickets handled RÉF</code>).</p>
${waiting.length === 0 ? alert('info', 'Aucune demande n’attend une personne.') : table('Demandes en attente d’une personne', ['Référence', 'Attente', 'État', 'SIRET', 'Demandeur'], rows)}`;
    return pageResponse({ base, title: 'En attente d’une personne', body, viewer: c.get('auth').viewer, current: 'waiting' });
  });

  app.get('/search', async (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const found = q ? await searchTickets(db, searchQuery(q)) : [];
    const rows = found.map((t) => html`<tr>
<td><a href="${ticketPath(base, t.ref)}">${t.ref}</a></td>
<td>${STATUS_LABELS[t.status]}</td>
<td class="console-nowrap">${siret(t.siret)}</td>
<td>${requesterCell(t)}</td>
<td>${oneLine(t.liquidatorEmail, SHOWN.address)}</td>
<td class="console-nowrap">${dateTime(t.createdAt, tz)}</td>
</tr>`);
    const body = html`<h1>Rechercher une demande</h1>
<form method="get" action="${base}/search" role="search" class="fr-mb-4w">
<div class="fr-search-bar" id="recherche"><label class="fr-label" for="q">Référence, SIRET ou SIREN, adresse électronique</label>
<input class="fr-input" type="search" id="q" name="q" value="${q}" placeholder="LJ-261126-0042, 732 829 320, etude@…" maxlength="200">
<button class="fr-btn" type="submit" title="Rechercher">Rechercher</button></div></form>
${q ? (found.length === 0 ? alert('info', 'Aucune demande ne correspond.') : table('Résultats', ['Référence', 'État', 'SIRET', 'Demandeur', 'Adresse du liquidateur', 'Reçue le'], rows)) : ''}`;
    return pageResponse({ base, title: 'Rechercher', body, viewer: c.get('auth').viewer, current: 'search' });
  });
}

/** What a search box holds: a reference, digits of a SIRET or SIREN (spaces allowed), or part of an address. */
export function searchQuery(q: string): { ref?: string; siretPrefix?: string; address?: string } {
  const text = q.trim();
  if (/^LJ-\d{6}-\d{4,}$/i.test(text)) return { ref: text.toUpperCase() };
  const digits = normalizeSiret(text);
  if (/^[\d\s.]+$/.test(text) && digits.length >= 9 && digits.length <= 14) return { siretPrefix: digits };
  return text.length >= 3 ? { address: text } : {};
}
