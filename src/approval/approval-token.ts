import { createHash, createHmac, randomBytes } from 'node:crypto';

/** A fresh random approval token (when no secret is available to derive one). */
export function newApprovalToken(): string {
  return `ljv-${randomBytes(16).toString('hex')}`;
}

/**
 * The approval token of the approval request sent with this Message-ID: HMAC-SHA256 of the Message-ID
 * under liquibot's secret (RESET_LINK_SECRET), cut to 128 bits. The database keeps only its hash, as
 * before; but liquibot can make the same token again later (the reminder digest, the answer to a reply
 * that was not understood) and put the same VALIDER / REFUSER links in front of the agents, without
 * storing it and without issuing a new one (a new token or Message-ID would unbind the replies and
 * links of the request already in the agents' inbox). Unguessable: the Message-ID carries 128 random
 * bits, and the secret is not in the database.
 */
export function approvalTokenFor(secret: string, approvalMessageId: string): string {
  return `ljv-${createHmac('sha256', secret).update(`liquibot approval token\u0000${approvalMessageId}`).digest('hex').slice(0, 32)}`;
}

/** A fresh, unguessable Message-ID for an approval request (replies thread on it). */
export function newApprovalMessageId(domain: string): string {
  return `<lj.approval.${randomBytes(16).toString('hex')}@${domain}>`;
}

/** SHA-256 of an approval token, as stored on the ticket (the token itself is never stored). */
export function hashApprovalToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
