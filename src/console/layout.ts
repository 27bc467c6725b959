import type { ConsoleRole } from '../db/vocabulary';
import { html, type Html } from './html';

/** Who is looking at a page, as the layout needs it. */
export interface Viewer {
  email: string;
  role: ConsoleRole;
  csrfToken: string;
}

export interface PageInput {
  base: string;
  title: string;
  body: Html;
  viewer: Viewer | null;
  /** The menu entry to mark as current. */
  current?: 'queue' | 'waiting' | 'search' | 'quarantine' | 'status' | 'stats' | 'users' | 'templates' | null;
}

const AGENT_MENU = [
  { key: 'queue', label: 'À valider', path: '' },
  { key: 'waiting', label: 'En attente d’une personne', path: '/waiting' },
  { key: 'search', label: 'Rechercher', path: '/search' },
] as const;

const ADMIN_MENU = [
  { key: 'quarantine', label: 'Quarantaine', path: '/admin/quarantine' },
  { key: 'status', label: 'État', path: '/admin/status' },
  { key: 'stats', label: 'Statistiques', path: '/admin/stats' },
  { key: 'templates', label: 'Modèles de mails', path: '/admin/templates' },
  { key: 'users', label: 'Comptes', path: '/admin/users' },
] as const;

/** The hidden field every state-changing form carries (the session's synchroniser token). */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/**
 * A whole page in the State's design system (DSFR, served by liquibot itself): header with the service
 * name and the menu of the viewer's role, the content, a footer; no inline script or style (the CSP forbids both).
 */
export function layout(p: PageInput): Html {
  const menu = p.viewer ? [...AGENT_MENU, ...(p.viewer.role === 'admin' ? ADMIN_MENU : [])] : [];
  const link = (m: (typeof menu)[number]) => html`<li class="fr-nav__item"><a class="fr-nav__link" href="${p.base}${m.path || '/'}"${
    p.current === m.key ? html` aria-current="page"` : ''}>${m.label}</a></li>`;
  return html`<html lang="fr" data-fr-scheme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${p.title} — liquibot</title>
<link rel="stylesheet" href="${p.base}/static/dsfr/dsfr.min.css">
<link rel="stylesheet" href="${p.base}/static/dsfr/utility/icons/icons.min.css">
<link rel="stylesheet" href="${p.base}/static/console.css">
</head>
<body>
<div class="fr-skiplinks"><nav class="fr-container" role="navigation" aria-label="Accès rapide"><ul class="fr-skiplinks__list"><li><a class="fr-link" href="#contenu">Contenu</a></li></ul></nav></div>
<header role="banner" class="fr-header">
<div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
<div class="fr-header__brand fr-enlarge-link">
<div class="fr-header__brand-top"><div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
${p.viewer ? html`<div class="fr-header__navbar"><button class="fr-btn--menu fr-btn" data-fr-opened="false" aria-controls="menu-modal" aria-haspopup="menu" id="menu-button" title="Menu">Menu</button></div>` : ''}</div>
<div class="fr-header__service"><a href="${p.base}/" title="Accueil — liquibot"><p class="fr-header__service-title">liquibot</p></a>
<p class="fr-header__service-tagline">Demandes des liquidateurs judiciaires</p></div>
</div>
${p.viewer ? html`<div class="fr-header__tools"><div class="fr-header__tools-links"><ul class="fr-btns-group">
<li><span class="fr-btn fr-icon-account-circle-line">${p.viewer.email} (${p.viewer.role === 'admin' ? 'administrateur' : 'agent'})</span></li>
<li><form method="post" action="${p.base}/logout">${csrfField(p.viewer.csrfToken)}<button type="submit" class="fr-btn fr-icon-logout-box-r-line">Se déconnecter</button></form></li>
</ul></div></div>` : ''}
</div></div></div>
${p.viewer ? html`<div class="fr-header__menu fr-modal" id="menu-modal" aria-labelledby="menu-button"><div class="fr-container">
<button class="fr-btn--close fr-btn" aria-controls="menu-modal" title="Fermer">Fermer</button>
<div class="fr-header__menu-links"></div>
<nav class="fr-nav" id="navigation" role="navigation" aria-label="Menu principal"><ul class="fr-nav__list">${menu.map(link)}</ul></nav></div></div>` : ''}
</header>
<main id="contenu" role="main" class="fr-container fr-py-4w" tabindex="-1">
${p.body}
</main>
<footer class="fr-footer" role="contentinfo"><div class="fr-container"><div class="fr-footer__body"><div class="fr-footer__brand"><p class="fr-logo">République<br>Française</p></div>
<div class="fr-footer__content"><p class="fr-footer__content-desc">liquibot — console des agents et des administrateurs. Les données des demandes sont confidentielles.</p></div></div></div></footer>
<script type="module" src="${p.base}/static/dsfr/dsfr.module.min.js"></script>
</body>
</html>`;
}

/** A DSFR alert. */
export function alert(kind: 'success' | 'error' | 'info' | 'warning', text: string, title?: string): Html {
  return html`<div class="fr-alert fr-alert--${kind} fr-alert--sm fr-mb-3w" role="${kind === 'error' ? 'alert' : 'status'}">${
    title ? html`<h3 class="fr-alert__title">${title}</h3>` : ''}<p>${text}</p></div>`;
}
