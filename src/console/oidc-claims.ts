import { roleValues, type Config } from '../config';
import type { ConsoleRole } from '../db/vocabulary';

/**
 * What an OpenID Connect sign-in proves, read from the provider's claims (the ID token's, completed by
 * UserInfo's): the person's address (verified by the provider) and their console role, from the
 * configured claim's values. Pure: src/console/oidc.ts does the protocol.
 */

/** Whether the console offers single sign-on (the configuration requires the rest when the issuer is set). */
export function oidcEnabled(config: Pick<Config, 'CONSOLE_OIDC_ISSUER' | 'CONSOLE_OIDC_CLIENT_ID'>): boolean {
  return Boolean(config.CONSOLE_OIDC_ISSUER && config.CONSOLE_OIDC_CLIENT_ID);
}

export interface RoleMapping {
  /** A claim name (`roles`), or a dotted path (`realm_access.roles`) when no claim has that exact name. */
  claim: string;
  admin: readonly string[];
  agent: readonly string[];
}

export function roleMappingOf(config: Pick<Config, 'CONSOLE_OIDC_ROLE_CLAIM' | 'CONSOLE_OIDC_ADMIN_VALUES' | 'CONSOLE_OIDC_AGENT_VALUES'>): RoleMapping {
  return { claim: config.CONSOLE_OIDC_ROLE_CLAIM, admin: roleValues(config.CONSOLE_OIDC_ADMIN_VALUES), agent: roleValues(config.CONSOLE_OIDC_AGENT_VALUES) };
}

/** The claim's values as strings: a string is one value, a list its string members; anything else none. */
export function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  let value: unknown = claims[claim];
  // Namespaced claims (`https://example.fr/roles`) hold dots in their name: the exact name wins over a path.
  if (value === undefined && claim.includes('.')) {
    value = claim.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' && !Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined), claims);
  }
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The console role the claims give: admin when any admin value is there, else agent for an agent value, else none. */
export function roleFromClaims(claims: Record<string, unknown>, mapping: RoleMapping): ConsoleRole | null {
  const values = new Set(claimValues(claims, mapping.claim));
  if (mapping.admin.some((v) => values.has(v))) return 'admin';
  if (mapping.agent.some((v) => values.has(v))) return 'agent';
  return null;
}

export type OidcRefusal = 'NO_EMAIL' | 'EMAIL_UNVERIFIED' | 'NO_ROLE';

export type OidcIdentity =
  | { ok: true; email: string; role: ConsoleRole }
  | { ok: false; reason: OidcRefusal; email: string | null };

const EMAIL = /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/;

/**
 * Who signs in: an account is first bound to the provider's subject through its address
 * (src/console/oidc-account.ts), and its address follows the provider's, so the address must be one the
 * provider verified (`email_verified` true); and the claims must map to a role.
 */
export function identityFromClaims(claims: Record<string, unknown>, mapping: RoleMapping): OidcIdentity {
  const raw = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const email = raw.length <= 320 && EMAIL.test(raw) ? raw : null;
  if (!email) return { ok: false, reason: 'NO_EMAIL', email: null };
  // Some providers send the boolean as a string.
  if (claims.email_verified !== true && claims.email_verified !== 'true') return { ok: false, reason: 'EMAIL_UNVERIFIED', email };
  const role = roleFromClaims(claims, mapping);
  return role ? { ok: true, email, role } : { ok: false, reason: 'NO_ROLE', email };
}
