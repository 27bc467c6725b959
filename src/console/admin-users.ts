import type { Context, Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { sessionCounts } from '../db/console-account-queries';
import { listUsers, recentAudit } from '../db/console-queries';
import { consoleUsers, type ConsoleUser } from '../db/schema';
import { CONSOLE_ROLES, type ConsoleRole } from '../db/vocabulary';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { dateTime, oneLine, SHOWN } from './format';
import { html, type Html } from './html';
import { alert, csrfField } from './layout';
import { isBound } from './oidc-account';
import { oidcEnabled } from './oidc-claims';
import { pageResponse, seeOther } from './responses';
import {
  addAccount, changeAccountRole, INVITATION_HOURS, invitationUrl, inviteAccount, isEmailAddress, removeAccountPassword, revokeAccountSessions,
  setAccountDisabled, unbindAccount, type AccountChange,
} from './user-accounts';

/**
 * The accounts page (admins; the /admin middleware turns agents away): the accounts with their role,
 * state, last login and sessions; add one (its invitation link shown once), change a role, disable or
 * enable, end its sessions, a new invitation; and the console's audit log. The same operations as
 * `liquibot users` (src/console/user-accounts.ts).
 */

const ROLE_LABELS: Record<ConsoleRole, string> = { agent: 'agent', admin: 'administrateur' };

/** What a redirect says (by key: nothing from the query string is echoed). */
const DONE: Record<string, { kind: 'success' | 'warning' | 'error'; text: string }> = {
  role: { kind: 'success', text: 'Le rôle est modifié ; il s’applique dès la prochaine page ouverte par la personne.' },
  disabled: { kind: 'success', text: 'Le compte est désactivé : ses sessions sont fermées, il ne peut plus se connecter.' },
  enabled: { kind: 'success', text: 'Le compte est réactivé.' },
  revoked: { kind: 'success', text: 'Les sessions du compte sont fermées : la personne doit se reconnecter.' },
  unbound: { kind: 'success', text: 'Le compte est détaché de son identité chez le fournisseur : ses sessions sont fermées ; la prochaine connexion unique à son adresse le rattachera (s’il n’a pas de mot de passe).' },
  'password-removed': { kind: 'success', text: 'Le mot de passe du compte est retiré : ses sessions sont fermées ; la prochaine connexion unique à son adresse le rattachera.' },
  self: { kind: 'error', text: 'Refusé : vous ne pouvez pas retirer votre propre mot de passe depuis la console.' },
  unchanged: { kind: 'warning', text: 'Rien n’a changé : le compte était déjà dans cet état.' },
  'last-admin': { kind: 'error', text: 'Refusé : c’est le dernier administrateur actif. Donnez d’abord le rôle d’administrateur à un autre compte.' },
  'not-found': { kind: 'error', text: 'Ce compte n’existe pas.' },
};

function userState(u: ConsoleUser, now: Date, tz: string): string {
  if (u.disabledAt) return `désactivé le ${dateTime(u.disabledAt, tz)}`;
  if (u.passwordHash) return 'actif';
  if (u.invitationExpiresAt) return u.invitationExpiresAt > now ? `invité (jusqu’au ${dateTime(u.invitationExpiresAt, tz)})` : 'invitation expirée';
  return 'actif (connexion par le fournisseur d’identité)';
}

/** Whether single sign-on has bound the account to someone at the provider (shown next to the state). */
function binding(u: ConsoleUser): Html | string {
  return isBound(u) ? html`<br><span class="fr-badge fr-badge--sm fr-badge--no-icon" title="${oneLine(u.oidcIssuer, 200)}">lié au fournisseur d’identité</span>` : '';
}

export function registerUserPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base } = deps;
  const db = deps.database.db;
  const tz = deps.config.TIMEZONE;
  const localAccounts = deps.config.CONSOLE_LOCAL_ACCOUNTS;
  const sso = oidcEnabled(deps.config);

  async function render(c: Context<ConsoleEnv>, opts: { notice?: Html; email?: string; role?: ConsoleRole; status?: number } = {}): Promise<Response> {
    const now = deps.now();
    const auth = c.get('auth');
    const token = auth.viewer.csrfToken;
    const [users, sessions, audit] = await Promise.all([listUsers(db), sessionCounts(db, now), recentAudit(db, 100)]);
    const done = DONE[c.req.query('done') ?? ''];
    const actions = (u: ConsoleUser): Html => {
      const path = `${base}/admin/users/${u.id}`;
      const label = oneLine(u.email, SHOWN.address);
      return html`<div class="console-account-actions">
<form method="post" action="${path}/role" class="fr-mb-1w">${csrfField(token)}
<label class="fr-label fr-sr-only" for="role-${u.id}">Rôle de ${label}</label>
<select class="fr-select" id="role-${u.id}" name="role">${CONSOLE_ROLES.map((r) => html`<option value="${r}"${r === u.role ? html` selected` : ''}>${ROLE_LABELS[r]}</option>`)}</select>
<button class="fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w" type="submit" title="Changer le rôle de ${label}">Changer le rôle</button></form>
<ul class="fr-btns-group fr-btns-group--sm fr-btns-group--inline">
<li><form method="post" action="${path}/${u.disabledAt ? 'enable' : 'disable'}">${csrfField(token)}<button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" title="${u.disabledAt ? 'Réactiver' : 'Désactiver'} ${label}">${u.disabledAt ? 'Réactiver' : 'Désactiver'}</button></form></li>
<li><form method="post" action="${path}/revoke">${csrfField(token)}<button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" title="Fermer les sessions de ${label}">Fermer les sessions</button></form></li>
${isBound(u) ? html`<li><form method="post" action="${path}/unbind">${csrfField(token)}<button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" title="Détacher ${label} de son identité chez le fournisseur">Détacher du fournisseur</button></form></li>` : ''}
${sso && u.passwordHash && u.id !== auth.user.id ? html`<li><form method="post" action="${path}/remove-password">${csrfField(token)}<button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" title="Retirer le mot de passe de ${label} : connexion unique seulement">Retirer le mot de passe</button></form></li>` : ''}
${localAccounts && !u.disabledAt && !isBound(u) ? html`<li><form method="post" action="${path}/invite">${csrfField(token)}<button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" title="Nouveau lien d’invitation pour ${label}">Nouveau lien d’invitation</button></form></li>` : ''}
</ul></div>`;
    };
    const body = html`<h1>Comptes</h1>
${done ? alert(done.kind, done.text) : ''}
${opts.notice ?? ''}
<div class="fr-table fr-table--no-caption"><table id="comptes"><caption>Comptes</caption><thead><tr><th scope="col">Adresse</th><th scope="col">Rôle</th><th scope="col">État</th><th scope="col">Dernière connexion</th><th scope="col">Sessions</th><th scope="col">Actions</th></tr></thead>
<tbody>${users.map((u) => html`<tr data-email="${u.email}"><td>${oneLine(u.email, SHOWN.address)}${u.email === auth.user.email ? html` <span class="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">vous</span>` : ''}</td>
<td>${ROLE_LABELS[u.role]}</td><td>${userState(u, now, tz)}${binding(u)}</td><td>${dateTime(u.lastLoginAt, tz)}</td><td>${sessions.get(u.id) ?? 0}</td><td>${actions(u)}</td></tr>`)}</tbody></table></div>
<h2>Ajouter un compte</h2>
${localAccounts ? html`<p>La personne reçoit de vous un lien d’invitation, valable ${INVITATION_HOURS} heures et utilisable une fois, où elle choisit son mot de passe.
Le lien ne s’affiche qu’une fois : transmettez-le à elle seule.</p>
<form method="post" action="${base}/admin/users" class="fr-mb-4w" id="ajouter">${csrfField(token)}
<div class="fr-grid-row fr-grid-row--gutters">
<div class="fr-col-12 fr-col-md-6"><div class="fr-input-group"><label class="fr-label" for="new-email">Adresse électronique</label>
<input class="fr-input" type="email" id="new-email" name="email" required maxlength="320" value="${opts.email ?? ''}"></div></div>
<div class="fr-col-12 fr-col-md-3"><div class="fr-select-group"><label class="fr-label" for="new-role">Rôle</label>
<select class="fr-select" id="new-role" name="role">${CONSOLE_ROLES.map((r) => html`<option value="${r}"${r === (opts.role ?? 'agent') ? html` selected` : ''}>${ROLE_LABELS[r]}</option>`)}</select></div></div>
</div>
<button class="fr-btn" type="submit">Ajouter et créer le lien d’invitation</button></form>`
    : html`<p>Les comptes locaux sont désactivés (<code>CONSOLE_LOCAL_ACCOUNTS=false</code>) : un compte est créé à la première connexion par le fournisseur d’identité, avec le rôle que celui-ci lui donne.</p>`}
<h2>Journal de la console</h2>
<p class="fr-text--sm">Les 100 dernières actions. Les décisions sont aussi dans l’historique de chaque demande ; les commandes <code>liquibot users</code> y sont au nom de <code>terminal:…</code>.</p>
<div class="fr-table fr-table--no-caption"><table><caption>Journal</caption><thead><tr><th scope="col">Date</th><th scope="col">Qui</th><th scope="col">Action</th><th scope="col">Sur</th><th scope="col">Adresse IP</th><th scope="col">Détail</th></tr></thead>
<tbody>${audit.map((a) => html`<tr><td class="console-nowrap">${dateTime(a.at, tz)}</td><td>${oneLine(a.actor, SHOWN.address)}</td><td>${a.action}</td>
<td>${oneLine(a.target, 200)}</td><td>${oneLine(a.ip, 60)}</td><td class="fr-text--sm">${oneLine(JSON.stringify(a.detail), 300)}</td></tr>`)}</tbody></table></div>`;
    return pageResponse({ base, title: 'Comptes', body, viewer: auth.viewer, current: 'users' }, opts.status ?? 200);
  }

  /** The link is in this page only (never in a URL or a log): shown once. */
  function invitationNotice(email: string, token: string): Html {
    const url = invitationUrl(deps.config, token);
    return html`<div class="fr-alert fr-alert--success fr-mb-3w" role="status" id="invitation"><h3 class="fr-alert__title">Lien d’invitation pour ${email}</h3>
<p>Valable ${INVITATION_HOURS} heures, utilisable une fois. Il ne sera plus affiché : copiez-le maintenant et transmettez-le à cette personne seule.</p>
<p><code class="console-invitation-link">${url}</code></p></div>`;
  }

  const by = (c: Context<ConsoleEnv>) => ({ actor: c.get('auth').actor, ip: c.get('client').ip, now: deps.now() });
  const str = (v: unknown) => (typeof v === 'string' ? v : '');

  async function target(c: Context<ConsoleEnv>): Promise<ConsoleUser | null> {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const [row] = await db.select().from(consoleUsers).where(eq(consoleUsers.id, id));
    return row ?? null;
  }
  const after = (change: AccountChange | 'revoked' | 'self', success: string) => seeOther(`${base}/admin/users?done=${change === 'done' ? success : change}`);

  app.get('/admin/users', (c) => render(c));

  app.post('/admin/users', async (c) => {
    const form = await c.req.parseBody();
    const email = str(form.email).trim().toLowerCase().slice(0, 320);
    const role = CONSOLE_ROLES.find((r) => r === str(form.role));
    if (!localAccounts) return render(c, { notice: alert('error', 'Les comptes locaux sont désactivés : les comptes sont créés à la première connexion par le fournisseur d’identité.'), status: 400 });
    if (!role) return render(c, { notice: alert('error', 'Choisissez le rôle : agent ou administrateur.'), email, status: 400 });
    if (!isEmailAddress(email)) return render(c, { notice: alert('error', 'Cette adresse électronique n’est pas valable.'), email, role, status: 400 });
    const added = await addAccount(db, { email, role, passwordHash: null }, by(c));
    if (!added.ok) return render(c, { notice: alert('error', `${email} a déjà un compte : rien n’a changé.`), email, role, status: 409 });
    return render(c, { notice: invitationNotice(email, added.invitationToken!) });
  });

  app.post('/admin/users/:id/role', async (c) => {
    const user = await target(c);
    const chosen = str((await c.req.parseBody()).role);
    const role = CONSOLE_ROLES.find((r) => r === chosen);
    if (!user) return after('not-found', '');
    if (!role) return render(c, { notice: alert('error', 'Choisissez le rôle : agent ou administrateur.'), status: 400 });
    return after(await changeAccountRole(db, user.id, role, by(c)), 'role');
  });

  for (const [action, disable] of [['disable', true], ['enable', false]] as const) {
    app.post(`/admin/users/:id/${action}`, async (c) => {
      const user = await target(c);
      if (!user) return after('not-found', '');
      return after(await setAccountDisabled(db, user.id, disable, by(c)), disable ? 'disabled' : 'enabled');
    });
  }

  app.post('/admin/users/:id/revoke', async (c) => {
    const user = await target(c);
    if (!user) return after('not-found', '');
    await revokeAccountSessions(db, user, by(c));
    return after('done', 'revoked');
  });

  app.post('/admin/users/:id/unbind', async (c) => {
    const user = await target(c);
    if (!user) return after('not-found', '');
    return after(await unbindAccount(db, user.id, by(c)), 'unbound');
  });

  app.post('/admin/users/:id/remove-password', async (c) => {
    const user = await target(c);
    if (!user) return after('not-found', '');
    // Only where single sign-on can open the account afterwards; never one's own (a lock-out by mistake).
    if (!sso) return render(c, { notice: alert('error', 'La connexion unique n’est pas configurée : le mot de passe reste le seul moyen de se connecter.'), status: 400 });
    if (user.id === c.get('auth').user.id) return after('self', '');
    return after(await removeAccountPassword(db, user.id, by(c)), 'password-removed');
  });

  app.post('/admin/users/:id/invite', async (c) => {
    const user = await target(c);
    if (!user) return after('not-found', '');
    if (!localAccounts || user.disabledAt) return render(c, { notice: alert('error', 'Pas d’invitation pour ce compte : il est désactivé, ou les comptes locaux le sont.'), status: 400 });
    const invited = await inviteAccount(db, user, by(c));
    if (!invited.ok) return render(c, { notice: alert('error', 'Ce compte est lié au fournisseur d’identité : détachez-le d’abord (« Détacher du fournisseur »), sinon le mot de passe choisi survivrait à son retrait chez le fournisseur.'), status: 409 });
    return render(c, { notice: invitationNotice(user.email, invited.token) });
  });
}
