import { eq, sql } from 'drizzle-orm';
import { rowsOf, type Db } from './client';
import { mailboxState } from './schema';

/** What opening a mailbox found in, and did to, its stored cursor. */
export interface MailboxOpening {
  /** UIDs at or below this one are never processed in this UIDVALIDITY epoch. */
  skipUpTo: number;
  /** First time this mailbox is seen (no cursor, none adopted): FIRST_START applied. */
  firstStart: boolean;
  /** The stored UIDVALIDITY differed: the mailbox was renumbered and is resynchronised. */
  previousUidValidity: bigint | null;
  /** A cursor an older liquibot stored under the folder's name alone, now this mailbox's, with this many messages. */
  adopted: { messages: number } | null;
}

/**
 * The cursor of a mailbox, read and updated when its leader opens it.
 *
 * Cursors and stored UIDs are keyed by the mailbox's identity (mailbox-identity.ts). Before several
 * mailboxes could share a database they were keyed by the folder alone ('INBOX'). Such a row is adopted
 * on the first open under the new identity when its UIDVALIDITY is the one the server reports, so that it
 * is this very mailbox: it and the messages stored under the folder's name are renamed, in one
 * transaction. Without this, an upgrade with FIRST_START=skip would take the mailbox for new and skip
 * the mail that arrived while liquibot was stopped. A row with another UIDVALIDITY is left alone (another
 * account's INBOX, or this one renumbered since): the mailbox starts as new.
 */
export async function openMailboxCursor(db: Db, input: {
  key: string;
  folder: string;
  uidValidity: bigint;
  uidNext: number;
  skipExisting: boolean;
  now: Date;
}): Promise<MailboxOpening> {
  return db.transaction(async (tx) => {
    let adopted: MailboxOpening['adopted'] = null;
    let [known] = await tx.select().from(mailboxState).where(eq(mailboxState.mailbox, input.key)).for('update');
    if (!known && input.key !== input.folder) {
      const [legacy] = await tx.update(mailboxState).set({ mailbox: input.key })
        .where(sql`${mailboxState.mailbox} = ${input.folder} and ${mailboxState.uidValidity} = ${input.uidValidity}`)
        .returning();
      if (legacy) {
        known = legacy;
        const [moved] = rowsOf<{ n: number }>(await tx.execute(sql`
          with moved as (update inbound_messages set mailbox = ${input.key} where mailbox = ${input.folder} returning 1)
          select count(*)::int as n from moved`));
        adopted = { messages: Number(moved?.n ?? 0) };
      }
    }
    if (known && known.uidValidity === input.uidValidity) {
      return { skipUpTo: known.skipUpTo, firstStart: false, previousUidValidity: null, adopted };
    }
    const skipUpTo = !known && input.skipExisting ? Math.max(0, input.uidNext - 1) : 0;
    await tx.insert(mailboxState)
      .values({ mailbox: input.key, uidValidity: input.uidValidity, skipUpTo, updatedAt: input.now })
      .onConflictDoUpdate({ target: mailboxState.mailbox, set: { uidValidity: input.uidValidity, skipUpTo, updatedAt: input.now } });
    return { skipUpTo, firstStart: !known, previousUidValidity: known?.uidValidity ?? null, adopted };
  });
}
