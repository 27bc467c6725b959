import type { Hono } from 'hono';
import { quarantinedMails, rawOfInbound, recordAudit } from '../db/console-queries';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { dateTime, kibibytes, oneLine, SHOWN, ticketPath } from './format';
import { html } from './html';
import { alert, csrfField } from './layout';
import { replayQuarantined } from '../workflow/replay-quarantined';
import { messageBody, pageResponse, seeOther } from './responses';

/** The quarantine (admins): what could not be processed, why, its raw source as text, and replay. */

/** At most this much of a raw source is shown (the rest is cut, and said so). */
const RAW_SHOWN_BYTES = 256 * 1024;

const REPLAYED: Record<string, { kind: 'success' | 'warning' | 'error'; text: string }> = {
  ok: { kind: 'success', text: 'Le message a été traité à nouveau.' },
  again: { kind: 'warning', text: 'Le message a été traité à nouveau, et remis en quarantaine : voir la raison ci-dessous.' },
  gone: { kind: 'warning', text: 'Ce message n’est plus en quarantaine.' },
  'header-only': { kind: 'error', text: 'Seul l’en-tête de ce message trop volumineux a été gardé : augmentez MAX_MESSAGE_BYTES et retirez le drapeau $LiquibotDone du message dans la boîte, le daemon le traitera en entier.' },
};

export function registerQuarantinePages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base } = deps;
  const db = deps.database.db;
  const tz = deps.config.TIMEZONE;

  app.get('/admin/quarantine', async (c) => {
    const auth = c.get('auth');
    const rows = await quarantinedMails(db);
    const replayed = REPLAYED[c.req.query('replayed') ?? ''];
    const ref = c.req.query('ref');
    const body = html`<h1>Quarantaine</h1>
<p>Les messages que liquibot n’a pas pu traiter, gardés avec leur source et la raison. « Traiter à nouveau » les repasse dans le traitement (comme <code>liquibot replay</code>).</p>
${replayed ? alert(replayed.kind, replayed.text) : ''}
${replayed && ref && /^LJ-\d{6}-\d{4,}$/.test(ref) ? html`<p>Demande : <a href="${ticketPath(base, ref)}">${ref}</a></p>` : ''}
${rows.length === 0 ? alert('info', 'Aucun message en quarantaine.') : html`<div class="fr-table fr-table--no-caption"><table><caption>Messages en quarantaine</caption>
<thead><tr><th scope="col">N°</th><th scope="col">Reçu le</th><th scope="col">Raison</th><th scope="col">Taille</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows.map((m) => html`<tr>
<td>${m.id}</td><td class="console-nowrap">${dateTime(m.receivedAt, tz)}</td>
<td><strong>${m.errorCode ?? '?'}</strong><br><span class="fr-text--sm">${oneLine(m.errorDetail, SHOWN.detail)}</span></td>
<td class="console-nowrap">${kibibytes(m.sizeBytes)}</td>
<td>${m.hasRaw ? html`<a class="fr-link" href="${base}/admin/quarantine/${m.id}/raw">Source</a>` : 'source supprimée'}
<form class="console-inline-form" method="post" action="${base}/admin/quarantine/${m.id}/replay">${csrfField(auth.viewer.csrfToken)}
<button class="fr-btn fr-btn--sm fr-btn--secondary fr-ml-1w" type="submit">Traiter à nouveau</button></form></td>
</tr>`)}</tbody></table></div>`}`;
    return pageResponse({ base, title: 'Quarantaine', body, viewer: auth.viewer, current: 'quarantine' });
  });

  app.get('/admin/quarantine/:id/raw', async (c) => {
    const auth = c.get('auth');
    const id = Number(c.req.param('id'));
    const raw = Number.isSafeInteger(id) && id > 0 ? await rawOfInbound(db, id) : null;
    if (!raw) {
      return pageResponse({ base, title: 'Source', viewer: auth.viewer, body: messageBody('Source introuvable', 'Ce message n’existe pas ou sa source a été supprimée.') }, 404);
    }
    await recordAudit(db, { at: deps.now(), actor: auth.actor, action: 'raw_viewed', target: `inbound:${id}`, ip: c.get('client').ip });
    // As bytes read one by one (latin1): whatever the message holds, it is shown as text, never interpreted.
    const text = raw.subarray(0, RAW_SHOWN_BYTES).toString('latin1').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '\uFFFD');
    const body = html`<p class="fr-mb-1w"><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${base}/admin/quarantine">Quarantaine</a></p>
<h1>Source du message n° ${id}</h1>
<p>${kibibytes(raw.length)}${raw.length > RAW_SHOWN_BYTES ? `, dont les ${kibibytes(RAW_SHOWN_BYTES)} premiers sont affichés` : ''}. Affichée comme texte, octet par octet.</p>
<pre class="console-raw" id="source">${text}</pre>`;
    return pageResponse({ base, title: `Source du message ${id}`, body, viewer: auth.viewer, current: 'quarantine' });
  });

  app.post('/admin/quarantine/:id/replay', async (c) => {
    const auth = c.get('auth');
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0) return seeOther(`${base}/admin/quarantine?replayed=gone`);
    const outcome = await replayQuarantined(deps.pipeline, id);
    await recordAudit(db, {
      at: deps.now(), actor: auth.actor, action: 'quarantine_replayed', target: `inbound:${id}`, ip: c.get('client').ip,
      detail: outcome.kind === 'replayed' ? { outcome: outcome.result.outcome, ticketRef: outcome.result.ticketRef } : { outcome: outcome.kind },
    });
    if (outcome.kind !== 'replayed') return seeOther(`${base}/admin/quarantine?replayed=${outcome.kind === 'header-only' ? 'header-only' : 'gone'}`);
    if (outcome.result.mailsQueued > 0) deps.kick();
    const again = outcome.result.kind === 'quarantined';
    const ref = outcome.result.ticketRef ? `&ref=${encodeURIComponent(outcome.result.ticketRef)}` : '';
    return seeOther(`${base}/admin/quarantine?replayed=${again ? 'again' : 'ok'}${ref}`);
  });
}
