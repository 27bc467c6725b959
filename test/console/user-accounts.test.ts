import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount, changeAccountRole, oidcAccount, revokeAccountSessions, setAccountDisabled } from '../../src/console/user-accounts';
import { sha256Hex } from '../../src/console/secrets';
import { migrateDatabase, openDatabase, type Database } from '../../src/db/client';
import { findSession, findUserByEmail, findUserByInvitation, insertSession } from '../../src/db/console-queries';
import { consoleAudit } from '../../src/db/schema';

/** The account operations `liquibot users` and the accounts page share (src/console/user-accounts.ts). */
describe('console accounts', () => {
  let dataDir: string;
  let database: Database;
  const now = new Date('2026-12-06T09:00:00Z');
  const by = { actor: 'console:chef@support.example.fr', ip: '192.0.2.1', now };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'liquibot-accounts-'));
    database = await openDatabase({ dataDir });
    await migrateDatabase(database);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const session = async (userId: number, hash: string) => insertSession(database.db, {
    tokenHash: hash, userId, csrfToken: 'c', now, expiresAt: new Date(now.getTime() + 3_600_000), ip: null, userAgent: null,
  });
  const audit = async () => (await database.db.select().from(consoleAudit)).map((a) => [a.actor, a.action, a.target, a.detail]);

  it('adds an account with an invitation (only its hash stored), once', async () => {
    const added = await addAccount(database.db, { email: 'Chef@Support.example.fr', role: 'admin', passwordHash: null }, by);
    expect(added.ok).toBe(true);
    const token = added.ok ? added.invitationToken! : '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await findUserByInvitation(database.db, sha256Hex(token)))?.email).toBe('chef@support.example.fr');
    const again = await addAccount(database.db, { email: 'chef@support.example.fr', role: 'agent', passwordHash: null }, by);
    expect(again).toMatchObject({ ok: false, existing: { role: 'admin' } });
    expect(await audit()).toEqual([[by.actor, 'user_invited', 'chef@support.example.fr', { role: 'admin' }]]);
  });

  it('never leaves the console without an enabled admin: neither demoting nor disabling the last one', async () => {
    const chef = (await findUserByEmail(database.db, 'chef@support.example.fr'))!;
    expect(await changeAccountRole(database.db, chef.id, 'agent', by)).toBe('last-admin');
    expect(await setAccountDisabled(database.db, chef.id, true, by)).toBe('last-admin');
    expect((await findUserByEmail(database.db, 'chef@support.example.fr'))).toMatchObject({ role: 'admin', disabledAt: null });
    // With a second admin, either may go.
    const second = await addAccount(database.db, { email: 'adjoint@support.example.fr', role: 'admin', passwordHash: 'x' }, by);
    expect(second.ok).toBe(true);
    expect(await changeAccountRole(database.db, chef.id, 'agent', by)).toBe('done');
    expect(await changeAccountRole(database.db, chef.id, 'agent', by)).toBe('unchanged');
    const adjoint = (await findUserByEmail(database.db, 'adjoint@support.example.fr'))!;
    expect(await setAccountDisabled(database.db, adjoint.id, true, by)).toBe('last-admin');
    expect(await changeAccountRole(database.db, chef.id, 'admin', by)).toBe('done');
    expect((await audit()).filter((a) => a[1] === 'user_role_changed').map((a) => a[3])).toEqual([{ from: 'admin', to: 'agent' }, { from: 'agent', to: 'admin' }]);
  });

  it('disabling ends the sessions; enabling again; revoking ends them and says how many', async () => {
    const added = await addAccount(database.db, { email: 'paul@support.example.fr', role: 'agent', passwordHash: 'x' }, by);
    const paul = added.ok ? added.user : null;
    await session(paul!.id, 'a'.repeat(64));
    expect(await setAccountDisabled(database.db, paul!.id, true, by)).toBe('done');
    expect(await findSession(database.db, 'a'.repeat(64))).toBeNull();
    expect(await setAccountDisabled(database.db, paul!.id, true, by)).toBe('unchanged');
    expect(await setAccountDisabled(database.db, paul!.id, false, by)).toBe('done');
    await session(paul!.id, 'b'.repeat(64));
    await session(paul!.id, 'c'.repeat(64));
    expect(await revokeAccountSessions(database.db, paul!, by)).toBe(2);
    expect(await findSession(database.db, 'b'.repeat(64))).toBeNull();
    const lines = (await audit()).filter((a) => a[2] === 'paul@support.example.fr').map((a) => [a[1], a[3]]);
    expect(lines).toEqual([
      ['user_added', { role: 'agent' }], ['user_disabled', { sessionsEnded: 1 }], ['user_enabled', {}], ['sessions_revoked', { sessions: 2 }],
    ]);
  });

  it('an OpenID Connect sign-in makes the account without a password, then its role follows the claim', async () => {
    const oidcBy = { actor: 'console:sophie@support.example.fr', ip: null, now };
    const made = await oidcAccount(database.db, 'sophie@support.example.fr', 'agent', oidcBy);
    expect(made).toMatchObject({ email: 'sophie@support.example.fr', role: 'agent', passwordHash: null, invitationTokenHash: null });
    expect((await oidcAccount(database.db, 'sophie@support.example.fr', 'admin', oidcBy)).role).toBe('admin');
    expect((await findUserByEmail(database.db, 'sophie@support.example.fr'))!.role).toBe('admin');
    const lines = (await audit()).filter((a) => a[2] === 'sophie@support.example.fr').map((a) => [a[1], a[3]]);
    expect(lines).toEqual([['user_added', { role: 'agent', method: 'oidc' }], ['user_role_changed', { from: 'agent', to: 'admin', method: 'oidc' }]]);
  });
});
