import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { addDovecotUser } from '../support/sandbox/dovecot-users';
import { imapUrl, resetUidValidity } from '../support/sandbox/dovecot';
import {
  appendMessage,
  listMessages,
  mailboxState,
  ensureMailbox,
  type AppendedMessage,
  type ImapLogin,
  type ListedMessage,
  type MailboxState,
} from '../support/sandbox/imap-seed';
import { requireProvided } from './require-provided';

export interface FreshMailbox extends ImapLogin {
  /** imap://user:password@127.0.0.1:PORT/INBOX */
  imapUrl: string;
  /** The user's Maildir on disk (INBOX is its root). */
  maildir: string;
  append(raw: string | Buffer, options?: { mailbox?: string; flags?: string[]; date?: Date }): Promise<AppendedMessage>;
  list(mailbox?: string): Promise<ListedMessage[]>;
  state(mailbox?: string): Promise<MailboxState>;
  ensureMailbox(mailbox: string): Promise<void>;
  /** See DovecotSandbox.resetUidValidity: the next session sees a new UIDVALIDITY. */
  resetUidValidity(): void;
}

/**
 * A new user on the run's shared Dovecot, with a random password, usable at once.
 * Integration project only. Nothing else ever touches this mailbox.
 */
export function freshMailbox(prefix = 'box'): FreshMailbox {
  const { host, port, usersDir, mailRoot } = requireProvided('sandboxDovecot');
  const user = `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  addDovecotUser(usersDir, user, password);
  const login: ImapLogin = { host, port, user, password };
  const maildir = join(mailRoot, user);
  return {
    ...login,
    imapUrl: imapUrl(host, port, user, password),
    maildir,
    append: (raw, options) => appendMessage(login, raw, options),
    list: (mailbox) => listMessages(login, mailbox),
    state: (mailbox) => mailboxState(login, mailbox),
    ensureMailbox: (mailbox) => ensureMailbox(login, mailbox),
    resetUidValidity: () => resetUidValidity(maildir),
  };
}
