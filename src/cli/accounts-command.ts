import { readFileSync } from 'node:fs';
import type { Config } from '../config';
import { AppError } from '../errors';
import { findAccount, importAccounts } from '../accounts/import-accounts';
import { AccountsCsvError, decodeCsvBytes, parseAccountsCsv } from '../accounts/parse-accounts-csv';
import { formatSiret, isValidSiret, normalizeSiret } from '../../parsers/siret';
import { openDatabaseForCommand } from './open-database';
import { parseCommandArgs, type Output } from './usage';

export const ACCOUNTS_HELP = `Usage:
  liquibot accounts import FILE.csv [--dry-run]
  liquibot accounts show SIRET

The accounts directory says who administers each company's account: the SIRET / NOM / PRÉNOM
triplet a liquidator must type when using a reset link.

import   reads a CSV with a header line naming the columns siret, nom (or last_name) and
         prenom (or prénom, first_name), in any order; other columns are ignored. Separator
         ";", "," or tab (detected); UTF-8 (with or without BOM) or windows-1252 (Excel).
         Each SIRET is inserted, or its names updated; accounts absent from the file are kept.
         Bad lines (invalid SIRET, missing name, wrong number of fields, SIRET repeated in the
         file) are listed with their line numbers and skipped; the good lines are imported anyway.
         --dry-run checks the file and writes nothing.
         Exit status: 0 every line imported, 1 some lines rejected, 2 unreadable file or header.
show     prints the directory entry of a SIRET (exit 1 when there is none).`;

/** `liquibot accounts …`. */
export async function accountsCommand(args: string[], io: Output, config: Config): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseCommandArgs(rest, { 'dry-run': { type: 'boolean' } });
  if (values.help || !sub || sub === '--help' || sub === '-h') {
    io.out(ACCOUNTS_HELP);
    return 0;
  }
  if (sub === 'import') return importCommand(positionals, values['dry-run'] === true, io, config);
  if (sub === 'show') return showCommand(positionals, io, config);
  throw new AppError('USAGE', `unknown accounts command "${sub}"\n\n${ACCOUNTS_HELP}`);
}

async function importCommand(positionals: string[], dryRun: boolean, io: Output, config: Config): Promise<number> {
  if (positionals.length !== 1) throw new AppError('USAGE', 'accounts import takes one CSV file, e.g. liquibot accounts import annuaire.csv');
  const file = positionals[0]!;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    io.err(`cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseAccountsCsv(decodeCsvBytes(bytes));
  } catch (err) {
    if (!(err instanceof AccountsCsvError)) throw err;
    io.err(`${file}: ${err.message}`);
    return 2;
  }
  const { rows, rejected } = parsed;
  for (const r of rejected) io.err(`${file}:${r.line}: rejected: ${r.reason}`);

  if (dryRun) {
    io.out(`dry run: ${rows.length} account(s) would be imported, ${rejected.length} line(s) rejected; nothing written`);
  } else {
    const database = await openDatabaseForCommand(config);
    try {
      const counts = await importAccounts(database.db, rows, new Date());
      io.out(
        `${rows.length} account(s) imported (${counts.inserted} inserted, ${counts.updated} updated, ${counts.unchanged} unchanged), ${rejected.length} line(s) rejected`,
      );
    } finally {
      await database.close();
    }
  }
  return rejected.length > 0 ? 1 : 0;
}

async function showCommand(positionals: string[], io: Output, config: Config): Promise<number> {
  if (positionals.length < 1) throw new AppError('USAGE', 'accounts show takes one SIRET, e.g. liquibot accounts show "732 829 320 00074"');
  // a SIRET typed with spaces and not quoted arrives as several arguments
  const siret = normalizeSiret(positionals.join(''));
  if (!isValidSiret(siret)) throw new AppError('USAGE', `"${positionals.join(' ')}" is not a valid SIRET`);
  const database = await openDatabaseForCommand(config);
  try {
    const account = await findAccount(database.db, siret);
    if (!account) {
      io.out(`no account for SIRET ${formatSiret(siret)}`);
      return 1;
    }
    io.out(`SIRET:      ${formatSiret(account.siret)}`);
    io.out(`nom:        ${account.lastName}`);
    io.out(`prénom:     ${account.firstName}`);
    io.out(`updated:    ${account.updatedAt.toISOString()}`);
    return 0;
  } finally {
    await database.close();
  }
}
