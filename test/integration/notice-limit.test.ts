import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { countRecentMailTo, enqueueMail } from '../../src/db/outbox-queries';
import { noticeAllowed, RATE_LIMITED_KINDS } from '../../src/outbox/notice-limit';
import { outboxRowFor } from '../../src/outbox/outgoing-mail';
import { databaseForSuite, type DbKind } from './support/liquibot-harness';

// Issue 10: the per-sender notice limit counts mailboxes (parsers/mailbox.ts), not written addresses.
const NOW = new Date('2026-11-26T10:00:00Z');
const rendered = { subject: 's', text: 't', html: null, templateName: 'non-conformity' as const, templateVersion: 'v1' };

describe.each<DbKind>(['postgres', 'pglite'])('the notice limit on %s', (kind) => {
  const fresh = databaseForSuite(kind);
  beforeAll(async () => {
    const sent: [string, string, number][] = [
      // [to_address as sent, kind, minutes ago]
      ['jean.dupont@etude.example.fr', 'non-conformity', 5],
      ['jean.dupont+1@etude.example.fr', 'non-conformity', 10],
      ['Jean.Dupont+2@Etude.Example.FR.', 'link-still-valid', 15],
      ['"jean.dupont"@etude.example.fr', 'too-large', 20],
      ['jean.dupont-x@etude.example.fr', 'non-conformity', 5],
      ['jean.dupont@etude.example.fr', 'acknowledgment', 5],
      ['jean.dupont@etude.example.fr', 'non-conformity', 120],
      ['jean.dupontel@etude.example.fr', 'non-conformity', 5],
      ['jean.dupont@autre.example.fr', 'non-conformity', 5],
      ['marie@exämple.fr', 'non-conformity', 5],
      ['marie+x@xn--exmple-cua.fr', 'non-conformity', 5],
      ['evil@evil.fr,x@y.fr', 'non-conformity', 5],
    ];
    await fresh.database.db.transaction(async (tx) => {
      for (const [to, k, ago] of sent) {
        await enqueueMail(tx, outboxRowFor({
          purposeKey: `test:${randomUUID()}`, kind: k, ticketId: null, ticketRef: null, to, rendered: { ...rendered }, messageIdDomain: 'liquibot.example.fr',
          parent: null, autoSubmitted: 'auto-replied', now: new Date(NOW.getTime() - ago * 60_000),
        }));
      }
    });
  });
  const since = new Date(NOW.getTime() - 60 * 60_000);
  const count = (to: string, separators?: string) =>
    countRecentMailTo(fresh.database.db, to, RATE_LIMITED_KINDS, since, separators ? { subaddressSeparators: separators } : {});

  it.each([
    ['jean.dupont@etude.example.fr', 4],
    ['jean.dupont+nouveau@etude.example.fr', 4],
    ['JEAN.DUPONT@ETUDE.EXAMPLE.FR', 4],
    ['jean.dupont@autre.example.fr', 1],
    ['jean.dupontel@etude.example.fr', 1],
    ['marie@xn--exmple-cua.fr', 2],
    ['marie@EXÄMPLE.fr.', 2],
    ['nobody@etude.example.fr', 0],
    // not one clean mailbox: the same string only
    ['evil@evil.fr,x@y.fr', 1],
    ['EVIL@evil.fr,x@y.fr', 1],
  ])('%s: %i notices in the window', async (to, want) => {
    expect(await count(to)).toBe(want);
  });

  it('counts -tags too when - is a configured separator', async () => {
    expect(await count('jean.dupont@etude.example.fr', '+-')).toBe(5);
  });

  it('refuses the next notice to a +tag of a mailbox that reached the limit', async () => {
    const config = { NOTICE_RATE_WINDOW_MINUTES: 60, NOTICE_RATE_LIMIT: 4 };
    expect(await noticeAllowed(config, fresh.database.db, 'jean.dupont+encore@etude.example.fr', NOW)).toBe(false);
    expect(await noticeAllowed(config, fresh.database.db, 'jean.dupontel+encore@etude.example.fr', NOW)).toBe(true);
    expect(await noticeAllowed({ ...config, NOTICE_RATE_LIMIT: 5 }, fresh.database.db, 'jean.dupont+encore@etude.example.fr', NOW)).toBe(true);
    expect(await noticeAllowed({ ...config, NOTICE_RATE_LIMIT: 5, SUBADDRESS_SEPARATORS: '+-' }, fresh.database.db, 'jean.dupont@etude.example.fr', NOW)).toBe(false);
  });
});
