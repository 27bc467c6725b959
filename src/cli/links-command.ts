import { userInfo } from 'node:os';
import type { Config } from '../config';
import { AppError } from '../errors';
import { verifyResetLink, type VerifyResult } from '../reset/verify-link';
import { openDatabaseForCommand } from './open-database';
import { parseCommandArgs, type Output } from './usage';

export const LINKS_HELP = `Usage:
  liquibot links verify --token TOKEN --siret SIRET --nom NOM --prenom PRENOM

Does what the portal does when a liquidator uses a reset link: checks the token, then the
SIRET / NOM / PRÉNOM triplet against the accounts directory. A valid check USES the link (it
cannot be used again); a wrong triplet counts as a failed attempt. The check is recorded in the
ticket's history as done by terminal:<your user name>.

Prints one of: valid, expired, already_used, mismatch, unknown.
Exit status: 0 when valid, 1 otherwise, 2 on bad arguments.
The token ends up in your shell history: clear it if that matters.`;

const MESSAGES: Record<VerifyResult, string> = {
  valid: 'the link is valid and is now used',
  expired: 'the link has expired (or was locked after too many wrong attempts): a new one must be issued',
  already_used: 'the link was already used',
  mismatch: 'the SIRET / NOM / PRÉNOM triplet does not match the accounts directory',
  unknown: 'no link has this token',
};

/** `liquibot links …`. */
export async function linksCommand(args: string[], io: Output, config: Config): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseCommandArgs(
    rest,
    { token: { type: 'string' }, siret: { type: 'string' }, nom: { type: 'string' }, prenom: { type: 'string' } },
    false,
  );
  if (values.help || !sub || sub === '--help' || sub === '-h') {
    io.out(LINKS_HELP);
    return 0;
  }
  if (sub !== 'verify') throw new AppError('USAGE', `unknown links command "${sub}"\n\n${LINKS_HELP}`);
  const missing = (['token', 'siret', 'nom', 'prenom'] as const).filter((k) => !values[k]?.trim());
  if (missing.length > 0) throw new AppError('USAGE', `links verify needs ${missing.map((k) => `--${k}`).join(', ')}\n\n${LINKS_HELP}`);
  const database = await openDatabaseForCommand(config);
  try {
    const outcome = await verifyResetLink(database.db, {
      token: values.token!.trim(),
      siret: values.siret!,
      lastName: values.nom!,
      firstName: values.prenom!,
      now: new Date(),
      actor: `terminal:${userInfo().username}`,
    });
    io.out(`${outcome.result}: ${MESSAGES[outcome.result]}${outcome.lockedOut ? ' (that was the last attempt: the link is now expired)' : ''}`);
    return outcome.result === 'valid' ? 0 : 1;
  } finally {
    await database.close();
  }
}
