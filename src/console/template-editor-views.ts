import type { TemplateVersionRow } from '../db/schema';
import { CATALOG, type TemplateName } from '../templates/catalog';
import type { DraftResult } from '../templates/draft';
import type { DriftFinding } from '../templates/drift';
import { TEMPLATE_PARTS, type TemplatePart } from '../templates/engine';
import type { FrenchIssue } from '../templates/issue-french';
import { withContext, type DiffLine } from '../templates/line-diff';
import { AUDIENCE_LABELS } from '../templates/reference';
import { describeFields } from '../templates/schema-fields';
import type { PartOrigin } from '../templates/sources';
import { originLabel } from '../templates/precedence';
import { dateTime } from './format';
import { html, type Html } from './html';
import { alert, csrfField } from './layout';

/** The template editor's pages, as markup (template-editor.ts serves them). */

export const PART_LABELS: Record<TemplatePart, string> = { subject: 'Objet', text: 'Texte', html: 'HTML' };
const PART_FILES: Record<TemplatePart, string> = { subject: 'subject.liquid', text: 'text.liquid', html: 'html.liquid' };

/** Where each part of a mail comes from, as configured (database over TEMPLATES_DIR over the shipped files). */
export interface PartsOrigin {
  parts: Record<TemplatePart, PartOrigin | null>;
  /** The active console version (null: none, the mail is on its files). */
  active: TemplateVersionRow | null;
}

export function originBadge(origin: PartOrigin | null, version: number | null): Html {
  // Only the html part may be absent: the mail is sent as text only.
  if (origin === null) return html`<span class="fr-text--sm">texte seul</span>`;
  const kind = origin === 'database' ? 'fr-badge--new' : origin === 'custom' ? 'fr-badge--warning' : 'fr-badge--info';
  return html`<span class="fr-badge fr-badge--sm fr-badge--no-icon ${kind}">${originLabel(origin, version)}</span>`;
}

export function sourcesList(o: PartsOrigin): Html {
  return html`<dl class="tpl-sources">${TEMPLATE_PARTS.map((p) => html`<dt>${PART_LABELS[p]} (<code>${PART_FILES[p]}</code>)</dt><dd>${originBadge(o.parts[p], o.active?.version ?? null)}</dd>`)}</dl>`;
}

export function templatesListBody(base: string, rows: Array<{ name: TemplateName; origin: PartsOrigin }>, timeZone: string): Html {
  return html`<h1>Modèles de mails</h1>
<p>Chaque partie d’un message (objet, texte, HTML) est prise, dans cet ordre : dans la <strong>version enregistrée dans la console</strong> (la plus récente),
sinon dans le dossier <code>TEMPLATES_DIR</code>, sinon dans les <strong>modèles livrés</strong> avec liquibot. Toutes les instances utilisent la même version.</p>
<div class="fr-table"><table><caption>Messages envoyés par liquibot</caption>
<thead><tr><th scope="col">Message</th><th scope="col">Destinataire</th><th scope="col">Objet</th><th scope="col">Texte</th><th scope="col">HTML</th><th scope="col">Dernière version</th></tr></thead>
<tbody>${rows.map(({ name, origin }) => html`<tr>
<td><a href="${base}/admin/templates/${name}"><code>${name}</code></a><br><span class="fr-text--sm">${CATALOG[name].description}</span></td>
<td>${AUDIENCE_LABELS[CATALOG[name].audience]}</td>
${TEMPLATE_PARTS.map((p) => html`<td>${originBadge(origin.parts[p], origin.active?.version ?? null)}</td>`)}
<td class="console-nowrap">${origin.active ? html`v${origin.active.version}<br><span class="fr-text--sm">${dateTime(origin.active.createdAt, timeZone)}<br>${origin.active.author}</span>` : '—'}</td>
</tr>`)}</tbody></table></div>`;
}

/** A drift finding in French. */
export function driftText(f: DriftFinding): string {
  const where = f.only === 'text' ? 'seulement dans le texte' : 'seulement dans le HTML';
  if (f.kind === 'variable') return `Variable utilisée ${where} : {{ ${f.variable} }}`;
  const s = f.sentence.length > 220 ? `${f.sentence.slice(0, 219)}…` : f.sentence;
  return `Phrase présente ${where} : « ${s} »`;
}

function errorItem(e: FrenchIssue): Html {
  const where = e.part ? `${PART_LABELS[e.part]}, ligne ${e.line}, colonne ${e.column}` : 'Modèle';
  return html`<li data-part="${e.part ?? ''}" data-line="${e.line}"><strong>${where}</strong> : ${e.message}${
    e.excerpt !== null ? html`<pre class="tpl-excerpt">${e.line} | ${e.excerpt}\n${' '.repeat(String(e.line).length + 3 + Math.max(0, e.column - 1))}^</pre>` : ''}</li>`;
}

/** Errors, drift warnings and the preview: in the page, and sent alone to the script after each change. */
export function resultsPanel(r: DraftResult, frameUrl: string | null, dataLabel: string): Html {
  const errors = r.errors.length > 0
    ? html`<div class="fr-alert fr-alert--error fr-mb-3w" id="template-errors" role="alert"><h3 class="fr-alert__title">${r.errors.length === 1 ? '1 erreur' : `${r.errors.length} erreurs`} : le modèle ne peut pas être enregistré</h3>
<ul>${r.errors.map(errorItem)}</ul></div>`
    : html`<p class="fr-badge fr-badge--success fr-mb-2w" id="template-valid">Modèle valide</p>`;
  const drift = r.drift.length > 0
    ? html`<div class="fr-alert fr-alert--warning fr-mb-3w" id="template-drift" role="status"><h3 class="fr-alert__title">Le texte et le HTML ne disent plus la même chose</h3>
<p>Le destinataire voit l’une ou l’autre version selon sa messagerie : mettez-les d’accord.</p>
<ul>${r.drift.map((f) => html`<li>${driftText(f)}</li>`)}</ul></div>`
    : '';
  const preview = r.rendered
    ? html`<h2 class="fr-h4">Aperçu <span class="fr-text--sm fr-text--regular">(${dataLabel})</span></h2>
<p><strong>Objet :</strong> <span id="preview-subject">${r.rendered.subject}</span></p>
<div class="tpl-grid">
<div><h3 class="fr-h6">Texte</h3><pre class="tpl-text" id="preview-text">${r.rendered.text}</pre></div>
<div><h3 class="fr-h6">HTML</h3>${r.rendered.html !== null && frameUrl
    ? html`<iframe class="tpl-frame" id="preview-html" src="${frameUrl}" sandbox="" title="Aperçu de la version HTML" referrerpolicy="no-referrer"></iframe>`
    : html`<p id="preview-html-none">Message texte seul : pas de version HTML.</p>`}</div>
</div>`
    : r.renderError ? alert('warning', r.renderError, 'Pas d’aperçu') : '';
  return html`${errors}${drift}${preview}`;
}

function variablesPanel(name: TemplateName): Html {
  const spec = CATALOG[name];
  const fields = describeFields(spec.schema, spec.example);
  const insertion = (path: string, type: string): string => {
    if (path.includes('[].')) return `{{ item.${path.split('[].').at(-1)} }}`;
    if (type.startsWith('liste')) return `{% for item in ${path} %}\n{% endfor %}`;
    return `{{ ${path} }}`;
  };
  const required = TEMPLATE_PARTS.filter((p) => (spec.required[p] ?? []).length > 0)
    .map((p) => `${PART_LABELS[p]} : ${(spec.required[p] ?? []).join(', ')}`).join(' ; ');
  return html`<h2 class="fr-h5">Variables</h2>
<p class="fr-text--sm">Cliquez sur une variable pour l’insérer à l’endroit du curseur. Les éléments d’une liste (<code>item.…</code>) s’utilisent dans une boucle <code>for</code>.
${required ? html`<br>Obligatoires : ${required}.` : ''}</p>
<ul class="tpl-vars" id="template-variables">${fields.map((f) => html`<li><button type="button" class="fr-tag fr-tag--sm tpl-var" data-insert="${insertion(f.path, f.type)}">${f.path}</button>
<br><span class="fr-text--xs">${f.description} — ${f.type}${f.nullable ? ' ou null' : ''}${f.example ? ` (ex. : ${f.example})` : ''}</span></li>`)}</ul>`;
}

export interface EditorInput {
  base: string;
  name: TemplateName;
  csrf: string;
  draft: Record<TemplatePart, string>;
  comment: string;
  ref: string;
  origin: PartsOrigin;
  expectedActive: number;
  result: DraftResult;
  frameUrl: string | null;
  dataLabel: string;
  notice: Html | null;
  timeZone: string;
}

export function editorBody(p: EditorInput): Html {
  const spec = CATALOG[p.name];
  const action = `${p.base}/admin/templates/${p.name}`;
  const area = (part: 'text' | 'html') => html`<div class="fr-input-group"><label class="fr-label" for="part-${part}">${PART_LABELS[part]} (<code>${PART_FILES[part]}</code>) ${originBadge(p.origin.parts[part], p.origin.active?.version ?? null)}
${part === 'html' ? html`<span class="fr-hint-text">Vide : le message part en texte seul.</span>` : html`<span class="fr-hint-text">Toujours envoyé.</span>`}</label>
<textarea class="fr-input tpl-code" id="part-${part}" name="${part}" data-part="${part}" spellcheck="false" rows="28">
${p.draft[part]}</textarea></div>`;
  return html`<link rel="stylesheet" href="${p.base}/static/template-editor.css">
<p class="fr-mb-1w"><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${p.base}/admin/templates">Modèles de mails</a></p>
<h1>Modèle <code>${p.name}</code></h1>
<p>${spec.description} Destinataire : ${AUDIENCE_LABELS[spec.audience]}.</p>
<p class="tpl-actions"><a class="fr-link" href="${action}/versions">Versions et retour arrière${p.origin.active ? ` (${p.origin.active.version})` : ''}</a>
<a class="fr-link" href="${action}/shipped">Différences avec le modèle livré</a>
<span>Version en service : ${p.origin.active ? `console v${p.origin.active.version} — ${dateTime(p.origin.active.createdAt, p.timeZone)}, ${p.origin.active.author}` : 'fichiers (aucune version enregistrée dans la console)'}</span></p>
${p.notice ?? ''}
<div class="fr-alert fr-alert--info fr-alert--sm fr-mb-2w" id="template-live" hidden><p>L’aperçu, les erreurs et les divergences se mettent à jour pendant la saisie.</p></div>
<div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w" id="template-live-error" hidden><p>L’aperçu automatique ne répond pas : utilisez le bouton « Prévisualiser ».</p></div>
<form id="template-form" method="post" action="${action}" enctype="multipart/form-data" data-preview-url="${action}/preview">
${csrfField(p.csrf)}
<input type="hidden" name="expectedActive" value="${p.expectedActive}">
<div class="fr-grid-row fr-grid-row--gutters">
<div class="fr-col-12 fr-col-lg-9">
<div class="fr-input-group"><label class="fr-label" for="part-subject">${PART_LABELS.subject} (<code>${PART_FILES.subject}</code>) ${originBadge(p.origin.parts.subject, p.origin.active?.version ?? null)}</label>
${p.draft.subject.replace(/\n+$/, '').includes('\n')
    // A subject written on several lines (tags on lines of their own) keeps them: an input would join them.
    ? html`<textarea class="fr-input tpl-var" id="part-subject" name="subject" data-part="subject" spellcheck="false" rows="4">
${p.draft.subject}</textarea>`
    : html`<input class="fr-input tpl-var" type="text" id="part-subject" name="subject" data-part="subject" spellcheck="false" value="${p.draft.subject.replace(/\n+$/, '')}">`}</div>
<div class="tpl-grid">${area('text')}${area('html')}</div>
<div class="fr-grid-row fr-grid-row--gutters">
<div class="fr-col-12 fr-col-md-6"><div class="fr-input-group"><label class="fr-label" for="preview-ref">Aperçu avec une demande réelle <span class="fr-hint-text">Sa référence (ex. LJ-261126-0042) ; vide : données d’exemple. Les liens restent fictifs.</span></label>
<input class="fr-input" type="text" id="preview-ref" name="ref" maxlength="40" value="${p.ref}"></div></div>
<div class="fr-col-12 fr-col-md-6"><div class="fr-input-group"><label class="fr-label" for="comment">Motif de la modification <span class="fr-hint-text">Facultatif, gardé avec la version.</span></label>
<input class="fr-input" type="text" id="comment" name="comment" maxlength="300" value="${p.comment}"></div></div>
</div>
<div class="tpl-actions fr-mb-3w">
<button class="fr-btn fr-btn--secondary" type="submit" id="preview-button" formaction="${action}/preview">Prévisualiser</button>
<button class="fr-btn" type="submit" id="save-button">Enregistrer une nouvelle version</button>
<button class="fr-btn fr-btn--tertiary" type="submit" id="test-button" formaction="${action}/test">M’envoyer un essai</button>
</div>
</div>
<div class="fr-col-12 fr-col-lg-3">${variablesPanel(p.name)}</div>
</div>
</form>
<div id="template-results" aria-live="polite">${resultsPanel(p.result, p.frameUrl, p.dataLabel)}</div>
<script src="${p.base}/static/template-editor.js" defer></script>`;
}

/** A diff as lines, with context. */
export function diffBlock(lines: readonly DiffLine[], id: string): Html {
  if (!lines.some((l) => l.kind !== 'same')) return html`<p id="${id}" class="fr-text--sm">Identique.</p>`;
  return html`<pre class="tpl-diff" id="${id}">${withContext(lines).map((l) => {
    switch (l.kind) {
      case 'skip':
        return html`<span class="skip">… ${l.count} ligne(s) identique(s)</span>`;
      case 'added':
        return html`<span class="add">+ ${l.text}</span>`;
      case 'removed':
        return html`<span class="del">- ${l.text}</span>`;
      default:
        return html`<span class="same">  ${l.text}</span>`;
    }
  })}</pre>`;
}

export function partDiffs(diffs: Record<TemplatePart, DiffLine[]>, prefix: string): Html {
  return html`${TEMPLATE_PARTS.map((p) => html`<h3 class="fr-h6">${PART_LABELS[p]} (<code>${PART_FILES[p]}</code>)</h3>${diffBlock(diffs[p], `${prefix}-${p}`)}`)}`;
}

export function versionsBody(input: {
  base: string; name: TemplateName; csrf: string; rows: TemplateVersionRow[]; timeZone: string;
  compare: { from: number; to: number; diffs: Record<TemplatePart, DiffLine[]> } | null; notice: Html | null;
}): Html {
  const { base, name, rows } = input;
  const action = `${base}/admin/templates/${name}`;
  const active = rows[0]?.version ?? 0;
  const label = (v: number) => (v === 0 ? 'fichiers' : `v${v}`);
  const options = (selected: number) => html`${[...rows.map((r) => r.version), 0].map((v) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${label(v)}</option>`)}`;
  const setParts = (r: TemplateVersionRow) => TEMPLATE_PARTS.filter((p) => r[p] !== null).map((p) => PART_LABELS[p]).join(', ') || 'aucune (retour aux fichiers)';
  return html`<link rel="stylesheet" href="${base}/static/template-editor.css">
<p class="fr-mb-1w"><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${action}">Modèle ${name}</a></p>
<h1>Versions du modèle <code>${name}</code></h1>
${input.notice ?? ''}
${rows.length === 0 ? alert('info', 'Aucune version enregistrée dans la console : le modèle est celui des fichiers.') : html`<div class="fr-table"><table id="versions"><caption>Versions, la plus récente (en service) en premier</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Enregistrée le</th><th scope="col">Par</th><th scope="col">Parties enregistrées</th><th scope="col">Motif</th><th scope="col">Action</th></tr></thead>
<tbody>${rows.map((r) => html`<tr data-version="${r.version}">
<td>v${r.version}${r.version === active ? html` <span class="fr-badge fr-badge--sm fr-badge--success fr-badge--no-icon">en service</span>` : ''}</td>
<td class="console-nowrap">${dateTime(r.createdAt, input.timeZone)}</td><td>${r.author}</td><td>${setParts(r)}</td>
<td>${r.basedOn !== null ? `Retour à ${label(r.basedOn)}. ` : ''}${r.comment ?? ''}</td>
<td>${r.version === active ? '' : html`<form class="console-inline-form" method="post" action="${action}/rollback">${csrfField(input.csrf)}
<input type="hidden" name="version" value="${r.version}"><input type="hidden" name="expectedActive" value="${active}">
<button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit" id="rollback-${r.version}">Revenir à cette version</button></form>`}</td>
</tr>`)}</tbody></table></div>
<form method="post" action="${action}/rollback" class="fr-mb-4w">${csrfField(input.csrf)}<input type="hidden" name="version" value="0"><input type="hidden" name="expectedActive" value="${active}">
<button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" id="rollback-0">Revenir aux fichiers (TEMPLATES_DIR ou modèle livré)</button></form>`}
${rows.length > 0 ? html`<h2 class="fr-h4">Comparer deux versions</h2>
<form method="get" action="${action}/versions" class="tpl-actions fr-mb-3w">
<div class="fr-select-group"><label class="fr-label" for="from">De</label><select class="fr-select" id="from" name="from">${options(input.compare?.from ?? rows[1]?.version ?? 0)}</select></div>
<div class="fr-select-group"><label class="fr-label" for="to">À</label><select class="fr-select" id="to" name="to">${options(input.compare?.to ?? active)}</select></div>
<button class="fr-btn fr-btn--secondary" type="submit">Comparer</button></form>
${input.compare ? html`<section id="version-diff"><h3 class="fr-h5">De ${label(input.compare.from)} à ${label(input.compare.to)}</h3>${partDiffs(input.compare.diffs, 'diff')}</section>` : ''}` : ''}`;
}

export function shippedDiffBody(input: { base: string; name: TemplateName; origin: PartsOrigin; diffs: Record<TemplatePart, DiffLine[]> }): Html {
  const action = `${input.base}/admin/templates/${input.name}`;
  return html`<link rel="stylesheet" href="${input.base}/static/template-editor.css">
<p class="fr-mb-1w"><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${action}">Modèle ${input.name}</a></p>
<h1>Différences avec le modèle livré : <code>${input.name}</code></h1>
<p>En rouge barré : le texte du modèle livré avec liquibot ; en vert : le texte en service. Origine des parties en service :</p>
${sourcesList(input.origin)}
${partDiffs(input.diffs, 'shipped')}`;
}
