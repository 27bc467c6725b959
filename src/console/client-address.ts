import { BlockList, isIP } from 'node:net';

/**
 * Who is asking, and over what: the client's address and whether it came over TLS, trusting the
 * X-Forwarded-For / X-Forwarded-Proto headers only when the connection comes from a configured reverse
 * proxy (CONSOLE_TRUSTED_PROXIES). From anyone else those headers are ignored: a client could write any
 * address there (and escape the per-address login limit) or claim TLS.
 */

/** `::ffff:10.0.0.1` is 10.0.0.1. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped ? mapped[1]! : a;
}

/** One entry of CONSOLE_TRUSTED_PROXIES: an IPv4 or IPv6 address, or a CIDR block. Null when it is neither. */
function parseEntry(entry: string): { address: string; prefix: number | null; family: 'ipv4' | 'ipv6' } | null {
  const [addressPart, prefixPart, ...rest] = entry.split('/');
  if (rest.length > 0 || !addressPart) return null;
  const address = normalizeAddress(addressPart);
  const version = isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixPart === undefined) return { address, prefix: null, family };
  if (!/^\d{1,3}$/.test(prefixPart)) return null;
  const prefix = Number(prefixPart);
  if (prefix > (version === 4 ? 32 : 128)) return null;
  return { address, prefix, family };
}

/** The entries of a CONSOLE_TRUSTED_PROXIES value that are not an address or a CIDR block (for the configuration's error). */
export function invalidProxyEntries(value: string): string[] {
  return splitList(value).filter((e) => parseEntry(e) === null);
}

const splitList = (value: string) => value.split(/[\s,;]+/).filter(Boolean);

export interface TrustedProxies {
  has(address: string): boolean;
}

/** The set of trusted proxies of a CONSOLE_TRUSTED_PROXIES value (invalid entries are the configuration's to refuse). */
export function trustedProxies(value: string | undefined): TrustedProxies {
  const list = new BlockList();
  let empty = true;
  for (const entry of splitList(value ?? '')) {
    const parsed = parseEntry(entry);
    if (!parsed) continue;
    empty = false;
    if (parsed.prefix === null) list.addAddress(parsed.address, parsed.family);
    else list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return {
    has(address) {
      if (empty) return false;
      const a = normalizeAddress(address);
      const version = isIP(a);
      return version !== 0 && list.check(a, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

export interface ClientView {
  /** The client's address as best known (the proxy's own when none is trusted), or null. */
  ip: string | null;
  /** Whether the client's connection was TLS (only a trusted proxy can say so: liquibot itself speaks plain HTTP). */
  https: boolean;
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v ?? '');

/**
 * The client behind a chain of trusted proxies: X-Forwarded-For read from the right, skipping trusted
 * proxies; the first address that is not one is the client. X-Forwarded-Proto: the value the nearest
 * proxy wrote (the last one).
 */
export function clientView(
  remoteAddress: string | null,
  headers: Record<string, string | string[] | undefined>,
  proxies: TrustedProxies,
): ClientView {
  const remote = remoteAddress ? normalizeAddress(remoteAddress) : null;
  if (!remote || !proxies.has(remote)) return { ip: remote, https: false };
  const chain = headerValue(headers['x-forwarded-for']).split(',').map((s) => s.trim()).filter(Boolean).map(normalizeAddress);
  let ip = remote;
  for (let i = chain.length - 1; i >= 0; i -= 1) {
    const hop = chain[i]!;
    if (isIP(hop) === 0) break;
    ip = hop;
    if (!proxies.has(hop)) break;
  }
  const protos = headerValue(headers['x-forwarded-proto']).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  return { ip, https: protos.at(-1) === 'https' };
}
