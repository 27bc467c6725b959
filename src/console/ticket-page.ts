import type { Context, Hono } from 'hono';
import { MAX_REASON_LENGTH, MIN_REASON_CHARACTERS, MIN_REASON_WORDS, reasonProblem } from '../../parsers/agent-reply';
import { approvalRequestsOf, inboundMailsOfTicket, outboxMailsOfTicket, recordAudit } from '../db/console-queries';
import type { Ticket, TicketEvent } from '../db/schema';
import { eventsOfTicket, findTicketByRef, lockTicket } from '../db/ticket-queries';
import { applyDecision } from '../workflow/apply-decision';
import { decideAgentReply, decideApproval, decideRefusal, type DecisionActor } from '../workflow/decide-agent-reply';
import { noteOnly } from '../workflow/decision';
import { STATUS_LABELS } from '../workflow/status-labels';
import { DECIDABLE_STATUSES } from '../workflow/ticket-transitions';
import { currentWarnings } from './approval-facts';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { dateTime, kibibytes, oneLine, paragraph, SHOWN, siret, ticketPath, withoutApprovalTokens } from './format';
import { EVENT_LABELS } from './history-labels';
import { html, type Html } from './html';
import { alert, csrfField } from './layout';
import { receivedMailView } from './mail-view';
import { messageBody, pageResponse, seeOther } from './responses';
import { markHandledForm } from './ticket-handled';

/** A ticket's page (facts, points d'attention, documents, the decision, its whole history and mails) and the decisions. */

/** What a decision redirect says (by key: nothing from the query string is echoed). */
const DONE: Record<string, { kind: 'success' | 'warning' | 'error'; text: string }> = {
  approved: { kind: 'success', text: 'Demande validée : le lien est envoyé au liquidateur, le demandeur est prévenu.' },
  refused: { kind: 'success', text: 'Demande refusée : le demandeur reçoit le motif.' },
  'already-decided': { kind: 'warning', text: 'Rien n’a changé : la demande avait déjà été décidée (voir ci-dessous qui l’a décidée).' },
  'not-awaiting': { kind: 'warning', text: 'Rien n’a changé : la demande n’attend pas de décision.' },
  handled: { kind: 'success', text: 'Demande marquée traitée : elle n’attend plus de personne.' },
  'not-waiting-person': { kind: 'warning', text: 'Rien n’a changé : la demande n’attendait plus de personne.' },
};

const REASON_MESSAGES: Record<NonNullable<ReturnType<typeof reasonProblem>>, string> = {
  REFUSAL_WITHOUT_REASON: 'Un refus doit être motivé : écrivez le motif, il est transmis au demandeur.',
  REASON_PLACEHOLDER: 'Le motif ressemble à un modèle à compléter : écrivez le vrai motif.',
  REASON_TOO_SHORT: `Le motif est trop court : au moins ${MIN_REASON_WORDS} mots et ${MIN_REASON_CHARACTERS} lettres ou chiffres.`,
};

function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k} : ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

function historyRow(e: TicketEvent, timeZone: string): Html {
  const change = e.toStatus ? `${e.fromStatus ? STATUS_LABELS[e.fromStatus] : '∅'} → ${STATUS_LABELS[e.toStatus]}` : '';
  return html`<tr><td class="console-nowrap">${dateTime(e.at, timeZone)}</td><td>${EVENT_LABELS[e.kind]}</td><td>${oneLine(e.actor, SHOWN.address)}</td>
<td>${change}</td><td class="fr-text--sm">${oneLine(withoutApprovalTokens(detailText(e.detail)), SHOWN.detail)}</td></tr>`;
}

export function registerTicketPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base } = deps;
  const db = deps.database.db;
  const tz = deps.config.TIMEZONE;

  async function render(c: Context<ConsoleEnv>, ticket: Ticket, opts: { error?: string; reason?: string; status?: number } = {}): Promise<Response> {
    const now = deps.now();
    const [events, received, sent, approvals, warnings] = await Promise.all([
      eventsOfTicket(db, ticket.id), inboundMailsOfTicket(db, ticket.id), outboxMailsOfTicket(db, ticket.id), approvalRequestsOf(db, ticket.id),
      currentWarnings(db, deps.config, ticket, now),
    ]);
    const done = DONE[c.req.query('done') ?? ''];
    const decidable = DECIDABLE_STATUSES.includes(ticket.status);
    const lastApproval = approvals.at(-1);
    const docs = ticket.check.documents.map((d) => {
      const href = `${ticketPath(base, ticket.ref)}/documents/${d.sha256}`;
      const label = `${oneLine(d.filename ?? 'sans nom', SHOWN.filename)} (${d.kind.toUpperCase()}, ${kibibytes(d.size)})`;
      const scan = d.sirenScan ? { found: 'SIREN trouvé dans le texte', 'not-found': 'SIREN absent du texte', unreadable: 'texte illisible' }[d.sirenScan.result] : null;
      if (d.kind === 'tiff') return html`<li>${label} — format TIFF, non affichable dans le navigateur : <a href="${href}" download>télécharger</a></li>`;
      return html`<li><a href="${href}" target="_blank" rel="noopener">${label}</a>${scan ? html` — <span class="fr-text--sm">${scan}</span>` : ''}
${d.kind === 'pdf' ? '' : html`<br><img class="console-doc-image fr-mt-1w" src="${href}" alt="Document joint par le demandeur : ${oneLine(d.filename ?? 'sans nom', SHOWN.filename)}">`}</li>`;
    });
    const receivedViews = await Promise.all(received.map((m) => receivedMailView(m, tz)));
    const body = html`<p class="fr-mb-1w"><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${base}/">Demandes à valider</a></p>
<h1>Demande ${ticket.ref}</h1>
<p><span class="fr-badge ${decidable ? 'fr-badge--new' : 'fr-badge--info'} fr-badge--no-icon">${STATUS_LABELS[ticket.status]}</span>
${ticket.needsPersonSince ? html` <span class="fr-badge fr-badge--warning">attend une personne depuis le ${dateTime(ticket.needsPersonSince, tz)}</span>` : ''}</p>
${done ? alert(done.kind, done.text) : ''}
${opts.error ? alert('error', opts.error) : ''}
${markHandledForm(base, ticket, c.get('auth').viewer.csrfToken)}
<dl class="console-facts fr-mb-4w">
<dt>Reçue le</dt><dd>${dateTime(ticket.createdAt, tz)}</dd>
<dt>Demandeur</dt><dd>${ticket.requesterName ? `${oneLine(ticket.requesterName, SHOWN.name)} — ` : ''}${oneLine(ticket.requesterEmail, SHOWN.address)}</dd>
<dt>Objet</dt><dd>${oneLine(ticket.subject, SHOWN.subject)}</dd>
<dt>SIRET</dt><dd>${siret(ticket.siret)}</dd>
<dt>Adresse du liquidateur</dt><dd>${oneLine(ticket.liquidatorEmail, SHOWN.address) || '—'}</dd>
<dt>Problèmes</dt><dd>${ticket.check.problems.map((p) => p.code).join(', ') || 'aucun'}</dd>
${ticket.decision ? html`<dt>Décision</dt><dd>${ticket.decision === 'approved' ? 'validée' : 'refusée'} par ${oneLine(ticket.decidedBy, SHOWN.address)} le ${dateTime(ticket.decidedAt, tz)}${
      ticket.refusalReason ? html`<div class="console-text fr-mt-1w">${paragraph(ticket.refusalReason)}</div>` : ''}</dd>` : ''}
</dl>
<h2>Points d’attention</h2>
${warnings.length === 0 ? html`<p>Aucun point d’attention.</p>` : html`<ul class="console-warnings" id="points-attention">${warnings.map((w) => html`<li>${w}</li>`)}</ul>`}
<p class="fr-text--sm">Calculés maintenant avec les mêmes règles que la demande de validation.${lastApproval
      ? ` La demande de validation du ${dateTime(lastApproval.at, tz)} en signalait ${typeof lastApproval.detail.warnings === 'number' ? lastApproval.detail.warnings : '?'}.` : ''}</p>
<h2>Minutes du greffe</h2>
${docs.length === 0 ? html`<p>Aucun document.</p>` : html`<ul>${docs}</ul>`}
${decidable ? html`<h2>Décision</h2>
<div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
<div class="fr-col-12 fr-col-md-5"><form method="post" action="${ticketPath(base, ticket.ref)}/approve">${csrfField(c.get('auth').viewer.csrfToken)}
<p>Le lien de réinitialisation part vers <strong>${oneLine(ticket.liquidatorEmail, SHOWN.address)}</strong>.</p>
<button class="fr-btn fr-icon-check-line fr-btn--icon-left" type="submit" id="valider">Valider la demande</button></form></div>
<div class="fr-col-12 fr-col-md-7"><form method="post" action="${ticketPath(base, ticket.ref)}/refuse">${csrfField(c.get('auth').viewer.csrfToken)}
<div class="fr-input-group"><label class="fr-label" for="reason">Motif du refus <span class="fr-hint-text">obligatoire, transmis au demandeur</span></label>
<textarea class="fr-input" id="reason" name="reason" rows="3" required maxlength="${MAX_REASON_LENGTH}">${opts.reason ?? ''}</textarea></div>
<button class="fr-btn fr-btn--secondary fr-icon-close-line fr-btn--icon-left" type="submit" id="refuser">Refuser la demande</button></form></div>
</div>` : ''}
<h2>Historique</h2>
<div class="fr-table fr-table--no-caption"><table><caption>Historique</caption><thead><tr><th scope="col">Date</th><th scope="col">Événement</th><th scope="col">Par</th><th scope="col">État</th><th scope="col">Détail</th></tr></thead>
<tbody>${events.map((e) => historyRow(e, tz))}</tbody></table></div>
<h2>Mails reçus (${received.length})</h2>
${receivedViews}
<h2>Mails envoyés (${sent.length})</h2>
${sent.map((m) => html`<div class="console-mail"><p class="fr-text--sm fr-mb-1w">${dateTime(m.createdAt, tz)} — ${m.kind} — ${
      { pending: 'en attente d’envoi', sending: 'en cours d’envoi', sent: `envoyé le ${dateTime(m.sentAt, tz)}`, failed: 'échec', superseded: 'remplacé, non envoyé' }[m.status]}${
      m.lastError ? ` (${oneLine(m.lastError, 200)})` : ''}</p>
<dl><dt>À</dt><dd>${oneLine(m.toAddress, SHOWN.address)}</dd><dt>Objet</dt><dd>${oneLine(m.subject, SHOWN.subject)}</dd>${
      m.attachments.length > 0 ? html`<dt>Pièces jointes</dt><dd>${m.attachments.map((a) => oneLine(a.filename ?? 'sans nom', SHOWN.filename)).join(', ')}</dd>` : ''}</dl>
<div class="console-text">${paragraph(withoutApprovalTokens(m.textBody))}</div></div>`)}`;
    return pageResponse({ base, title: `Demande ${ticket.ref}`, body, viewer: c.get('auth').viewer }, opts.status ?? 200);
  }

  const notFound = (c: Context<ConsoleEnv>) => pageResponse(
    { base, title: 'Demande introuvable', viewer: c.get('auth').viewer, body: messageBody('Demande introuvable', 'Aucune demande ne porte cette référence.') }, 404,
  );

  app.get('/tickets/:ref', async (c) => {
    const ticket = await findTicketByRef(db, c.req.param('ref').slice(0, 40));
    return ticket ? render(c, ticket) : notFound(c);
  });

  /**
   * A decision from the console, exactly as `liquibot approve|refuse` makes it (src/cli/decide-command.ts):
   * the ticket row locked, decideAgentReply (the first decision wins; the ticket must still await one),
   * then decideApproval / decideRefusal and applyDecision; a late one is kept in the history.
   */
  async function decide(c: Context<ConsoleEnv>, kind: 'approve' | 'refuse'): Promise<Response> {
    const found = await findTicketByRef(db, (c.req.param('ref') ?? '').slice(0, 40));
    if (!found) return notFound(c);
    const auth = c.get('auth');
    const form = await c.req.parseBody();
    const rawReason = typeof form.reason === 'string' ? form.reason : '';
    const reason = rawReason.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
    if (kind === 'refuse') {
      const problem = Array.from(reason).length > MAX_REASON_LENGTH ? 'REASON_TOO_LONG' : reasonProblem(reason);
      if (problem === 'REASON_TOO_LONG') return render(c, found, { error: `Le motif dépasse ${MAX_REASON_LENGTH} caractères.`, reason: rawReason, status: 400 });
      if (problem) return render(c, found, { error: REASON_MESSAGES[problem], reason: rawReason, status: 400 });
    }
    const actor: DecisionActor = { email: auth.actor, name: auth.user.email, via: 'console' };
    const outcome = await db.transaction(async (tx) => {
      const ticket = (await lockTicket(tx, found.id))!;
      const at = deps.now();
      const o = decideAgentReply(ticket, kind === 'approve' ? { kind: 'approve' } : { kind: 'refuse', reason });
      switch (o.kind) {
        case 'approve':
          await applyDecision(deps.pipeline, tx, ticket, decideApproval(ticket, actor, deps.config.AGENTS_ADDRESS, at), { now: at });
          return 'approved';
        case 'refuse':
          await applyDecision(deps.pipeline, tx, ticket, decideRefusal(ticket, actor, o.reason, at, deps.pipeline.config.AGENTS_ADDRESS), { now: at });
          return 'refused';
        case 'already-decided':
          await applyDecision(deps.pipeline, tx, ticket, noteOnly([
            { kind: 'decision_rejected', actor: actor.email, detail: { reason: 'ALREADY_DECIDED', via: 'console' } },
          ]), { now: at });
          return 'already-decided';
        case 'not-awaiting':
        case 'reply-error':
          return 'not-awaiting';
      }
    });
    const decided = outcome === 'approved' || outcome === 'refused';
    await recordAudit(db, {
      at: deps.now(), actor: auth.actor, action: decided ? 'decision' : 'decision_rejected', target: found.ref, ip: c.get('client').ip,
      detail: { decision: kind, outcome },
    });
    if (decided) deps.kick();
    return seeOther(`${ticketPath(base, found.ref)}?done=${outcome}`);
  }

  app.post('/tickets/:ref/approve', (c) => decide(c, 'approve'));
  app.post('/tickets/:ref/refuse', (c) => decide(c, 'refuse'));
}
