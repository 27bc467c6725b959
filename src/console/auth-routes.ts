import type { Context, Hono, MiddlewareHandler } from 'hono';
import {
  deleteSession, findSession, findUserByEmail, findUserByInvitation, recentLoginFailures, recordAudit, setPasswordByInvitation, touchSession,
} from '../db/console-queries';
import { errorFields } from '../log';
import type { Auth, ConsoleDeps, ConsoleEnv } from './console-deps';
import { cookieHeader, LOGIN_COOKIE, readCookie, SESSION_COOKIE } from './cookies';
import { html } from './html';
import { alert, csrfField } from './layout';
import { oidcEnabled } from './oidc-claims';
import { openSession, secureFor } from './open-session';
import { messageBody, pageResponse, seeOther } from './responses';
import { hashPassword, passwordProblem, randomToken, sameSecret, sha256Hex, verifyPassword } from './secrets';
import { LOGIN_WINDOW_MS, loginThrottled, needsTouch, sessionState } from './session-rules';

/** Login, logout, invitations, and the middlewares that let a request in: session, CSRF token, role. */

const MAX_EMAIL = 320;
const LOGIN_COOKIE_SECONDS = 3600;

/** Messages the login page shows after a redirect (by key: nothing from the query string is echoed). */
const LOGIN_NOTES: Record<string, { kind: 'info' | 'success' | 'warning'; text: string }> = {
  expired: { kind: 'warning', text: 'Votre session a expiré. Reconnectez-vous.' },
  'logged-out': { kind: 'success', text: 'Vous êtes déconnecté(e).' },
  'password-set': { kind: 'success', text: 'Votre mot de passe est enregistré. Vous pouvez vous connecter.' },
};

const LOCAL_OFF = 'La connexion par mot de passe est désactivée sur ce service : connectez-vous avec le bouton de la page de connexion.';

/** A console path to go back to after login; anything else (another site, `//host`, a backslash) is the queue. */
export function safeNext(base: string, next: string | undefined): string {
  if (!next || next.length > 1000 || /[\\\s]/.test(next) || next.includes('//')) return `${base}/`;
  return next === base || next.startsWith(`${base}/`) ? next : `${base}/`;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function registerAuthRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base } = deps;
  const db = deps.database.db;
  const local = deps.config.CONSOLE_LOCAL_ACCOUNTS;
  const sso = oidcEnabled(deps.config);

  function loginPage(c: Context<ConsoleEnv>, opts: { error?: string; note?: string; email?: string; next?: string; status?: number }): Response {
    const pre = randomToken();
    const note = opts.note ? LOGIN_NOTES[opts.note] : undefined;
    const body = html`<div class="fr-grid-row fr-grid-row--center"><div class="fr-col-12 fr-col-md-6">
<h1>Connexion</h1>
${note ? alert(note.kind, note.text) : ''}
${opts.error ? alert('error', opts.error) : ''}
${sso ? html`<p class="fr-mb-4w"><a class="fr-btn fr-icon-account-circle-line fr-btn--icon-left" id="sso" href="${base}/oidc/login?next=${encodeURIComponent(safeNext(base, opts.next))}">Se connecter avec ${deps.config.CONSOLE_OIDC_LABEL}</a></p>` : ''}
${local ? html`${sso ? html`<h2 class="fr-h5">Ou avec un compte local</h2>` : ''}<form method="post" action="${base}/login">
<input type="hidden" name="_csrf" value="${pre}">
<input type="hidden" name="next" value="${safeNext(base, opts.next)}">
<div class="fr-input-group"><label class="fr-label" for="email">Adresse électronique</label>
<input class="fr-input" type="email" id="email" name="email" autocomplete="username" required maxlength="${MAX_EMAIL}" value="${opts.email ?? ''}"></div>
<div class="fr-input-group"><label class="fr-label" for="password">Mot de passe</label>
<input class="fr-input" type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024"></div>
<button class="fr-btn" type="submit">Se connecter</button>
</form>` : ''}</div></div>`;
    return pageResponse({ base, title: 'Connexion', body, viewer: null }, opts.status ?? 200, {
      'set-cookie': cookieHeader(LOGIN_COOKIE, pre, { path: base, secure: secureFor(deps, c), maxAge: LOGIN_COOKIE_SECONDS }),
    });
  }

  /** The login and invitation forms carry the token of their cookie (double submit), and come from our own pages. */
  function preLoginTokenOk(c: Context<ConsoleEnv>, form: Record<string, unknown>): boolean {
    if (c.req.header('sec-fetch-site') === 'cross-site') return false;
    const cookie = readCookie(c.req.header('cookie'), LOGIN_COOKIE);
    return cookie !== null && sameSecret(cookie, str(form._csrf));
  }

  app.get('/login', async (c) => loginPage(c, { note: c.req.query('note'), next: c.req.query('next') }));

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = str(form.next);
    if (!local) return loginPage(c, { error: LOCAL_OFF, next, status: 403 });
    if (!preLoginTokenOk(c, form)) {
      return loginPage(c, { error: 'Le formulaire a expiré. Saisissez à nouveau vos identifiants.', next, status: 403 });
    }
    const email = str(form.email).trim().toLowerCase().slice(0, MAX_EMAIL);
    const password = str(form.password);
    const now = deps.now();
    const ip = c.get('client').ip;
    const failures = await recentLoginFailures(db, { email, ip, since: new Date(now.getTime() - LOGIN_WINDOW_MS) });
    const throttled = loginThrottled(failures, { perAccount: deps.config.CONSOLE_LOGIN_MAX_FAILURES, perIp: deps.config.CONSOLE_LOGIN_MAX_FAILURES_PER_IP });
    if (throttled) {
      await recordAudit(db, { at: now, actor: email, action: 'login_throttled', target: email, ip, detail: { by: throttled } });
      return loginPage(c, { error: 'Trop de tentatives de connexion. Réessayez dans quelques minutes.', email, next, status: 429 });
    }
    const user = email ? await findUserByEmail(db, email) : null;
    const ok = await verifyPassword(user && !user.disabledAt ? user.passwordHash : null, password);
    if (!user || user.disabledAt || !ok) {
      await recordAudit(db, { at: now, actor: email, action: 'login_failed', target: email, ip, detail: {} });
      return loginPage(c, { error: 'Adresse électronique ou mot de passe incorrect.', email, next, status: 401 });
    }
    return openSession(deps, c, user, 'password', safeNext(base, next));
  });

  // The token travels in the query string and the form, never in the path: the HTTP server's debug log writes paths.
  app.get('/invitation', async (c) => invitationPage(c, (c.req.query('token') ?? '').slice(0, 100), {}));

  async function invitationPage(c: Context<ConsoleEnv>, token: string, opts: { error?: string; status?: number }): Promise<Response> {
    if (!local) return pageResponse({ base, title: 'Invitation', viewer: null, body: messageBody('Invitation', LOCAL_OFF) }, 404);
    const user = await findUserByInvitation(db, sha256Hex(token));
    if (!user || user.disabledAt || !user.invitationExpiresAt || user.invitationExpiresAt.getTime() <= deps.now().getTime()) {
      return pageResponse({ base, title: 'Invitation', viewer: null, body: messageBody('Invitation', 'Cette invitation n’est pas valable ou a expiré. Demandez-en une nouvelle à un administrateur.') }, 404);
    }
    const pre = randomToken();
    const body = html`<div class="fr-grid-row fr-grid-row--center"><div class="fr-col-12 fr-col-md-6">
<h1>Choisir votre mot de passe</h1>
<p>Compte : <strong>${user.email}</strong> (${user.role === 'admin' ? 'administrateur' : 'agent'})</p>
${opts.error ? alert('error', opts.error) : ''}
<form method="post" action="${base}/invitation">
<input type="hidden" name="_csrf" value="${pre}">
<input type="hidden" name="token" value="${token}">
<div class="fr-input-group"><label class="fr-label" for="password">Mot de passe <span class="fr-hint-text">12 caractères au moins</span></label>
<input class="fr-input" type="password" id="password" name="password" autocomplete="new-password" required minlength="12" maxlength="256"></div>
<div class="fr-input-group"><label class="fr-label" for="confirm">Confirmation du mot de passe</label>
<input class="fr-input" type="password" id="confirm" name="confirm" autocomplete="new-password" required minlength="12" maxlength="256"></div>
<button class="fr-btn" type="submit">Enregistrer</button>
</form></div></div>`;
    return pageResponse({ base, title: 'Invitation', body, viewer: null }, opts.status ?? 200, {
      'set-cookie': cookieHeader(LOGIN_COOKIE, pre, { path: base, secure: secureFor(deps, c), maxAge: LOGIN_COOKIE_SECONDS }),
    });
  }

  app.post('/invitation', async (c) => {
    const form = await c.req.parseBody();
    const token = str(form.token).slice(0, 100);
    if (!local) return invitationPage(c, token, {});
    if (!preLoginTokenOk(c, form)) return invitationPage(c, token, { error: 'Le formulaire a expiré. Recommencez.', status: 403 });
    const tokenHash = sha256Hex(token);
    const user = await findUserByInvitation(db, tokenHash);
    const now = deps.now();
    if (!user || user.disabledAt || !user.invitationExpiresAt || user.invitationExpiresAt.getTime() <= now.getTime()) {
      return invitationPage(c, token, {});
    }
    const password = str(form.password);
    if (password !== str(form.confirm)) return invitationPage(c, token, { error: 'Les deux mots de passe diffèrent.', status: 400 });
    const problem = passwordProblem(password, user.email);
    if (problem) return invitationPage(c, token, { error: problem, status: 400 });
    // Set only if the invitation still holds once the (slow) hash is done: see setPasswordByInvitation.
    if (!(await setPasswordByInvitation(db, user.id, tokenHash, await hashPassword(password), now))) return invitationPage(c, token, {});
    await recordAudit(db, { at: now, actor: `console:${user.email}`, action: 'password_set', target: user.email, ip: c.get('client').ip, detail: { by: 'invitation' } });
    return seeOther(`${base}/login?note=password-set`);
  });

  app.post('/logout', async (c) => {
    const auth = c.get('auth');
    await deleteSession(db, auth.tokenHash);
    await recordAudit(db, { at: deps.now(), actor: auth.actor, action: 'logout', target: auth.user.email, ip: c.get('client').ip });
    return seeOther(`${base}/login?note=logged-out`, { 'set-cookie': cookieHeader(SESSION_COOKIE, 'x'.repeat(16), { path: base, secure: secureFor(deps, c), maxAge: 0 }) });
  });
}

/**
 * Lets in a request with a live session: the cookie's token names a session that is neither idle nor
 * past its absolute end, of an account that is not disabled. Otherwise: to the login page (GET), 401.
 */
export function requireSession(deps: ConsoleDeps): MiddlewareHandler<ConsoleEnv> {
  const db = deps.database.db;
  return async (c, next) => {
    const token = readCookie(c.req.header('cookie'), SESSION_COOKIE);
    const tokenHash = token ? sha256Hex(token) : null;
    const found = tokenHash ? await findSession(db, tokenHash) : null;
    const now = deps.now();
    const state = found ? sessionState(found.session, now, deps.config.CONSOLE_SESSION_IDLE_MINUTES * 60_000) : null;
    if (!found || !tokenHash || state !== 'valid' || found.user.disabledAt) {
      if (found && tokenHash) await deleteSession(db, tokenHash);
      const note = found ? 'note=expired&' : '';
      const url = new URL(c.req.url);
      const target = `${deps.base}/login?${note}next=${encodeURIComponent(c.req.method === 'GET' ? url.pathname + url.search : `${deps.base}/`)}`;
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return seeOther(target);
      return pageResponse({ base: deps.base, title: 'Session expirée', viewer: null, body: messageBody('Session expirée', 'Votre session a expiré : reconnectez-vous, puis recommencez.') }, 401);
    }
    if (needsTouch(found.session, now)) {
      await touchSession(db, tokenHash, now).catch((err) => deps.log.warn(errorFields(err), 'console session not refreshed'));
    }
    const auth: Auth = {
      user: found.user, session: found.session, tokenHash, actor: `console:${found.user.email}`,
      viewer: { email: found.user.email, role: found.user.role, csrfToken: found.session.csrfToken },
    };
    c.set('auth', auth);
    await next();
  };
}

/**
 * Every state-changing request carries the session's synchroniser token (the `_csrf` field of its form,
 * or an X-CSRF-Token header) and does not come from another site (Sec-Fetch-Site). Otherwise 403,
 * logged in the audit log.
 */
export function requireCsrf(deps: ConsoleDeps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const auth = c.get('auth');
    const form = (c.req.header('content-type') ?? '').includes('form') ? await c.req.parseBody() : {};
    const sent = str(form._csrf) || (c.req.header('x-csrf-token') ?? '');
    if (c.req.header('sec-fetch-site') === 'cross-site' || !sameSecret(sent, auth.session.csrfToken)) {
      await recordAudit(deps.database.db, {
        at: deps.now(), actor: auth.actor, action: 'forbidden', target: new URL(c.req.url).pathname, ip: c.get('client').ip, detail: { reason: 'csrf' },
      });
      return pageResponse({
        base: deps.base, title: 'Requête refusée', viewer: auth.viewer,
        body: messageBody('Requête refusée', 'Le jeton de sécurité du formulaire est absent ou invalide : rechargez la page, puis recommencez.'),
      }, 403);
    }
    return next();
  };
}

/** Admin pages and actions: an agent gets 403 (and the attempt is in the audit log). */
export function requireAdmin(deps: ConsoleDeps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    if (auth.user.role !== 'admin') {
      await recordAudit(deps.database.db, {
        at: deps.now(), actor: auth.actor, action: 'forbidden', target: new URL(c.req.url).pathname, ip: c.get('client').ip, detail: { reason: 'role' },
      });
      return pageResponse({ base: deps.base, title: 'Accès refusé', viewer: auth.viewer, body: messageBody('Accès refusé', 'Cette page est réservée aux administrateurs.') }, 403);
    }
    return next();
  };
}
