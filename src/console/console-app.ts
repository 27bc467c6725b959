import { Hono } from 'hono';
import { errorFields } from '../log';
import { registerQuarantinePages } from './admin-quarantine';
import { registerStatsPages } from './admin-stats';
import { registerStatusPages } from './admin-status';
import { registerUserPages } from './admin-users';
import { registerAuthRoutes, requireAdmin, requireCsrf, requireSession } from './auth-routes';
import { clientView } from './client-address';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { registerDocumentRoute } from './document-route';
import { registerListPages } from './list-pages';
import { registerOidcRoutes } from './oidc';
import { messageBody, pageResponse, SECURITY_HEADERS } from './responses';
import { registerStaticFiles } from './static-files';
import { registerTemplateEditor } from './template-editor';
import { registerMarkHandledRoute } from './ticket-handled';
import { registerTicketPage } from './ticket-page';

/**
 * The web console as a Hono application under `deps.base`. Everything needs a live session except the
 * login and invitation pages and the static files; every state change needs the session's CSRF token;
 * `/admin/…` needs the admin role. Every response carries the security headers (CSP without inline
 * script or style, no framing, no referrer).
 */
export function createConsoleApp(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const { base } = deps;
  const app = new Hono<ConsoleEnv>({ strict: false }).basePath(base);
  const isPublic = (path: string) => path === `${base}/login` || path === `${base}/invitation` || path.startsWith(`${base}/static/`)
    || path === `${base}/oidc/login` || path === `${base}/oidc/callback`;
  const session = requireSession(deps);
  const csrf = requireCsrf(deps);
  const admin = requireAdmin(deps);

  app.use('*', async (c, next) => {
    c.set('client', clientView(c.env.remoteAddress, c.req.header(), deps.proxies));
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!c.res.headers.has(name)) c.res.headers.set(name, value);
    }
  });
  app.use('*', async (c, next) => (isPublic(c.req.path) ? next() : session(c, next)));
  app.use('*', async (c, next) => (isPublic(c.req.path) ? next() : csrf(c, next)));
  app.use('/admin/*', admin);
  app.use('/admin', admin);

  registerStaticFiles(app, base);
  registerAuthRoutes(app, deps);
  registerOidcRoutes(app, deps);
  registerListPages(app, deps);
  registerTicketPage(app, deps);
  registerMarkHandledRoute(app, deps);
  registerDocumentRoute(app, deps);
  registerQuarantinePages(app, deps);
  registerStatusPages(app, deps);
  registerUserPages(app, deps);
  registerStatsPages(app, deps);
  registerTemplateEditor(app, deps);
  app.get('/admin', () => new Response(null, { status: 303, headers: { location: `${base}/admin/status` } }));

  app.notFound((c) => pageResponse({
    base, title: 'Page introuvable', viewer: isPublic(c.req.path) ? null : c.get('auth')?.viewer ?? null,
    body: messageBody('Page introuvable', 'Cette page n’existe pas.'),
  }, 404));
  app.onError((err, c) => {
    deps.log.error({ ...errorFields(err), path: c.req.path }, 'console request failed');
    return pageResponse({ base, title: 'Erreur', viewer: null, body: messageBody('Erreur', 'Une erreur est survenue ; elle est consignée dans le journal du service.') }, 500);
  });
  return app;
}
