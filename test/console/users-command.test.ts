import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBaseUrl, usersCommand, type PasswordInput } from '../../src/cli/users-command';
import { loadConfig, type Config } from '../../src/config';
import { sha256Hex, verifyPassword } from '../../src/console/secrets';
import { migrateDatabase, openDatabase } from '../../src/db/client';
import { findSession, findUserByEmail, findUserByInvitation, insertSession } from '../../src/db/console-queries';
import { consoleAudit } from '../../src/db/schema';

/** `liquibot users …` on an embedded database (each run opens and closes it, as the command does). */
describe('liquibot users', () => {
  let dataDir: string;
  let config: Config;
  const at = new Date('2026-12-06T09:00:00Z');

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'liquibot-users-'));
    config = loadConfig({ DATA_DIR: dataDir, HTTP_PORT: '8080', CONSOLE_PUBLIC_URL: 'https://liquibot.example.fr/console/' });
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function run(args: string[], passwords: string[] = [], interactive = false) {
    const out: string[] = [];
    const err: string[] = [];
    const input: PasswordInput = { isInteractive: interactive, readPassword: async () => passwords.shift() ?? '' };
    const code = await usersCommand([...args, '--as', 'alice'], { out: (l) => out.push(l), err: (l) => err.push(l) }, config, input, () => at);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
    const database = await openDatabase({ dataDir });
    try {
      await migrateDatabase(database);
      return await fn(database);
    } finally {
      await database.close();
    }
  }

  it('adds an agent with a password read from standard input, hashed with argon2id', async () => {
    expect(await run(['add', 'Paul.Durand@Support.example.fr', '--role', 'agent'], ['cheval correct agrafe batterie'])).toMatchObject({ code: 0, out: 'paul.durand@support.example.fr added (agent)' });
    await withDb(async ({ db }) => {
      const user = (await findUserByEmail(db, 'paul.durand@support.example.fr'))!;
      expect(user.role).toBe('agent');
      expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(await verifyPassword(user.passwordHash, 'cheval correct agrafe batterie')).toBe(true);
      expect(await verifyPassword(user.passwordHash, 'cheval correct agrafe batteriE')).toBe(false);
      const audit = await db.select().from(consoleAudit);
      expect(audit.map((a) => [a.actor, a.action, a.target])).toEqual([['terminal:alice', 'user_added', 'paul.durand@support.example.fr']]);
    });
  }, 30_000);

  it('refuses a weak password, two different ones on a terminal, a second account, a bad role or address', async () => {
    expect(await run(['add', 'x@support.example.fr', '--role', 'agent'], ['court'])).toMatchObject({ code: 1, err: expect.stringMatching(/au moins 12 caractères/) });
    expect(await run(['add', 'x@support.example.fr', '--role', 'agent'], ['cheval correct agrafe batterie', 'autre chose encore'], true)).toMatchObject({ code: 1, err: expect.stringMatching(/differ/) });
    expect(await run(['add', 'paul.durand@support.example.fr', '--role', 'admin'], ['un autre mot de passe sûr'])).toMatchObject({ code: 1, err: expect.stringMatching(/has an account already/) });
    await expect(run(['add', 'y@support.example.fr', '--role', 'root'])).rejects.toThrow(/--role agent\|admin/);
    await expect(run(['add', 'not-an-address', '--role', 'agent'])).rejects.toThrow(/not an e-mail address/);
    await withDb(async ({ db }) => expect(await findUserByEmail(db, 'x@support.example.fr')).toBeNull());
  }, 30_000);

  it('invites an admin: a one-time link under CONSOLE_PUBLIC_URL, only its hash stored', async () => {
    const { code, out } = await run(['add', 'chef@support.example.fr', '--role', 'admin', '--invite']);
    expect(code).toBe(0);
    const token = out.match(/^https:\/\/liquibot\.example\.fr\/console\/invitation\?token=([A-Za-z0-9_-]{43})$/m)![1]!;
    await withDb(async ({ db }) => {
      const user = (await findUserByInvitation(db, sha256Hex(token)))!;
      expect(user).toMatchObject({ email: 'chef@support.example.fr', role: 'admin', passwordHash: null });
      expect(user.invitationExpiresAt!.getTime() - at.getTime()).toBe(72 * 3_600_000);
      expect(JSON.stringify(user)).not.toContain(token);
    });
  }, 30_000);

  it('lists accounts, and disabling one ends its sessions', async () => {
    expect((await run(['list'])).out).toMatch(/chef@support\.example\.fr\s+admin\s+invited[\s\S]*paul\.durand@support\.example\.fr\s+agent\s+active[\s\S]*2 account\(s\)/);
    await withDb(async ({ db }) => {
      const user = (await findUserByEmail(db, 'paul.durand@support.example.fr'))!;
      await insertSession(db, { tokenHash: 'h'.repeat(64), userId: user.id, csrfToken: 'c', now: at, expiresAt: new Date(at.getTime() + 3_600_000), ip: null, userAgent: null });
    });
    expect(await run(['disable', 'paul.durand@support.example.fr'])).toMatchObject({ code: 0 });
    expect(await run(['disable', 'paul.durand@support.example.fr'])).toMatchObject({ code: 1 });
    await withDb(async ({ db }) => {
      expect(await findSession(db, 'h'.repeat(64))).toBeNull();
      expect((await findUserByEmail(db, 'paul.durand@support.example.fr'))!.disabledAt).toEqual(at);
    });
    expect(JSON.parse((await run(['list', '--json'])).out)).toContainEqual(expect.objectContaining({ email: 'paul.durand@support.example.fr', disabled: true }));
    expect(await run(['enable', 'paul.durand@support.example.fr'])).toMatchObject({ code: 0 });
    expect(await run(['disable', 'nobody@support.example.fr'])).toMatchObject({ code: 1, err: 'no account for nobody@support.example.fr' });
  }, 30_000);

  it('changes a role, but never demotes or disables the last enabled admin', async () => {
    // chef@ (invited) is the only admin.
    expect(await run(['role', 'chef@support.example.fr', '--role', 'agent'])).toMatchObject({ code: 1, err: expect.stringMatching(/last enabled admin/) });
    expect(await run(['disable', 'chef@support.example.fr'])).toMatchObject({ code: 1, err: expect.stringMatching(/last enabled admin/) });
    expect(await run(['role', 'paul.durand@support.example.fr', '--role', 'admin'])).toMatchObject({ code: 0, out: 'paul.durand@support.example.fr is now admin' });
    expect(await run(['role', 'paul.durand@support.example.fr', '--role', 'admin'])).toMatchObject({ code: 1 });
    expect(await run(['role', 'chef@support.example.fr', '--role', 'agent'])).toMatchObject({ code: 0 });
    await expect(run(['role', 'chef@support.example.fr'])).rejects.toThrow(/users role needs --role/);
    await withDb(async ({ db }) => {
      const lines = (await db.select().from(consoleAudit)).filter((a) => a.action === 'user_role_changed').map((a) => [a.actor, a.target, a.detail]);
      expect(lines).toEqual([
        ['terminal:alice', 'paul.durand@support.example.fr', { from: 'agent', to: 'admin' }], ['terminal:alice', 'chef@support.example.fr', { from: 'admin', to: 'agent' }],
      ]);
    });
  }, 30_000);

  it('builds invitation links from the console’s own address when no public one is set', () => {
    const base = { CONSOLE_PATH: '/console', CONSOLE_HOST: undefined, CONSOLE_PORT: undefined, HTTP_HOST: '127.0.0.1', HTTP_PORT: 8080, CONSOLE_PUBLIC_URL: undefined };
    expect(consoleBaseUrl(base)).toBe('http://127.0.0.1:8080/console');
    expect(consoleBaseUrl({ ...base, CONSOLE_PORT: 9090, CONSOLE_HOST: '::1' })).toBe('http://[::1]:9090/console');
  });
});
