import type { Config } from '../config';
import type { Ticket } from '../db/schema';
import { resolveLinkSecret } from '../reset/link-secret';
import { approvalMailtos } from './approval-request-vars';
import { approvalTokenFor, hashApprovalToken } from './approval-token';

type SecretConfig = Pick<Config, 'RESET_LINK_SECRET' | 'DATABASE_URL' | 'DATA_DIR'>;

const secrets = new WeakMap<object, string | null>();

/**
 * The secret approval tokens are derived from (the reset links' one, under another HMAC label), read
 * once per configuration; null when there is none (then tokens are random and cannot be made again).
 */
export function approvalSecretOf(config: SecretConfig): string | null {
  if (!secrets.has(config)) {
    let secret: string | null;
    try {
      secret = resolveLinkSecret(config);
    } catch {
      secret = null;
    }
    secrets.set(config, secret);
  }
  return secrets.get(config)!;
}

/**
 * The VALIDER / REFUSER links of the ticket's current approval request, the very ones it carries: its
 * token made again from the secret and the request's Message-ID, and checked against the stored hash.
 * Null when the request has no approval request out, or its token was not derived (sent before tokens
 * were, or without a secret): then the agents are told to reply to the approval request itself.
 */
export function currentApprovalLinks(
  config: SecretConfig & Pick<Config, 'MAIL_FROM'>,
  ticket: Pick<Ticket, 'ref' | 'approvalMessageId' | 'approvalTokenHash'>,
): { approveMailto: string; refuseMailto: string } | null {
  const secret = approvalSecretOf(config);
  if (!secret || !ticket.approvalMessageId || !ticket.approvalTokenHash) return null;
  const token = approvalTokenFor(secret, ticket.approvalMessageId);
  if (hashApprovalToken(token) !== ticket.approvalTokenHash) return null;
  return approvalMailtos(config.MAIL_FROM, ticket.ref, token);
}
