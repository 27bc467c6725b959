import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { recordAudit } from '../db/console-queries';
import { enqueueMail } from '../db/outbox-queries';
import type { TemplateVersionRow } from '../db/schema';
import { activeVersionOf, activeVersions, insertTemplateVersion, versionOfTemplate, versionsOf } from '../db/template-version-queries';
import { findTicketByRef } from '../db/ticket-queries';
import { errorFields } from '../log';
import { outboxRowFor } from '../outbox/outgoing-mail';
import { isTemplateName, TEMPLATE_NAMES, type TemplateName } from '../templates/catalog';
import { checkDraft, type DraftParts, type DraftResult } from '../templates/draft';
import { createTemplateEngines, TEMPLATE_PARTS, type TemplatePart } from '../templates/engine';
import { diffLines, type DiffLine } from '../templates/line-diff';
import { readTemplateSources, SHIPPED_TEMPLATES_DIR, type PartSource, type TemplateDirs } from '../templates/sources';
import type { TemplateStore } from '../templates/store';
import { templateVarsOfTicket } from '../templates/ticket-vars';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { html, type Html } from './html';
import { alert } from './layout';
import { messageBody, pageResponse, SECURITY_HEADERS, seeOther } from './responses';
import { TEMPLATE_EDITOR_CSS, TEMPLATE_EDITOR_JS } from './template-editor-assets';
import { editorBody, resultsPanel, shippedDiffBody, templatesListBody, versionsBody, type PartsOrigin } from './template-editor-views';
import { PreviewCache } from './template-preview-cache';

/**
 * The mail template editor (admins): the list of mails with where each part comes from, the editor
 * (three parts, live preview, variables, errors, drift), save as a new database version, versions with
 * their diff and rollback, the difference from the shipped files, and a test send to oneself. Every
 * change is checked exactly as `liquibot templates check` checks files, and is in the audit log.
 */

/** The editor's page may frame its own previews (and only those: the frame's response is sandboxed). */
const EDITOR_CSP = `${SECURITY_HEADERS['content-security-policy']}; frame-src 'self'`;
/** The preview frame: the mail's HTML with its inline styles, no script, nothing loaded from elsewhere. */
const PREVIEW_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

const NOTES: Record<string, { kind: 'success' | 'info' | 'warning'; text: (v: string) => string }> = {
  saved: { kind: 'success', text: (v) => `Version ${v} enregistrée : elle est en service sur toutes les instances (au plus quelques secondes après l’enregistrement).` },
  rolledback: { kind: 'success', text: (v) => `Retour arrière fait : la nouvelle version ${v} reprend l’ancienne et elle est en service.` },
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const intOf = (v: unknown): number | null => (/^\d{1,9}$/.test(str(v)) ? Number(v) : null);

export function registerTemplateEditor(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base } = deps;
  const db = deps.database.db;
  const tz = deps.config.TIMEZONE;
  const engines = createTemplateEngines({ timeZone: tz });
  const dirs: TemplateDirs = { templatesDir: deps.config.TEMPLATES_DIR ?? null, shippedDir: SHIPPED_TEMPLATES_DIR };
  const shippedOnly: TemplateDirs = { templatesDir: null, shippedDir: SHIPPED_TEMPLATES_DIR };
  const previews = new PreviewCache();

  app.get('/static/template-editor.js', () => new Response(TEMPLATE_EDITOR_JS, {
    headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' },
  }));
  app.get('/static/template-editor.css', () => new Response(TEMPLATE_EDITOR_CSS, {
    headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' },
  }));

  const filesOf = (name: TemplateName): Record<TemplatePart, PartSource | null> => readTemplateSources(name, dirs).parts;

  function originOf(name: TemplateName, active: TemplateVersionRow | null): PartsOrigin {
    const files = filesOf(name);
    const parts = {} as PartsOrigin['parts'];
    for (const p of TEMPLATE_PARTS) parts[p] = active && active[p] !== null ? 'database' : files[p]?.origin ?? null;
    return { parts, active };
  }

  /** The parts of a version as they are used: its own, else the files' ('' where neither has one). Version 0: the files. */
  function effectiveParts(name: TemplateName, row: TemplateVersionRow | null): DraftParts {
    const files = filesOf(name);
    const out = {} as DraftParts;
    for (const p of TEMPLATE_PARTS) out[p] = row?.[p] ?? files[p]?.content ?? '';
    return out;
  }

  async function previewData(name: TemplateName, ref: string): Promise<{ vars: unknown; label: string; notice: Html | null }> {
    const wanted = ref.trim().toUpperCase();
    if (wanted === '') return { vars: undefined, label: 'données d’exemple', notice: null };
    const ticket = /^LJ-\d{6}-\d{4,}$/.test(wanted) ? await findTicketByRef(db, wanted) : null;
    if (!ticket) return { vars: undefined, label: 'données d’exemple', notice: alert('warning', `Demande ${wanted} introuvable : l’aperçu utilise les données d’exemple.`) };
    return { vars: templateVarsOfTicket(name, ticket), label: `demande ${ticket.ref}, liens fictifs`, notice: null };
  }

  function frameUrlOf(c: Context<ConsoleEnv>, r: DraftResult): string | null {
    if (!r.rendered || r.rendered.html === null) return null;
    return `${base}/admin/template-preview/${previews.put(c.get('auth').user.id, r.rendered.html)}`;
  }

  async function editorPage(c: Context<ConsoleEnv>, name: TemplateName, input: {
    draft?: DraftParts; ref?: string; comment?: string; expectedActive?: number; notice?: Html | null; status?: number;
  }): Promise<Response> {
    const auth = c.get('auth');
    const active = await activeVersionOf(db, name);
    const draft = input.draft ?? effectiveParts(name, active);
    const data = await previewData(name, input.ref ?? '');
    const result = checkDraft(engines, name, draft, dirs, data.vars);
    const body = editorBody({
      base, name, csrf: auth.viewer.csrfToken, draft, comment: input.comment ?? '', ref: input.ref ?? '', origin: originOf(name, active),
      expectedActive: input.expectedActive ?? active?.version ?? 0, result, frameUrl: frameUrlOf(c, result), dataLabel: data.label,
      notice: html`${input.notice ?? ''}${data.notice ?? ''}${notInUse(name, active)}`, timeZone: tz,
    });
    return pageResponse({ base, title: `Modèle ${name}`, body, viewer: auth.viewer, current: 'templates' }, input.status ?? 200, { 'content-security-policy': EDITOR_CSP });
  }

  /**
   * Says so when the templates this instance sends with are not on the active version: the store refused
   * it (it failed the checks once loaded, e.g. the files under its empty parts changed), or it has not
   * polled yet. The daemon's store is the pipeline's renderer; a renderer that cannot say is not asked.
   */
  function notInUse(name: TemplateName, active: TemplateVersionRow | null): Html | '' {
    const store = deps.pipeline.templates as Partial<Pick<TemplateStore, 'sourcesInUse'>>;
    if (!active || typeof store.sourcesInUse !== 'function' || TEMPLATE_PARTS.every((p) => active[p] === null)) return '';
    const inUse = store.sourcesInUse(name).databaseVersion;
    if (inUse === active.version) return '';
    return alert('warning', `Cette instance envoie encore ce message avec ${inUse === null ? 'les fichiers' : `la version ${inUse}`}, pas avec la version ${active.version} : elle la prend dans quelques secondes, ou l’a refusée (voir le journal du service, « template edit refused »).`, 'Version pas encore en service');
  }

  function notFound(c: Context<ConsoleEnv>): Response {
    return pageResponse({ base, title: 'Modèle inconnu', viewer: c.get('auth').viewer, current: 'templates', body: messageBody('Modèle inconnu', 'Ce message n’existe pas.') }, 404);
  }

  async function draftOf(c: Context<ConsoleEnv>): Promise<{ draft: DraftParts; ref: string; comment: string; expectedActive: number }> {
    const form = await c.req.parseBody();
    return {
      draft: { subject: str(form.subject), text: str(form.text), html: str(form.html) },
      ref: str(form.ref).slice(0, 40),
      comment: str(form.comment).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 300),
      expectedActive: intOf(form.expectedActive) ?? -1,
    };
  }

  app.get('/admin/templates', async (c) => {
    const auth = c.get('auth');
    const actives = new Map((await activeVersions(db)).map((r) => [r.name, r]));
    const rows = TEMPLATE_NAMES.map((name) => ({ name, origin: originOf(name, actives.get(name) ?? null) }));
    return pageResponse({ base, title: 'Modèles de mails', body: templatesListBody(base, rows, tz), viewer: auth.viewer, current: 'templates' });
  });

  app.get('/admin/templates/:name', async (c) => {
    const name = c.req.param('name');
    if (!isTemplateName(name)) return notFound(c);
    const note = Object.entries(NOTES).find(([key]) => c.req.query(key) !== undefined);
    const value = note ? intOf(c.req.query(note[0])) : null;
    const notice = note && value !== null ? alert(note[1].kind, note[1].text(String(value))) : null;
    return editorPage(c, name, { ref: (c.req.query('ref') ?? '').slice(0, 40), notice });
  });

  app.post('/admin/templates/:name/preview', async (c) => {
    const name = c.req.param('name');
    if (!isTemplateName(name)) return notFound(c);
    const form = await draftOf(c);
    if ((c.req.header('accept') ?? '').includes('application/json')) {
      const data = await previewData(name, form.ref);
      const result = checkDraft(engines, name, form.draft, dirs, data.vars);
      const panel = html`${data.notice ?? ''}${resultsPanel(result, frameUrlOf(c, result), data.label)}`;
      return c.json({ panel: panel.text, valid: result.errors.length === 0, drift: result.drift.length }, 200, { 'cache-control': 'no-store' });
    }
    return editorPage(c, name, { ...form });
  });

  app.post('/admin/templates/:name', async (c) => {
    const auth = c.get('auth');
    const name = c.req.param('name');
    if (!isTemplateName(name)) return notFound(c);
    const form = await draftOf(c);
    const result = checkDraft(engines, name, form.draft, dirs);
    if (result.errors.length > 0) {
      return editorPage(c, name, { ...form, status: 422, notice: alert('error', 'Le modèle n’a pas été enregistré : corrigez les erreurs ci-dessous.', 'Modèle refusé') });
    }
    const active = await activeVersionOf(db, name);
    if (TEMPLATE_PARTS.every((p) => result.toStore[p] === (active ? active[p] : null))) {
      return editorPage(c, name, { ...form, notice: alert('info', 'Aucune modification : rien n’a été enregistré.') });
    }
    const saved = await insertTemplateVersion(db, {
      name, subject: result.toStore.subject, text: result.toStore.text, html: result.toStore.html, basedOn: null,
      author: auth.actor, comment: form.comment || null, createdAt: deps.now(), expectedActive: form.expectedActive,
    }, (tx, row) => recordAudit(tx, {
      at: deps.now(), actor: auth.actor, action: 'template_saved', target: `template:${name}`, ip: c.get('client').ip,
      detail: { version: row.version, parts: TEMPLATE_PARTS.filter((p) => result.toStore[p] !== null), drift: result.drift.length, templateVersion: result.sources.version },
    }));
    if (saved.kind === 'conflict') {
      // The draft stays; saving again (now knowingly) goes on top of the version saved meanwhile.
      return editorPage(c, name, {
        ...form, status: 409, expectedActive: saved.active,
        notice: alert('error', `Un autre enregistrement a eu lieu pendant votre modification (version en service : ${saved.active === 0 ? 'fichiers' : `v${saved.active}`}). Rien n’a été enregistré. Voyez dans « Versions » ce qui a changé ; « Enregistrer » enregistrera ensuite votre texte par-dessus.`, 'Conflit'),
      });
    }
    await refresh();
    return seeOther(`${base}/admin/templates/${name}?saved=${saved.row.version}`);
  });

  app.post('/admin/templates/:name/test', async (c) => {
    const auth = c.get('auth');
    const name = c.req.param('name');
    if (!isTemplateName(name)) return notFound(c);
    const form = await draftOf(c);
    const data = await previewData(name, form.ref);
    const result = checkDraft(engines, name, form.draft, dirs, data.vars);
    if (result.errors.length > 0 || !result.rendered) {
      return editorPage(c, name, { ...form, status: 422, notice: alert('error', 'L’essai n’est pas parti : le modèle a des erreurs (ci-dessous).') });
    }
    const now = deps.now();
    const rendered = { ...result.rendered, subject: `[Essai] ${result.rendered.subject}`, templateName: name, templateVersion: result.sources.version };
    await db.transaction(async (tx) => {
      await enqueueMail(tx, outboxRowFor({
        purposeKey: `template-test:${name}:${randomUUID()}`, kind: 'template-test', ticketId: null, ticketRef: null, to: auth.user.email, rendered,
        messageIdDomain: deps.config.messageIdDomain, parent: null, autoSubmitted: 'auto-generated', now,
      }));
      await recordAudit(tx, {
        at: now, actor: auth.actor, action: 'template_test_sent', target: `template:${name}`, ip: c.get('client').ip,
        detail: { to: auth.user.email, templateVersion: result.sources.version, data: form.ref.trim() === '' ? 'exemple' : form.ref.trim().toUpperCase() },
      });
    });
    deps.kick();
    return editorPage(c, name, { ...form, notice: alert('success', `Essai envoyé à ${auth.user.email} (objet préfixé « [Essai] »). Le modèle n’est pas enregistré pour autant.`) });
  });

  app.get('/admin/templates/:name/versions', async (c) => {
    const auth = c.get('auth');
    const name = c.req.param('name');
    if (!isTemplateName(name)) return notFound(c);
    const rows = await versionsOf(db, name);
    const byVersion = new Map(rows.map((r) => [r.version, r]));
    const from = intOf(c.req.query('from'));
    const to = intOf(c.req.query('to'));
    let compare: { from: number; to: number; diffs: Record<TemplatePart, DiffLine[]> } | null = null;
    if (from !== null && to !== null && (from === 0 || byVersion.has(from)) && (to === 0 || byVersion.has(to))) {
      const a = effectiveParts(name, byVersion.get(from) ?? null);
      const b = effectiveParts(name, byVersion.get(to) ?? null);
      compare = { from, to, diffs: partsDiff(a, b) };
    }
    const problem = c.req.query('invalid') !== undefined ? alert('error', 'Ce retour arrière a été refusé : l’ancienne version ne passe plus les vérifications avec les fichiers actuels. Ouvrez-la dans l’éditeur pour la corriger.') : null;
    const body = versionsBody({ base, name, csrf: auth.viewer.csrfToken, rows, timeZone: tz, compare, notice: problem });
    return pageResponse({ base, title: `Versions du modèle ${name}`, body, viewer: auth.viewer, current: 'templates' });
  });

  app.post('/admin/templates/:name/rollback', async (c) => {
    const auth = c.get('auth');
    const name = c.req.param('name');
    if (!isTemplateName(name)) return notFound(c);
    const form = await c.req.parseBody();
    const version = intOf(form.version);
    const target = version !== null && version > 0 ? await versionOfTemplate(db, name, version) : null;
    if (version === null || (version > 0 && !target)) return seeOther(`${base}/admin/templates/${name}/versions`);
    // The old version is checked again: the files under its null parts may have changed since.
    const result = checkDraft(engines, name, effectiveParts(name, target), dirs);
    if (result.errors.length > 0) return seeOther(`${base}/admin/templates/${name}/versions?invalid`);
    const saved = await insertTemplateVersion(db, {
      name, subject: target?.subject ?? null, text: target?.text ?? null, html: target?.html ?? null, basedOn: version,
      author: auth.actor, comment: version === 0 ? 'Retour aux fichiers' : `Retour à la version ${version}`, createdAt: deps.now(),
      expectedActive: intOf(form.expectedActive) ?? -1,
    }, (tx, row) => recordAudit(tx, {
      at: deps.now(), actor: auth.actor, action: 'template_rolled_back', target: `template:${name}`, ip: c.get('client').ip,
      detail: { version: row.version, restored: version, templateVersion: result.sources.version },
    }));
    if (saved.kind === 'conflict') return seeOther(`${base}/admin/templates/${name}/versions`);
    await refresh();
    return seeOther(`${base}/admin/templates/${name}?rolledback=${saved.row.version}`);
  });

  app.get('/admin/templates/:name/shipped', async (c) => {
    const auth = c.get('auth');
    const name = c.req.param('name');
    if (!isTemplateName(name)) return notFound(c);
    const active = await activeVersionOf(db, name);
    const shipped = readTemplateSources(name, shippedOnly).parts;
    const shippedParts = {} as DraftParts;
    for (const p of TEMPLATE_PARTS) shippedParts[p] = shipped[p]?.content ?? '';
    const body = shippedDiffBody({ base, name, origin: originOf(name, active), diffs: partsDiff(shippedParts, effectiveParts(name, active)) });
    return pageResponse({ base, title: `Différences avec le modèle livré ${name}`, body, viewer: auth.viewer, current: 'templates' });
  });

  app.get('/admin/template-preview/:key', (c) => {
    const key = c.req.param('key');
    const found = /^[0-9a-f]{32}$/.test(key) ? previews.get(c.get('auth').user.id, key) : null;
    const body = found ?? '<!DOCTYPE html><html lang="fr"><meta charset="utf-8"><p>Aperçu expiré : cliquez sur « Prévisualiser ».</p></html>';
    return new Response(body, {
      status: found ? 200 : 404,
      headers: {
        'content-type': 'text/html; charset=utf-8', 'content-security-policy': PREVIEW_CSP, 'x-frame-options': 'SAMEORIGIN',
        'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
      },
    });
  });

  async function refresh(): Promise<void> {
    await deps.refreshTemplates().catch((err) => deps.log.warn(errorFields(err), 'templates not reloaded after a save (the poll will)'));
  }
}

function partsDiff(a: DraftParts, b: DraftParts): Record<TemplatePart, DiffLine[]> {
  return { subject: diffLines(a.subject, b.subject), text: diffLines(a.text, b.text), html: diffLines(a.html, b.html) };
}
