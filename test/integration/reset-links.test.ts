import { EMPTY_CHECK } from '../../src/workflow/ticket-check';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { linksCommand } from '../../src/cli/links-command';
import type { Output } from '../../src/cli/usage';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database, type Db } from '../../src/db/client';
import { accounts, resetLinks, ticketEvents, tickets } from '../../src/db/schema';
import { deriveResetToken, hashResetToken } from '../../src/reset/reset-token';
import { createVerifyHandler } from '../../src/reset/verify-http';
import { verifyResetLink } from '../../src/reset/verify-link';
import { databaseForSuite, freshDatabase, type DbKind } from './support/liquibot-harness';

const SECRET = 'integration-secret-integration-secret-0123';
const SIRET = '73282932000074';
const OTHER_SIRET = '44306184100047';
const ISSUED = new Date('2026-11-26T10:00:00Z');
const EXPIRES = new Date('2026-11-26T18:00:00Z');
const DURING = new Date('2026-11-26T12:00:00Z');

/** A ticket, its reset link (token derived as the sender does) and, unless told not to, the directory row. */
async function seedLink(db: Db, opts: { siret?: string; account?: { lastName: string; firstName: string } | null; status?: 'active' | 'superseded'; issuedAt?: Date; expiresAt?: Date } = {}) {
  const siret = opts.siret ?? SIRET;
  const [ticket] = await db.insert(tickets).values({
    ref: `LJ-T-${randomBytes(4).toString('hex')}`, status: 'resolved', requesterEmail: 'req@etude.fr', siret, check: EMPTY_CHECK,
  }).returning();
  const [link] = await db.insert(resetLinks).values({
    ticketId: ticket!.id, tokenHash: `pending-${randomBytes(8).toString('hex')}`, siret, liquidatorEmail: 'liq@etude.fr',
    createdAt: opts.issuedAt ?? ISSUED, expiresAt: opts.expiresAt ?? EXPIRES, status: opts.status ?? 'active',
  }).returning();
  const token = deriveResetToken(SECRET, link!.id);
  await db.update(resetLinks).set({ tokenHash: hashResetToken(token) }).where(eq(resetLinks.id, link!.id));
  const account = opts.account === undefined ? { lastName: 'Moutin', firstName: 'Claire' } : opts.account;
  if (account) {
    await db.insert(accounts).values({ siret, ...account }).onConflictDoUpdate({ target: accounts.siret, set: account });
  }
  return { ticketId: ticket!.id, linkId: link!.id, token };
}

async function linkRow(db: Db, id: number) {
  const [row] = await db.select().from(resetLinks).where(eq(resetLinks.id, id));
  return row!;
}

async function eventsOf(db: Db, ticketId: number) {
  return db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(ticketEvents.id);
}

const triplet = { siret: SIRET, lastName: 'MOUTIN', firstName: 'Claire' };

describe.each<DbKind>(['postgres', 'pglite'])('verifyResetLink on %s', (kind) => {
  const fresh = databaseForSuite(kind);
  let db: Db;
  beforeAll(() => {
    db = fresh.database.db;
  });

  it('accepts the right triplet once, marks the link used and records it without the token', async () => {
    const { token, linkId, ticketId } = await seedLink(db);
    expect(await verifyResetLink(db, { token, ...triplet, now: DURING })).toEqual({ result: 'valid', ticketId });
    const row = await linkRow(db, linkId);
    expect(row.status).toBe('used');
    expect(row.usedAt).toEqual(DURING);

    expect(await verifyResetLink(db, { token, ...triplet, now: DURING })).toEqual({ result: 'already_used', ticketId });
    const events = await eventsOf(db, ticketId);
    expect(events.map((e) => [e.kind, e.actor, e.detail, e.at])).toEqual([
      ['link_verified', 'portal', { result: 'valid', linkId }, DURING],
      ['link_verified', 'portal', { result: 'already_used', linkId }, DURING],
    ]);
    const stored = JSON.stringify(await db.select().from(ticketEvents)) + JSON.stringify(await db.select().from(resetLinks));
    expect(stored).not.toContain(token);
  });

  it.each([
    ['accents, case, hyphens and spacing', { siret: '552 081 317 66522', lastName: ' dupont  martin ', firstName: 'HELENE' }],
    ['the directory spelling', { siret: '55208131766522', lastName: 'Dupont-Martin', firstName: 'Hélène' }],
  ])('accepts the triplet written with %s', async (_name, given) => {
    const { token } = await seedLink(db, { siret: '55208131766522', account: { lastName: 'Dupont-Martin', firstName: 'Hélène' } });
    expect((await verifyResetLink(db, { token, ...given, now: DURING })).result).toBe('valid');
  });

  it.each([
    ['a wrong last name', { ...triplet, lastName: 'Martin' }, ['last_name']],
    ['a wrong first name', { ...triplet, firstName: 'Claude' }, ['first_name']],
    ['another SIRET, even one in the directory', { ...triplet, siret: OTHER_SIRET }, ['siret']],
    ['everything wrong', { siret: '1', lastName: 'x', firstName: 'y' }, ['siret', 'last_name', 'first_name']],
  ])('refuses %s, counting the attempt', async (_name, given, mismatch) => {
    await db.insert(accounts).values({ siret: OTHER_SIRET, lastName: 'Martin', firstName: 'Claude' }).onConflictDoNothing();
    const { token, linkId, ticketId } = await seedLink(db);
    expect(await verifyResetLink(db, { token, ...given, now: DURING, actor: 'portal' })).toEqual({ result: 'mismatch', ticketId });
    const row = await linkRow(db, linkId);
    expect([row.status, row.failedAttempts]).toEqual(['active', 1]);
    expect((await eventsOf(db, ticketId)).map((e) => e.detail)).toEqual([{ result: 'mismatch', linkId, mismatch, failedAttempts: 1 }]);
  });

  it('refuses every triplet when the directory has no account for the SIRET', async () => {
    const { token, ticketId, linkId } = await seedLink(db, { siret: '35600000000048', account: null });
    expect(await verifyResetLink(db, { token, siret: '35600000000048', lastName: '', firstName: '', now: DURING })).toEqual({ result: 'mismatch', ticketId });
    expect((await eventsOf(db, ticketId))[0]!.detail).toEqual({ result: 'mismatch', linkId, mismatch: ['no_account'], failedAttempts: 1 });
  });

  it.each([
    ['one millisecond after expiry', new Date(EXPIRES.getTime() + 1)],
    ['exactly at expiry', EXPIRES],
  ])('says expired %s and marks the link expired', async (_name, now) => {
    const { token, linkId, ticketId } = await seedLink(db);
    expect(await verifyResetLink(db, { token, ...triplet, now })).toEqual({ result: 'expired', ticketId });
    expect((await linkRow(db, linkId)).status).toBe('expired');
    expect(await verifyResetLink(db, { token, ...triplet, now: DURING })).toEqual({ result: 'expired', ticketId });
  });

  it('says expired for a superseded link and leaves it superseded', async () => {
    const { token, linkId, ticketId } = await seedLink(db, { status: 'superseded' });
    expect(await verifyResetLink(db, { token, ...triplet, now: DURING })).toEqual({ result: 'expired', ticketId });
    expect((await linkRow(db, linkId)).status).toBe('superseded');
  });

  it.each([
    ['a token never issued', deriveResetToken(SECRET, 999_999)],
    ['a token derived with another secret', deriveResetToken(`${SECRET}-other`, 1)],
    ['an empty token', ''],
  ])('says unknown for %s and records nothing', async (_name, token) => {
    const before = (await db.select().from(ticketEvents)).length;
    expect(await verifyResetLink(db, { token, ...triplet, now: DURING })).toEqual({ result: 'unknown' });
    expect((await db.select().from(ticketEvents)).length).toBe(before);
  });

  it('locks the link after maxFailedAttempts wrong triplets: even the right one then gets expired', async () => {
    const { token, linkId, ticketId } = await seedLink(db);
    const wrong = { token, ...triplet, lastName: 'Pirate', now: DURING, maxFailedAttempts: 3 };
    expect(await verifyResetLink(db, wrong)).toEqual({ result: 'mismatch', ticketId });
    expect(await verifyResetLink(db, wrong)).toEqual({ result: 'mismatch', ticketId });
    expect(await verifyResetLink(db, wrong)).toEqual({ result: 'mismatch', ticketId, lockedOut: true });
    expect(await linkRow(db, linkId)).toMatchObject({ status: 'expired', failedAttempts: 3, usedAt: null });
    expect(await verifyResetLink(db, { token, ...triplet, now: DURING, maxFailedAttempts: 3 })).toEqual({ result: 'expired', ticketId });
  });

  it('locks after 5 wrong triplets by default', async () => {
    const { token, linkId } = await seedLink(db);
    const results = [];
    for (let i = 0; i < 6; i++) results.push((await verifyResetLink(db, { token, ...triplet, firstName: 'X', now: DURING })).result);
    expect(results).toEqual(['mismatch', 'mismatch', 'mismatch', 'mismatch', 'mismatch', 'expired']);
    expect((await linkRow(db, linkId)).failedAttempts).toBe(5);
  });

  it('lets only one of three simultaneous uses succeed', async () => {
    const { token } = await seedLink(db);
    const results = await Promise.all([1, 2, 3].map(() => verifyResetLink(db, { token, ...triplet, now: DURING })));
    expect(results.map((r) => r.result).sort()).toEqual(['already_used', 'already_used', 'valid']);
  });

  it('answers the portal through the HTTP handler with the result only', async () => {
    const { token } = await seedLink(db);
    const handler = createVerifyHandler({ database: fresh.database, now: () => DURING, rateLimit: { perMinute: 100 } });
    const body = { token, siret: SIRET, nom: 'Moutin', prenom: 'Claire' };
    expect(await handler({ body: { ...body, nom: 'Autre' }, ip: '192.0.2.7' })).toEqual({ status: 200, json: { result: 'mismatch' } });
    expect(await handler({ body, ip: '192.0.2.7' })).toEqual({ status: 200, json: { result: 'valid' } });
    expect(await handler({ body, ip: '192.0.2.7' })).toEqual({ status: 200, json: { result: 'already_used' } });
    expect(await handler({ body: { ...body, token: 'nope' }, ip: '192.0.2.7' })).toEqual({ status: 200, json: { result: 'unknown' } });
  });
});

function capture(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) };
}

describe.each<DbKind>(['postgres', 'pglite'])('liquibot links verify on %s', (kind) => {
  it('verifies as terminal:<user> and exits 0 only when valid', async () => {
    const fresh = await freshDatabase(kind);
    let database: Database = fresh.database;
    try {
      // The command reads the real clock: a link issued now, valid 8 hours.
      const { token, ticketId } = await seedLink(database.db, { issuedAt: new Date(), expiresAt: new Date(Date.now() + 8 * 3_600_000) });
      const config = loadConfig({ DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.url ?? '' });
      // PGlite: one process per data directory, so the command gets it to itself
      if (kind === 'pglite') await database.close();
      const run = async (args: string[]) => {
        const io = capture();
        return { code: await linksCommand(['verify', ...args], io, config), lines: io.lines };
      };
      expect(await run(['--token', token, '--siret', '732 829 320 00074', '--nom', 'moutin', '--prenom', 'Claire'])).toEqual({ code: 0, lines: ['valid: the link is valid and is now used'] });
      expect(await run(['--token', token, '--siret', SIRET, '--nom', 'Moutin', '--prenom', 'Claire'])).toEqual({ code: 1, lines: ['already_used: the link was already used'] });
      expect((await run(['--token', 'x', '--siret', SIRET, '--nom', 'M', '--prenom', 'C'])).lines[0]).toMatch(/^unknown: /);
      if (kind === 'pglite') database = await openDatabase({ dataDir: fresh.dataDir });
      const events = await eventsOf(database.db, ticketId);
      expect(events.map((e) => [e.actor, (e.detail as { result: string }).result])).toEqual([
        [`terminal:${userInfo().username}`, 'valid'], [`terminal:${userInfo().username}`, 'already_used'],
      ]);
    } finally {
      if (database !== fresh.database) await database.close();
      await fresh.cleanup();
    }
  });
});

describe('liquibot links (arguments)', () => {
  const config = loadConfig({ DATA_DIR: '/nonexistent-liquibot-dir' });
  it.each([[[]], [['--help']], [['verify', '--help']]])('%j prints the help', async (args) => {
    const io = capture();
    expect(await linksCommand(args, io, config)).toBe(0);
    expect(io.lines.join('\n')).toContain('liquibot links verify --token TOKEN');
  });

  it.each([
    [['verify', '--token', 't', '--siret', 's', '--nom', 'n'], 'needs --prenom'],
    [['verify'], 'needs --token, --siret, --nom, --prenom'],
    [['check'], 'unknown links command'],
    [['verify', '--tokn', 't'], "Unknown option '--tokn'"],
  ])('%j is a usage error', async (args, message) => {
    await expect(linksCommand(args, capture(), config)).rejects.toThrow(message);
  });
});
