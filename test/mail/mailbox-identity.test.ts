import { describe, expect, it } from 'vitest';
import { MAILBOX_LEADER_LOCK_CLASS, mailboxIdentity, mailboxLeaderLockKey } from '../../src/mail/mailbox-identity';

describe('mailboxIdentity', () => {
  it('is user@host/folder, the user decoded, the host lowercased, port and scheme left out', () => {
    expect(mailboxIdentity('imaps://support%40example.fr:s3cret@IMAP.Example.FR:993/Liquidateurs')).toEqual({
      folder: 'Liquidateurs', key: 'support@example.fr@imap.example.fr/Liquidateurs',
    });
    expect(mailboxIdentity('imap://support:pw@imap.example.fr:143/Liquidateurs').key)
      .toBe(mailboxIdentity('imaps://support:other@imap.example.fr/Liquidateurs').key);
  });

  it('watches INBOX when the URL has no folder, and decodes a folder with spaces and slashes', () => {
    expect(mailboxIdentity('imap://u:p@127.0.0.1:1143')).toEqual({ folder: 'INBOX', key: 'u@127.0.0.1/INBOX' });
    expect(mailboxIdentity('imap://u:p@127.0.0.1:1143/').folder).toBe('INBOX');
    expect(mailboxIdentity('imap://u:p@h/Dossiers%20partag%C3%A9s%2FLJ').folder).toBe('Dossiers partagés/LJ');
  });

  it('tells apart two accounts on one server, and two folders of one account', () => {
    const keys = new Set([
      mailboxIdentity('imap://a:p@h/INBOX').key,
      mailboxIdentity('imap://b:p@h/INBOX').key,
      mailboxIdentity('imap://a:p@h/Support').key,
      mailboxIdentity('imap://a:p@other/INBOX').key,
    ]);
    expect(keys.size).toBe(4);
  });

  it('takes MAILBOX_ID as it is when set, the folder still from the URL', () => {
    expect(mailboxIdentity('imap://a:p@h/Support', 'INBOX')).toEqual({ folder: 'Support', key: 'INBOX' });
    expect(mailboxIdentity('imap://a:p@new-host/INBOX', 'support-paris')).toEqual({ folder: 'INBOX', key: 'support-paris' });
  });
});

describe('mailboxLeaderLockKey', () => {
  it('puts the leader class in the high 32 bits and a stable hash below, within a signed bigint', () => {
    const key = mailboxLeaderLockKey('support@imap.example.fr/INBOX');
    expect(key >> 32n).toBe(BigInt(MAILBOX_LEADER_LOCK_CLASS));
    expect(key).toBeLessThan(2n ** 63n);
    // FNV-1a of the UTF-8 bytes: fixed, so that every instance and every release computes the same lock.
    expect(mailboxLeaderLockKey('') & 0xffffffffn).toBe(0x811c9dc5n);
    expect(mailboxLeaderLockKey('a') & 0xffffffffn).toBe(0xe40c292cn);
    expect(mailboxLeaderLockKey('support@imap.example.fr/INBOX')).toBe(key);
  });

  it('gives different mailboxes different locks', () => {
    const locks = new Set(['a@h/INBOX', 'b@h/INBOX', 'a@h/Support', 'a@other/INBOX', 'é@h/INBOX', 'e@h/INBOX']
      .map((k) => mailboxLeaderLockKey(k)));
    expect(locks.size).toBe(6);
  });
});
