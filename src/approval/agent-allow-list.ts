import { AppError } from '../errors';
/**
 * Who may approve or refuse a request: the AGENT_SENDERS list, addresses and whole domains.
 */
import { isPlausibleEmail } from '../../parsers/email-address';

export interface AllowList {
  /** Exact addresses, lower-cased. */
  readonly addresses: ReadonlySet<string>;
  /** Domains allowed as a whole (`@example.fr` → `example.fr`), lower-cased. */
  readonly domains: ReadonlySet<string>;
}

/**
 * Parses an allow-list such as `"agent1@gip-mds.fr, @support.gip-mds.fr; agent2@gip-mds.fr"`:
 * entries separated by commas, semicolons or whitespace, each an address or `@domain`, case ignored.
 * Undefined or blank gives an empty list (nobody is allowed).
 * Throws an Error naming the first entry that is neither a plausible address nor `@domain`.
 */
export function parseAllowList(raw: string | undefined): AllowList {
  const addresses = new Set<string>();
  const domains = new Set<string>();
  for (const entry of (raw ?? '').split(/[\s,;]+/).filter(Boolean)) {
    const value = entry.toLowerCase();
    // `*@x.fr` is a legal address but surely meant as a wildcard: say how to write that
    if (value.includes('*')) throw new AppError('CONFIG_INVALID', `entry "${entry}": no wildcards; write @domain to allow a whole domain`);
    if (value.startsWith('@')) {
      // a domain is valid when an address on it would be
      if (!isPlausibleEmail(`agent${value}`)) throw new AppError('CONFIG_INVALID', `entry "${entry}" is not a valid @domain`);
      domains.add(value.slice(1));
    } else {
      if (!isPlausibleEmail(value)) throw new AppError('CONFIG_INVALID', `entry "${entry}" is neither an e-mail address nor an @domain`);
      addresses.add(value);
    }
  }
  return { addresses, domains };
}

/**
 * True when the sender is listed by address, or its domain (the part after the LAST `@`) is listed
 * exactly: `@example.fr` allows `x@example.fr`, not `x@sub.example.fr` nor `x@evil-example.fr`.
 * Case and surrounding whitespace are ignored; anything without an `@` is refused.
 */
export function isAllowedAgent(sender: string, list: AllowList): boolean {
  const address = sender.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return false;
  return list.addresses.has(address) || list.domains.has(address.slice(at + 1));
}
