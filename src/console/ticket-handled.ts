import type { Hono } from 'hono';
import { recordAudit } from '../db/console-queries';
import type { Ticket } from '../db/schema';
import { findTicketByRef } from '../db/ticket-queries';
import { markPersonHandled } from '../workflow/mark-person-handled';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { ticketPath } from './format';
import { html, type Html } from './html';
import { csrfField } from './layout';
import { messageBody, pageResponse, seeOther } from './responses';

/**
 * « Marquer traité »: a request handed to the agents (needs_person_since set) no longer waits for a
 * person, as `liquibot tickets handled REF` does it (src/workflow/mark-person-handled.ts), in the name
 * of `console:EMAIL`; agents and admins.
 */

/** The form on a ticket's page, when the request waits for a person. */
export function markHandledForm(base: string, ticket: Pick<Ticket, 'ref' | 'needsPersonSince'>, csrfToken: string): Html {
  if (!ticket.needsPersonSince) return html``;
  return html`<form method="post" action="${ticketPath(base, ticket.ref)}/handled" class="fr-mb-3w">${csrfField(csrfToken)}
<p class="fr-text--sm fr-mb-1w">Un message de cette demande a été transmis aux agents. Quand la personne a reçu sa réponse (depuis votre messagerie), la demande sort de la liste « En attente d’une personne ».</p>
<button class="fr-btn fr-btn--secondary fr-icon-check-line fr-btn--icon-left" type="submit" id="marquer-traite">Marquer traité</button></form>`;
}

export function registerMarkHandledRoute(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base } = deps;
  const db = deps.database.db;
  app.post('/tickets/:ref/handled', async (c) => {
    const auth = c.get('auth');
    const found = await findTicketByRef(db, (c.req.param('ref') ?? '').slice(0, 40));
    if (!found) {
      return pageResponse({ base, title: 'Demande introuvable', viewer: auth.viewer, body: messageBody('Demande introuvable', 'Aucune demande ne porte cette référence.') }, 404);
    }
    const at = deps.now();
    const done = await markPersonHandled(db, found.id, auth.actor, 'console', at, (tx, handled) => recordAudit(tx, {
      at, actor: auth.actor, action: 'ticket_marked_handled', target: found.ref, ip: c.get('client').ip, detail: { outcome: handled ? 'handled' : 'not-waiting' },
    }));
    return seeOther(`${ticketPath(base, found.ref)}?done=${done ? 'handled' : 'not-waiting-person'}`);
  });
}
