import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccount, importAccounts } from '../../src/accounts/import-accounts';
import { parseAccountsCsv } from '../../src/accounts/parse-accounts-csv';
import { accountsCommand } from '../../src/cli/accounts-command';
import type { Output } from '../../src/cli/usage';
import { loadConfig } from '../../src/config';
import { openDatabase, type Db } from '../../src/db/client';
import { accounts } from '../../src/db/schema';
import { databaseForSuite, freshDatabase, type DbKind } from './support/liquibot-harness';

const A = '73282932000074';
const B = '44306184100047';
const C = '55208131766522';
const T1 = new Date('2026-11-26T10:00:00Z');
const T2 = new Date('2026-11-27T10:00:00Z');

async function all(db: Db) {
  return (await db.select().from(accounts)).sort((x, y) => x.siret.localeCompare(y.siret));
}

describe.each<DbKind>(['postgres', 'pglite'])('importAccounts on %s', (kind) => {
  const fresh = databaseForSuite(kind);
  let db: Db;
  beforeAll(() => {
    db = fresh.database.db;
  });

  it('inserts, then updates only the changed names, keeping accounts absent from the file', async () => {
    const first = parseAccountsCsv(`siret;nom;prenom\n${A};Moutin;Claire\n${B};Martin;Paul\n`);
    expect(await importAccounts(db, first.rows, T1)).toEqual({ inserted: 2, updated: 0, unchanged: 0 });

    const second = parseAccountsCsv(`siret;nom;prenom\n${A};Moutin;Claire\n${B};Martin;Pierre\n${C};Durand;Anne\n`);
    expect(await importAccounts(db, second.rows, T2)).toEqual({ inserted: 1, updated: 1, unchanged: 1 });
    expect(await all(db)).toEqual([
      { siret: B, lastName: 'Martin', firstName: 'Pierre', updatedAt: T2 },
      { siret: C, lastName: 'Durand', firstName: 'Anne', updatedAt: T2 },
      { siret: A, lastName: 'Moutin', firstName: 'Claire', updatedAt: T1 },
    ]);
    expect(await importAccounts(db, [], T2)).toEqual({ inserted: 0, updated: 0, unchanged: 0 });
    expect(await all(db)).toHaveLength(3);
  });

  it('keeps the first of a SIRET given twice', async () => {
    const rows = [{ siret: '35600000000048', lastName: 'Premier', firstName: 'A' }, { siret: '35600000000048', lastName: 'Second', firstName: 'B' }];
    expect(await importAccounts(db, rows, T1)).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect((await findAccount(db, '35600000000048'))?.lastName).toBe('Premier');
  });

  it('writes nothing when a row is invalid (one transaction)', async () => {
    const before = await all(db);
    await expect(importAccounts(db, [{ siret: '35600000049837', lastName: 'Neuf', firstName: 'N' }, { siret: '123', lastName: 'x', firstName: 'y' }], T2)).rejects.toThrow('invalid SIRET');
    expect(await all(db)).toEqual(before);
  });

  it('imports more rows than one statement takes', async () => {
    const rows = Array.from({ length: 2500 }, (_v, i) => {
      const body = `9${String(i).padStart(12, '0')}`;
      const check = [...Array(10).keys()].map(String).find((d) => luhn(`${body}${d}`))!;
      return { siret: `${body}${check}`, lastName: `Nom${i}`, firstName: 'P' };
    });
    expect(await importAccounts(db, rows, T1)).toEqual({ inserted: 2500, updated: 0, unchanged: 0 });
    expect(await importAccounts(db, rows.map((r, i) => (i % 2 ? { ...r, firstName: 'Q' } : r)), T2)).toEqual({ inserted: 0, updated: 1250, unchanged: 1250 });
  });
});

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function capture(): Output & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => out_.push(l), err: (l) => err_.push(l) };
}

describe.each<DbKind>(['postgres', 'pglite'])('liquibot accounts on %s', (kind) => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let files: string;
  let config: ReturnType<typeof loadConfig>;
  beforeAll(async () => {
    fresh = await freshDatabase(kind);
    // PGlite: one process per data directory, so the commands get it to themselves
    if (kind === 'pglite') await fresh.database.close();
    config = loadConfig({ DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.url ?? '' });
    files = mkdtempSync(join(tmpdir(), 'liquibot-accounts-'));
  });
  afterAll(async () => {
    await fresh?.cleanup();
    rmSync(files, { recursive: true, force: true });
  });

  const file = (name: string, content: string | Buffer) => {
    const path = join(files, name);
    writeFileSync(path, content);
    return path;
  };
  const run = async (args: string[]) => {
    const io = capture();
    const code = await accountsCommand(args, io, config);
    return { code, out: io.out_, err: io.err_ };
  };

  it('imports a clean windows-1252 file and exits 0', async () => {
    // as Excel writes it on a French Windows: é is 0xE9, œ is 0x9C
    const win1252 = (text: string) => Buffer.from(Array.from(text, (c) => (c === 'œ' ? 0x9c : c.charCodeAt(0))));
    const path = file('clean.csv', win1252(`SIRET;Nom;Prénom\r\n${A};Moutin;Hélène\r\n${B};Lœuvre;Zoé\r\n`));
    expect(await run(['import', path])).toEqual({ code: 0, out: ['2 account(s) imported (2 inserted, 0 updated, 0 unchanged), 0 line(s) rejected'], err: [] });
    expect((await run(['show', B])).out).toEqual([`SIRET:      443 061 841 00047`, 'nom:        Lœuvre', 'prénom:     Zoé', expect.stringMatching(/^updated: {4}\d{4}-/)]);
  });

  it('imports the good lines of a file with bad ones, lists the bad ones and exits 1', async () => {
    const path = file('mixed.csv', `siret,nom,prenom\n${A},Moutin,Claire\n12345678912345,Faux,Siret\n${C},Durand\n${A},Double,Ligne\n`);
    expect(await run(['import', path])).toEqual({
      code: 1,
      out: ['1 account(s) imported (0 inserted, 1 updated, 0 unchanged), 3 line(s) rejected'],
      err: [
        `${path}:3: rejected: invalid SIRET "12345678912345"`,
        `${path}:4: rejected: wrong number of fields: 2, the header has 3`,
        `${path}:5: rejected: duplicate SIRET, first given on line 2`,
      ],
    });
    expect((await run(['show', '732', '829', '320', '00074'])).out[1]).toBe('nom:        Moutin');
  });

  it('--dry-run reports and writes nothing', async () => {
    const path = file('dry.csv', `siret;nom;prenom\n${C};Durand;Anne\nbad;x;y\n`);
    expect(await run(['import', path, '--dry-run'])).toEqual({
      code: 1, out: ['dry run: 1 account(s) would be imported, 1 line(s) rejected; nothing written'], err: [`${path}:3: rejected: invalid SIRET "bad"`],
    });
    expect(await run(['show', C])).toEqual({ code: 1, out: ['no account for SIRET 552 081 317 66522'], err: [] });
  });

  it.each([
    ['a file without the required header', 'noheader.csv', `${A};Moutin;Claire\n`, /the header must name the columns siret, nom and prenom/],
    ['an empty file', 'empty.csv', '', /the file is empty/],
  ])('exits 2 on %s', async (_name, name, content, message) => {
    const result = await run(['import', file(name, content)]);
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(message);
  });

  it('exits 2 on a missing file', async () => {
    const result = await run(['import', join(files, 'absent.csv')]);
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/cannot read .*absent\.csv/);
  });

  it.each([[[]], [['--help']], [['import', '--help']], [['show', '-h']]])('%j prints the help', async (args) => {
    const result = await run(args);
    expect(result.code).toBe(0);
    expect(result.out[0]).toContain('liquibot accounts import FILE.csv [--dry-run]');
  });

  it.each([
    [['import'], 'takes one CSV file'],
    [['import', 'a.csv', 'b.csv'], 'takes one CSV file'],
    [['show'], 'takes one SIRET'],
    [['show', '12345678912345'], 'is not a valid SIRET'],
    [['delete', A], 'unknown accounts command'],
    [['import', 'a.csv', '--force'], "Unknown option '--force'"],
  ])('%j is a usage error', async (args, message) => {
    await expect(run(args)).rejects.toThrow(message);
  });

  it('reads back what was imported', async () => {
    const database = await openDatabase({ url: fresh.url, dataDir: fresh.dataDir });
    try {
      expect((await findAccount(database.db, A))?.firstName).toBe('Claire');
    } finally {
      await database.close();
    }
  });
});
