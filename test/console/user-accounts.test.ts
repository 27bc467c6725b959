import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAccount, changeAccountRole, inviteAccount, oidcAccount, removeAccountPassword, revokeAccountSessions, setAccountDisabled, unbindAccount,
} from '../../src/console/user-accounts';
import { sha256Hex } from '../../src/console/secrets';
import { migrateDatabase, openDatabase, type Database } from '../../src/db/client';
import { findSession, findUserByEmail, findUserByInvitation, insertSession, setPasswordByInvitation } from '../../src/db/console-queries';
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

  const ISS = 'https://auth.example.fr/realms/support';
  const sso = (email: string, subject: string, role: 'agent' | 'admin' = 'agent') => ({ issuer: ISS, subject, email, role });
  const oidcBy = { actor: 'console:sso', ip: null, now };
  const linesOf = async (email: string) => (await audit()).filter((a) => a[2] === email).map((a) => [a[1], a[3]]);

  it('an OpenID Connect sign-in makes the account without a password, bound to the subject; then its role follows the claim', async () => {
    const made = await oidcAccount(database.db, sso('sophie@support.example.fr', 'sub-sophie'), oidcBy);
    expect(made).toMatchObject({ ok: true, user: { email: 'sophie@support.example.fr', role: 'agent', passwordHash: null, oidcIssuer: ISS, oidcSubject: 'sub-sophie' } });
    expect(await oidcAccount(database.db, sso('sophie@support.example.fr', 'sub-sophie', 'admin'), oidcBy)).toMatchObject({ ok: true, user: { role: 'admin' } });
    expect((await findUserByEmail(database.db, 'sophie@support.example.fr'))!.role).toBe('admin');
    expect(await linesOf('sophie@support.example.fr')).toEqual([['user_added', { role: 'agent', method: 'oidc' }], ['user_role_changed', { from: 'agent', to: 'admin', method: 'oidc' }]]);
  });

  it('binds an unused invitation at the first sign-in (the link dies), refuses a local account and another subject', async () => {
    const invited = await addAccount(database.db, { email: 'ines@support.example.fr', role: 'agent', passwordHash: null }, by);
    const token = invited.ok ? invited.invitationToken! : '';
    expect(await oidcAccount(database.db, sso('ines@support.example.fr', 'sub-ines'), oidcBy)).toMatchObject({ ok: true, user: { oidcSubject: 'sub-ines', invitationTokenHash: null } });
    expect(await findUserByInvitation(database.db, sha256Hex(token))).toBeNull();
    expect((await linesOf('ines@support.example.fr')).at(-1)).toEqual(['oidc_bound', { issuer: ISS, subject: 'sub-ines', invitationDropped: true }]);
    // Someone else the provider now vouches for at that address.
    expect(await oidcAccount(database.db, sso('ines@support.example.fr', 'sub-intrus'), oidcBy)).toMatchObject({ ok: false, reason: 'SUBJECT_MISMATCH', user: { email: 'ines@support.example.fr' } });
    // paul@ has a password (made above): never taken over.
    expect(await oidcAccount(database.db, sso('paul@support.example.fr', 'sub-paul', 'admin'), oidcBy)).toMatchObject({ ok: false, reason: 'LOCAL_ACCOUNT' });
    expect(await findUserByEmail(database.db, 'paul@support.example.fr')).toMatchObject({ role: 'agent', oidcSubject: null, passwordHash: 'x' });
  });

  it('a bound account follows its subject’s new address, unless another account has it', async () => {
    expect(await oidcAccount(database.db, sso('sophie.martin@support.example.fr', 'sub-sophie', 'admin'), oidcBy)).toMatchObject({ ok: true, user: { email: 'sophie.martin@support.example.fr' } });
    expect(await findUserByEmail(database.db, 'sophie@support.example.fr')).toBeNull();
    expect(await linesOf('sophie.martin@support.example.fr')).toEqual([['user_email_changed', { from: 'sophie@support.example.fr', method: 'oidc' }]]);
    expect(await oidcAccount(database.db, sso('ines@support.example.fr', 'sub-sophie', 'admin'), oidcBy)).toMatchObject({ ok: false, reason: 'EMAIL_TAKEN' });
    expect(await findUserByEmail(database.db, 'sophie.martin@support.example.fr')).toMatchObject({ oidcSubject: 'sub-sophie' });
  });

  it('an admin unbinds an account, or removes a password: the next sign-in binds it to whoever the provider vouches for then', async () => {
    const ines = (await findUserByEmail(database.db, 'ines@support.example.fr'))!;
    await session(ines.id, 'd'.repeat(64));
    expect(await unbindAccount(database.db, ines.id, by)).toBe('done');
    expect(await unbindAccount(database.db, ines.id, by)).toBe('unchanged');
    expect(await findSession(database.db, 'd'.repeat(64))).toBeNull();
    expect((await linesOf('ines@support.example.fr')).at(-1)).toEqual(['oidc_unbound', { issuer: ISS, subject: 'sub-ines', sessionsEnded: 1 }]);
    expect(await oidcAccount(database.db, sso('ines@support.example.fr', 'sub-ines-2'), oidcBy)).toMatchObject({ ok: true, user: { id: ines.id, oidcSubject: 'sub-ines-2' } });

    const paul = (await findUserByEmail(database.db, 'paul@support.example.fr'))!;
    expect(await removeAccountPassword(database.db, paul.id, by)).toBe('done');
    expect(await removeAccountPassword(database.db, paul.id, by)).toBe('unchanged');
    expect((await linesOf('paul@support.example.fr')).at(-1)).toEqual(['password_removed', { sessionsEnded: 0 }]);
    expect(await oidcAccount(database.db, sso('paul@support.example.fr', 'sub-paul'), oidcBy)).toMatchObject({ ok: true, user: { id: paul.id, oidcSubject: 'sub-paul', passwordHash: null } });
  });

  it('two first sign-ins of one subject at once make one account', async () => {
    const both = await Promise.all([1, 2].map(() => oidcAccount(database.db, sso('jeanne@support.example.fr', 'sub-jeanne'), oidcBy)));
    expect(both.map((r) => r.ok && r.user.id)).toEqual([expect.any(Number), both[0]!.ok && both[0]!.user.id]);
    expect((await linesOf('jeanne@support.example.fr')).filter((l) => l[0] === 'user_added')).toHaveLength(1);
  });
  it('an invitation sets a password once, and not after a newer link, single sign-on or its expiry made it void', async () => {
    const added = await addAccount(database.db, { email: 'lien@support.example.fr', role: 'agent', passwordHash: null }, by);
    const first = added.ok ? added.invitationToken! : '';
    const user = (await findUserByEmail(database.db, 'lien@support.example.fr'))!;
    const newer = await inviteAccount(database.db, user, by);
    if (!newer.ok) throw new Error('not invited');
    // The first link was replaced while its holder typed: it sets nothing.
    expect(await setPasswordByInvitation(database.db, user.id, sha256Hex(first), 'hash-1', now)).toBe(false);
    // Past its expiry, nothing either.
    expect(await setPasswordByInvitation(database.db, user.id, sha256Hex(newer.token), 'hash-2', new Date(now.getTime() + 400 * 3_600_000))).toBe(false);
    // The current link, once (two posts of it at once: one wins).
    const twice = await Promise.all(['hash-3', 'hash-4'].map((h) => setPasswordByInvitation(database.db, user.id, sha256Hex(newer.token), h, now)));
    expect(twice.filter(Boolean)).toHaveLength(1);
    expect((await findUserByEmail(database.db, 'lien@support.example.fr'))!.passwordHash).toMatch(/^hash-[34]$/);

    // Single sign-on binds an invited account while its holder types: the link sets nothing after.
    const invited = await addAccount(database.db, { email: 'lea@support.example.fr', role: 'agent', passwordHash: null }, by);
    const token = invited.ok ? invited.invitationToken! : '';
    const bound = await oidcAccount(database.db, sso('lea@support.example.fr', 'sub-lea'), oidcBy);
    if (!bound.ok) throw new Error('not bound');
    expect(await setPasswordByInvitation(database.db, bound.user.id, sha256Hex(token), 'hash-5', now)).toBe(false);
    // And no new invitation for a bound account: its password would outlive the provider's say.
    expect(await inviteAccount(database.db, bound.user, by)).toEqual({ ok: false, reason: 'bound' });
    expect((await findUserByEmail(database.db, 'lea@support.example.fr'))).toMatchObject({ passwordHash: null, invitationTokenHash: null });
  });
});
