import { and, eq, sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../db/client';
import { resetLinks } from '../db/schema';
import { deriveResetToken, hashResetToken, RESET_TOKEN_PLACEHOLDER, resetLinkUrl } from './reset-token';

/**
 * Where reset links come from. The built-in provider makes its own tokens; a deployment can plug in
 * the portal's link service by implementing the same two calls.
 */
export interface ResetLinkProvider {
  /** Create a link for an approved ticket, inside the ticket's transaction; supersedes its earlier links. */
  issue(tx: Tx, input: { ticketId: number; siret: string; liquidatorEmail: string; now: Date }): Promise<IssuedLink>;
  /** The text of a reset mail with the real link put in place of the placeholder, just before sending. */
  materialize(linkId: number, body: string): string;
  readonly validityHours: number;
}

export interface IssuedLink {
  linkId: number;
  expiresAt: Date;
  /** The link as the template shows it; holds a placeholder until the mail is sent. */
  templateUrl: string;
}

/**
 * Built-in provider: a 256-bit token derived from RESET_LINK_SECRET and the link's id. Only the token's
 * hash is stored, and the outbox keeps a placeholder: the database alone never yields a usable link.
 */
export function createBuiltinLinkProvider(opts: { secret: string; baseUrl: string; validityHours: number }): ResetLinkProvider {
  // Built once, with the URL API; the placeholder stands for the token until the mail is sent.
  const templateUrl = resetLinkUrl(opts.baseUrl, RESET_TOKEN_PLACEHOLDER);
  return {
    validityHours: opts.validityHours,
    async issue(tx, input) {
      await tx
        .update(resetLinks)
        .set({ status: 'superseded' })
        .where(and(eq(resetLinks.ticketId, input.ticketId), eq(resetLinks.status, 'active')));
      const [row] = rowsOf<{ id: number }>(await tx.execute(sql`select nextval(pg_get_serial_sequence('reset_links', 'id'))::int as id`));
      const linkId = Number(row!.id);
      const expiresAt = new Date(input.now.getTime() + opts.validityHours * 3_600_000);
      await tx.insert(resetLinks).values({
        id: linkId,
        ticketId: input.ticketId,
        tokenHash: hashResetToken(deriveResetToken(opts.secret, linkId)),
        siret: input.siret,
        liquidatorEmail: input.liquidatorEmail,
        createdAt: input.now,
        expiresAt,
      });
      return { linkId, expiresAt, templateUrl };
    },
    materialize(linkId, body) {
      return body.split(RESET_TOKEN_PLACEHOLDER).join(deriveResetToken(opts.secret, linkId));
    },
  };
}
