import { AppError } from '../errors';
/**
 * Who may approve or refuse a request: the AGENT_SENDERS list, addresses and whole domains, compared
 * as mailboxes (parsers/mailbox.ts): case, subaddresses, quoting, IDN forms and the root dot do not matter.
 */
import { isPlausibleEmail } from '../../parsers/email-address';
import type { SenderAddress } from '../../parsers/inbound-mail';
import { canonicalMailbox, domainOfMailbox, type MailboxOptions } from '../../parsers/mailbox';

export interface AllowList {
  /** Exact addresses, canonical (parsers/mailbox.ts). */
  readonly addresses: ReadonlySet<string>;
  /** Domains allowed as a whole (`@example.fr` → `example.fr`), canonical (lower case, punycode). */
  readonly domains: ReadonlySet<string>;
  /** How senders are made canonical before they are looked up (the subaddress separators). */
  readonly mailbox: MailboxOptions;
}

/**
 * Parses an allow-list such as `"agent1@gip-mds.fr, @support.gip-mds.fr; agent2@gip-mds.fr"`:
 * entries separated by commas, semicolons or whitespace, each an address or `@domain`, kept in their
 * canonical form (so `Agent1+x@GIP-MDS.fr` allows agent1@gip-mds.fr, and an IDN domain may be written
 * either way). Undefined or blank gives an empty list (nobody is allowed).
 * Throws an Error naming the first entry that is neither a plausible address nor `@domain`.
 */
export function parseAllowList(raw: string | undefined, mailbox: MailboxOptions = {}): AllowList {
  const addresses = new Set<string>();
  const domains = new Set<string>();
  for (const entry of (raw ?? '').split(/[\s,;]+/).filter(Boolean)) {
    // `*@x.fr` is a legal address but surely meant as a wildcard: say how to write that
    if (entry.includes('*')) throw new AppError('CONFIG_INVALID', `entry "${entry}": no wildcards; write @domain to allow a whole domain`);
    if (entry.startsWith('@')) {
      // a domain is valid when an address on it would be
      const canonical = canonicalMailbox(`agent${entry}`, mailbox);
      if (!canonical || !isPlausibleEmail(canonical)) throw new AppError('CONFIG_INVALID', `entry "${entry}" is not a valid @domain`);
      domains.add(domainOfMailbox(canonical));
    } else {
      const canonical = canonicalMailbox(entry, mailbox);
      if (!canonical || !isPlausibleEmail(canonical)) throw new AppError('CONFIG_INVALID', `entry "${entry}" is neither an e-mail address nor an @domain`);
      addresses.add(canonical);
    }
  }
  return { addresses, domains, mailbox };
}

/**
 * True when the sender is one clean mailbox (parsers/mailbox.ts, canonicalMailbox) that is listed, or
 * whose domain is listed exactly: `@example.fr` allows `x@example.fr`, not `x@sub.example.fr` nor
 * `x@evil-example.fr`. Never for a From that is ambiguous (several mailboxes, a group, an address the
 * parsers read differently: see SenderAddress), nor for anything that is not one addr-spec
 * (`evil@evil.fr,paul@example.fr`, `"x@example.fr"@evil.com`, a display name, a comment…).
 */
export function isAllowedAgent(sender: string | Pick<SenderAddress, 'address' | 'ambiguous'>, list: AllowList): boolean {
  if (typeof sender !== 'string' && sender.ambiguous) return false;
  const canonical = canonicalMailbox(typeof sender === 'string' ? sender : sender.address, list.mailbox);
  if (!canonical) return false;
  return list.addresses.has(canonical) || list.domains.has(domainOfMailbox(canonical));
}
