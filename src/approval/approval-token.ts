import { createHash, randomBytes } from 'node:crypto';

/** A fresh approval token: written in the approval request, it binds an agent's reply to that request. */
export function newApprovalToken(): string {
  return `ljv-${randomBytes(16).toString('hex')}`;
}

/** A fresh, unguessable Message-ID for an approval request (replies thread on it). */
export function newApprovalMessageId(domain: string): string {
  return `<lj.approval.${randomBytes(16).toString('hex')}@${domain}>`;
}

/** SHA-256 of an approval token, as stored on the ticket (the token itself is never stored). */
export function hashApprovalToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
