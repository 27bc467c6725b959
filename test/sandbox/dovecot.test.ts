import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotSandbox } from '../support/sandbox/dovecot';
import { withImapSession } from '../support/sandbox/imap-seed';
import { freshMailbox } from '../helpers/fresh-mailbox';

const raw = (subject: string, id: string): string =>
  [
    'From: Liquidator <mandataire@example.org>',
    'To: support@example.com',
    `Subject: ${subject}`,
    `Message-ID: <${id}@example.org>`,
    'Date: Thu, 26 Nov 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Bonjour,',
    '',
  ].join('\r\n');

describe('shared Dovecot (global setup)', () => {
  it('accepts a fresh user at once and refuses a wrong password', async () => {
    const box = freshMailbox();
    await expect(withImapSession(box, async (client) => client.authenticated)).resolves.toBeTruthy();
    await expect(withImapSession({ ...box, password: 'wrong' }, async () => true)).rejects.toThrow();
  });

  it('logs in users added back to back (no passwd-file reload delay)', async () => {
    // Regression: with one shared passwd-file, Dovecot re-reads it at most once per second,
    // so the second of two users added within a second could not log in.
    const boxes = Array.from({ length: 5 }, () => freshMailbox('burst'));
    const states = await Promise.all(boxes.map((box) => box.state()));
    expect(states.map((s) => s.messages)).toEqual([0, 0, 0, 0, 0]);
  });

  it('APPENDs a message that imapflow then fetches with flags and source', async () => {
    const box = freshMailbox();
    const appended = await box.append(raw('Demande de réinitialisation', 'a1'), { flags: ['\\Seen'] });
    expect(appended.uid).toBe(1);

    const client = new ImapFlow({ host: box.host, port: box.port, secure: false, auth: { user: box.user, pass: box.password }, logger: false });
    client.on('error', () => {});
    await client.connect();
    try {
      const mailbox = await client.mailboxOpen('INBOX');
      expect(mailbox.uidValidity).toBe(appended.uidValidity);
      const [message] = await client.fetchAll(`${appended.uid}`, { uid: true, flags: true, source: true, envelope: true }, { uid: true });
      expect(message?.envelope?.subject).toBe('Demande de réinitialisation');
      expect(message?.flags?.has('\\Seen')).toBe(true);
      expect(message?.source?.toString()).toContain('Message-ID: <a1@example.org>');
    } finally {
      await client.logout();
    }
  });

  it('creates other mailboxes on APPEND and lists them', async () => {
    const box = freshMailbox();
    await box.append(raw('one', 'm1'), { mailbox: 'Done' });
    await box.append(raw('two', 'm2'), { mailbox: 'Done', flags: ['\\Flagged'] });
    expect(await box.list('Done')).toEqual([
      { uid: 1, flags: ['\\Recent'], subject: 'one', messageId: '<m1@example.org>' },
      { uid: 2, flags: ['\\Flagged', '\\Recent'], subject: 'two', messageId: '<m2@example.org>' },
    ]);
    expect(await box.list()).toEqual([]);
  });

  it('gives INBOX a new UIDVALIDITY after resetUidValidity, messages renumbered from 1', async () => {
    const box = freshMailbox();
    await box.append(raw('first', 'u1'));
    await box.append(raw('second', 'u2'));
    const before = await box.state();

    box.resetUidValidity();

    const after = await box.state();
    expect(after.uidValidity).not.toBe(before.uidValidity);
    expect(after.messages).toBe(2);
    expect((await box.list()).map((m) => [m.uid, m.subject])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
  });
});

describe('own Dovecot', () => {
  let dovecot: DovecotSandbox;
  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('keeps users and mail across restart, on the same port', async () => {
    dovecot.addUser('alice', 'pw-alice');
    await dovecot.appendMessage('alice', 'pw-alice', raw('before restart', 'r1'));
    const port = dovecot.port;

    await dovecot.restart();

    expect(dovecot.port).toBe(port);
    dovecot.addUser('bob', 'pw-bob');
    await dovecot.appendMessage('bob', 'pw-bob', raw('after restart', 'r2'));
    expect((await dovecot.listMessages('alice', 'pw-alice')).map((m) => m.subject)).toEqual(['before restart']);
    expect((await dovecot.listMessages('bob', 'pw-bob')).map((m) => m.subject)).toEqual(['after restart']);
  });

  it('drops a connected client on restart; a new connection works', async () => {
    dovecot.addUser('carol', 'pw-carol');
    const client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: 'carol', pass: 'pw-carol' }, logger: false });
    client.on('error', () => {});
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await client.connect();
    await client.mailboxOpen('INBOX');

    await dovecot.restart();

    await closed;
    expect(client.usable).toBe(false);
    await expect(dovecot.mailboxState('carol', 'pw-carol')).resolves.toMatchObject({ messages: 0 });
  });

  it('writes an imap URL with percent-encoded credentials', () => {
    expect(dovecot.imapUrl('a@b', 'p:w/d')).toBe(`imap://a%40b:p%3Aw%2Fd@127.0.0.1:${dovecot.port}/INBOX`);
  });
});
