import { getDomain } from 'tldts';

/**
 * Warnings shown to the agents in an approval request: facts worth a second look, never a reason
 * to refuse on their own. Pure: no I/O, no clock.
 */
const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com',
  'yahoo.fr', 'yahoo.com', 'ymail.com', 'rocketmail.com',
  'hotmail.fr', 'hotmail.com', 'outlook.fr', 'outlook.com', 'live.fr', 'live.com', 'msn.com',
  'orange.fr', 'wanadoo.fr', 'free.fr', 'sfr.fr', 'neuf.fr', 'cegetel.net', 'club-internet.fr', 'aliceadsl.fr',
  'laposte.net', 'bbox.fr', 'numericable.fr',
  'icloud.com', 'me.com', 'mac.com',
  'gmx.fr', 'gmx.com', 'gmx.de', 'gmx.net', 'web.de',
  'protonmail.com', 'protonmail.ch', 'proton.me', 'pm.me', 'tutanota.com',
  'aol.com', 'aol.fr', 'mail.com', 'zoho.com', 'ya.ru',
]);

/**
 * True when the address (or bare domain) is on a common free-mail provider, French ones included
 * (gmail.com, orange.fr, wanadoo.fr, free.fr, laposte.net, …; any yandex.*). A liquidator normally
 * writes from their firm's domain. The domain is the part after the last `@`; case is ignored.
 */
export function isFreeMailDomain(address: string): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase().replace(/\.$/, '');
  return FREE_MAIL_DOMAINS.has(domain) || /^yandex\.[a-z]{2,6}$/.test(domain);
}

/** The domain of an address, lower case, without a trailing dot. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase().replace(/\.$/, '');
}

/**
 * The registrable domain of an address (`paris.mj-dupont.fr` → `mj-dupont.fr`, by the public suffix
 * list), or its whole domain when it has none (an IP, a local name).
 */
export function organisationDomainOf(address: string): string {
  const domain = domainOf(address);
  return getDomain(domain, { allowPrivateDomains: true }) ?? domain;
}
