import { ImapFlow } from 'imapflow';

/** Where and as whom to log in; what the Dovecot sandbox hands out. */
export interface ImapLogin {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface AppendedMessage {
  uid: number;
  uidValidity: bigint;
}

export interface ListedMessage {
  uid: number;
  flags: string[];
  subject: string | undefined;
  messageId: string | undefined;
}

export interface MailboxState {
  uidValidity: bigint;
  uidNext: number;
  messages: number;
}

/**
 * Open a short-lived IMAP session, run `work`, log out. Test seeding only: the product's
 * IMAP access lives in src/mail/.
 */
export async function withImapSession<T>(login: ImapLogin, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: login.host,
    port: login.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: login.user, pass: login.password },
    logger: false,
    disableAutoIdle: true,
  });
  // An unhandled 'error' event would crash the test worker; the failing command rejects anyway.
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Create `mailbox` unless it exists (INBOX always does). */
export async function ensureMailbox(login: ImapLogin, mailbox: string): Promise<void> {
  if (mailbox.toUpperCase() === 'INBOX') return;
  await withImapSession(login, async (client) => {
    await client.mailboxCreate(mailbox); // resolves with created: false when it already exists
  });
}

/** APPEND a raw RFC 5322 message (creating the mailbox if needed); returns its UID and UIDVALIDITY. */
export async function appendMessage(
  login: ImapLogin,
  raw: string | Buffer,
  { mailbox = 'INBOX', flags = [], date }: { mailbox?: string; flags?: string[]; date?: Date } = {},
): Promise<AppendedMessage> {
  await ensureMailbox(login, mailbox);
  return withImapSession(login, async (client) => {
    const result = await client.append(mailbox, raw, flags, date);
    if (!result || result.uid === undefined || result.uidValidity === undefined) {
      throw new Error(`APPEND to ${mailbox} did not report APPENDUID`);
    }
    return { uid: result.uid, uidValidity: result.uidValidity };
  });
}

/** Every message of `mailbox` in UID order with its flags, subject and Message-ID. */
export async function listMessages(login: ImapLogin, mailbox = 'INBOX'): Promise<ListedMessage[]> {
  return withImapSession(login, async (client) => {
    const opened = await client.mailboxOpen(mailbox, { readOnly: true });
    if (opened.exists === 0) return [];
    const fetched = await client.fetchAll('1:*', { uid: true, flags: true, envelope: true });
    return fetched
      .map((message) => ({
        uid: message.uid,
        flags: [...(message.flags ?? [])].sort(),
        subject: message.envelope?.subject,
        messageId: message.envelope?.messageId,
      }))
      .sort((a, b) => a.uid - b.uid);
  });
}

/** UIDVALIDITY, UIDNEXT and message count of `mailbox` (IMAP STATUS). */
export async function mailboxState(login: ImapLogin, mailbox = 'INBOX'): Promise<MailboxState> {
  return withImapSession(login, async (client) => {
    const status = await client.status(mailbox, { uidValidity: true, uidNext: true, messages: true });
    if (!status || status.uidValidity === undefined || status.uidNext === undefined) {
      throw new Error(`STATUS ${mailbox} returned no UIDVALIDITY/UIDNEXT`);
    }
    return { uidValidity: status.uidValidity, uidNext: status.uidNext, messages: status.messages ?? 0 };
  });
}
