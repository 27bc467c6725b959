import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import * as client from 'openid-client';
import type { Config } from '../config';
import { recordAudit } from '../db/console-queries';
import { errorFields } from '../log';
import { safeNext } from './auth-routes';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { cookieHeader } from './cookies';
import { html } from './html';
import { alert } from './layout';
import type { OidcAccountRefusal, OidcSubject } from './oidc-account';
import { identityFromClaims, oidcEnabled, roleMappingOf, type OidcRefusal } from './oidc-claims';
import { openSession, secureFor } from './open-session';
import { pageResponse, seeOther } from './responses';
import { randomToken } from './secrets';
import { consoleBaseUrl, oidcAccount } from './user-accounts';

/**
 * Single sign-on with OpenID Connect (openid-client): the authorization code flow with PKCE (S256),
 * state and nonce. `GET /oidc/login` sends the browser to the provider; `GET /oidc/callback` takes the
 * code back, checks state, nonce, the ID token and PKCE (openid-client), reads the address (it must
 * be verified) and the role claim, and opens a console session for the account bound to the ID token's
 * (iss, sub) — bound at the first sign-in, by address, when nobody owns that account yet
 * (src/console/oidc-account.ts); its role follows the claim at each sign-in.
 *
 * Nothing is kept on the server between the two requests: the browser holds a random 256-bit value in
 * an HttpOnly cookie (`Path=/console/oidc`, 10 minutes), from which state, nonce and the PKCE verifier
 * are derived by hashing (each under its own label). The provider sees the state and the challenge,
 * never the cookie; a callback in another browser (login CSRF) or a stolen code without the cookie
 * fails. So several instances behind one address need no shared store for it.
 */

export const OIDC_COOKIE = 'liquibot_console_oidc';
const OIDC_COOKIE_SECONDS = 600;
const DISCOVERY_TIMEOUT_SECONDS = 10;

/** The redirect URI registered at the provider. */
export function oidcRedirectUrl(config: Config): string {
  return config.CONSOLE_OIDC_REDIRECT_URL ?? `${consoleBaseUrl(config)}/oidc/callback`;
}

/** state, nonce and the PKCE verifier of one sign-in, from the cookie's random value (43 base64url characters each). */
export function flowSecrets(seed: string): { state: string; nonce: string; verifier: string } {
  const derive = (label: string) => createHash('sha256').update(`liquibot-oidc-${label}:${seed}`).digest('base64url');
  return { state: derive('state'), nonce: derive('nonce'), verifier: derive('pkce') };
}

/** The cookie's value: the seed, and where to go after the sign-in (base64url), joined by a dot. */
function readFlowCookie(header: string | undefined): { seed: string; next: string } | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== OIDC_COOKIE) continue;
    const m = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{0,2800})$/.exec(part.slice(eq + 1).trim());
    return m ? { seed: m[1]!, next: Buffer.from(m[2]!, 'base64url').toString('utf8') } : null;
  }
  return null;
}

/** What the person reads when a sign-in is refused (French), by reason. */
const REFUSALS: Record<OidcRefusal | OidcAccountRefusal | 'EXPIRED' | 'PROVIDER' | 'UNAVAILABLE', string> = {
  NO_ROLE: 'Votre compte n’a pas accès à la console : le fournisseur d’identité ne vous attribue ni le rôle d’agent ni celui d’administrateur. '
    + 'Demandez-le à l’administrateur de votre organisation.',
  NO_EMAIL: 'Le fournisseur d’identité n’a pas transmis votre adresse électronique : la console ne peut pas retrouver votre compte. '
    + 'Signalez-le à l’administrateur de votre organisation.',
  EMAIL_UNVERIFIED: 'Le fournisseur d’identité n’indique pas que votre adresse électronique est vérifiée : la connexion est refusée. '
    + 'Signalez-le à l’administrateur de votre organisation.',
  DISABLED: 'Ce compte est désactivé dans la console. Adressez-vous à un administrateur de liquibot.',
  LOCAL_ACCOUNT: 'Un compte local, avec mot de passe, existe déjà à cette adresse dans la console : la connexion unique ne le reprend pas d’elle-même. '
    + 'Demandez à un administrateur de liquibot de le faire passer à la connexion unique (ou connectez-vous avec votre mot de passe, si la page de connexion le propose).',
  SUBJECT_MISMATCH: 'Le compte de la console à cette adresse est lié à une autre identité chez le fournisseur d’identité : la connexion est refusée. '
    + 'Si c’est bien votre compte, demandez à un administrateur de liquibot de le détacher de l’ancienne identité.',
  EMAIL_TAKEN: 'Votre adresse électronique a changé chez le fournisseur d’identité, et un autre compte de la console porte déjà la nouvelle adresse : '
    + 'la connexion est refusée. Demandez à un administrateur de liquibot de régler ce doublon.',
  EXPIRED: 'La connexion a expiré ou a été commencée dans un autre navigateur. Recommencez depuis la page de connexion.',
  PROVIDER: 'La connexion par le fournisseur d’identité a échoué ou a été annulée. Recommencez depuis la page de connexion.',
  UNAVAILABLE: 'Le fournisseur d’identité ne répond pas. Réessayez dans quelques minutes.',
};

export function registerOidcRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base, config } = deps;
  if (!oidcEnabled(config)) return;
  const db = deps.database.db;
  const mapping = roleMappingOf(config);
  const redirectUrl = oidcRedirectUrl(config);
  const issuer = new URL(config.CONSOLE_OIDC_ISSUER!);

  // Discovered once, on first use (a provider down at start-up does not stop the daemon); a failure is retried next time.
  let discovered: Promise<client.Configuration> | null = null;
  function provider(): Promise<client.Configuration> {
    discovered ??= client.discovery(
      issuer, config.CONSOLE_OIDC_CLIENT_ID!, undefined,
      config.CONSOLE_OIDC_CLIENT_SECRET ? client.ClientSecretBasic(config.CONSOLE_OIDC_CLIENT_SECRET) : client.None(),
      // http is accepted by the configuration only on a loopback address.
      { timeout: DISCOVERY_TIMEOUT_SECONDS, ...(issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}) },
    ).catch((err: unknown) => {
      discovered = null;
      throw err;
    });
    return discovered;
  }

  function refused(c: Context<ConsoleEnv>, reason: keyof typeof REFUSALS, status: number): Response {
    const body = html`<div class="fr-grid-row fr-grid-row--center"><div class="fr-col-12 fr-col-md-8">
<h1>Connexion impossible</h1>
${alert('error', REFUSALS[reason])}
<p><a class="fr-link" href="${base}/login">Retour à la page de connexion</a></p></div></div>`;
    return pageResponse({ base, title: 'Connexion impossible', body, viewer: null }, status, {
      // The sign-in is over either way: its cookie goes.
      'set-cookie': cookieHeader(OIDC_COOKIE, '', { path: `${base}/oidc`, secure: secureFor(deps, c), maxAge: 0 }),
    });
  }

  app.get('/oidc/login', async (c) => {
    let cfg: client.Configuration;
    try {
      cfg = await provider();
    } catch (err) {
      deps.log.error({ ...errorFields(err), step: 'discovery' }, 'oidc provider unavailable');
      return refused(c, 'UNAVAILABLE', 502);
    }
    const seed = randomToken();
    const { state, nonce, verifier } = flowSecrets(seed);
    const next = safeNext(base, c.req.query('next'));
    const target = client.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUrl, scope: config.CONSOLE_OIDC_SCOPES, response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce,
    });
    return seeOther(target.href, {
      'set-cookie': cookieHeader(OIDC_COOKIE, `${seed}.${Buffer.from(next, 'utf8').toString('base64url')}`, {
        path: `${base}/oidc`, secure: secureFor(deps, c), maxAge: OIDC_COOKIE_SECONDS,
      }),
    });
  });

  app.get('/oidc/callback', async (c) => {
    const ip = c.get('client').ip;
    const flow = readFlowCookie(c.req.header('cookie'));
    if (!flow) return refused(c, 'EXPIRED', 400);
    const { state, nonce, verifier } = flowSecrets(flow.seed);
    const now = deps.now();
    const fail = async (reason: keyof typeof REFUSALS, status: number, email: string | null) => {
      await recordAudit(db, { at: now, actor: email ?? 'oidc', action: 'login_failed', target: email, ip, detail: { method: 'oidc', reason } });
      return refused(c, reason, status);
    };

    let claims: Record<string, unknown>;
    let subject: OidcSubject;
    try {
      const cfg = await provider();
      // The URL the provider sent the browser to: the registered redirect URI with the response's parameters.
      const current = new URL(redirectUrl);
      current.search = new URL(c.req.url).search;
      const tokens = await client.authorizationCodeGrant(cfg, current, {
        pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      // Checked by openid-client: `iss` is the discovered issuer, `sub` present. The account belongs to them.
      subject = { issuer: idClaims.iss, subject: idClaims.sub };
      // Claims asked for by scope often come from UserInfo only; the ID token's (signed) win where both say something.
      const userinfo = cfg.serverMetadata().userinfo_endpoint && tokens.access_token
        ? await client.fetchUserInfo(cfg, tokens.access_token, idClaims.sub) : {};
      claims = { ...userinfo, ...idClaims };
    } catch (err) {
      deps.log.warn({ ...errorFields(err), step: 'callback' }, 'oidc sign-in failed');
      return fail('PROVIDER', 400, null);
    }

    const identity = identityFromClaims(claims, mapping);
    if (!identity.ok) return fail(identity.reason, 403, identity.email);
    const actor = `console:${identity.email}`;
    const account = await oidcAccount(db, { ...subject, email: identity.email, role: identity.role }, { actor, ip, now });
    if (!account.ok) return fail(account.reason, 403, identity.email);
    return openSession(deps, c, account.user, 'oidc', safeNext(base, flow.next));
  });
}
