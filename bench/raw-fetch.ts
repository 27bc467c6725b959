import { withImapSession, type ImapLogin } from '../test/support/sandbox/imap-seed';

export interface RawFetchResult {
  messages: number;
  bytes: number;
  seconds: number;
  /** Messages per second. */
  rate: number;
}

/**
 * The raw limit: imapflow fetching the full source (BODY.PEEK[]) of every message of INBOX, doing
 * nothing with it. `range` is one UID FETCH 1:* streamed by imapflow (the ceiling); `per-uid` is one
 * fetchOne per UID in sequence, the access pattern of today's watcher. Login and SELECT are not timed.
 */
export async function rawFetch(login: ImapLogin, mode: 'range' | 'per-uid'): Promise<RawFetchResult> {
  return withImapSession(login, async (client) => {
    await client.mailboxOpen('INBOX', { readOnly: true });
    let messages = 0;
    let bytes = 0;
    const started = performance.now();
    if (mode === 'range') {
      for await (const msg of client.fetch('1:*', { source: true }, { uid: true })) {
        messages += 1;
        bytes += msg.source?.length ?? 0;
      }
    } else {
      const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
      for (const uid of uids) {
        const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (!msg || !msg.source) continue;
        messages += 1;
        bytes += msg.source.length;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    return { messages, bytes, seconds, rate: messages / seconds };
  });
}
