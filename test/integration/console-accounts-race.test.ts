import { describe, expect, it } from 'vitest';
import { addAccount, changeAccountRole, setAccountDisabled } from '../../src/console/user-accounts';
import { listUsers } from '../../src/db/console-queries';
import { consoleUsers } from '../../src/db/schema';
import { databaseForSuite } from './support/liquibot-harness';

/**
 * The last enabled admin stays, even when the only two admins demote or disable each other at the same
 * moment (real PostgreSQL: PGlite runs one transaction at a time and would hide the race).
 */
describe('the last admin, under concurrency', () => {
  const now = new Date('2026-12-06T09:00:00Z');

  for (const kind of ['demote', 'disable'] as const) {
    describe(kind, () => {
      const suite = databaseForSuite('postgres');

      it.each([1, 2, 3])(`the only two admins ${kind === 'demote' ? 'demoting' : 'disabling'} each other at once: one succeeds, one is refused, one admin is left (round %i)`, async (round) => {
        const db = suite.database.db;
        const ids: number[] = [];
        for (const name of ['a', 'b']) {
          const added = await addAccount(db, { email: `${kind}${round}-${name}@support.example.fr`, role: 'admin', passwordHash: 'x' }, { actor: 'terminal:test', now });
          expect(added.ok).toBe(true);
          if (added.ok) ids.push(added.user.id);
        }
        const act = (target: number, by: string) => (kind === 'demote'
          ? changeAccountRole(db, target, 'agent', { actor: by, now })
          : setAccountDisabled(db, target, true, { actor: by, now }));
        const results = await Promise.all([act(ids[0]!, 'console:b'), act(ids[1]!, 'console:a')]);
        expect([...results].sort()).toEqual(['done', 'last-admin']);
        const admins = (await listUsers(db)).filter((u) => u.role === 'admin' && !u.disabledAt);
        expect(admins).toHaveLength(1);
        // The next round's pair must be the only admins again.
        await db.update(consoleUsers).set({ role: 'agent' });
      });
    });
  }
});
