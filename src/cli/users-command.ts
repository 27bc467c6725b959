import { userInfo } from 'node:os';
import type { Config } from '../config';
import { findUserByEmail, listUsers } from '../db/console-queries';
import { CONSOLE_ROLES, type ConsoleRole } from '../db/vocabulary';
import { AppError } from '../errors';
import { hashPassword, passwordProblem } from '../console/secrets';
import { addAccount, changeAccountRole, INVITATION_HOURS, invitationUrl, inviteAccount, isEmailAddress, setAccountDisabled } from '../console/user-accounts';
import { openDatabaseForCommand } from './open-database';
import { parseCommandArgs, type Output } from './usage';

export const USERS_HELP = `Usage:
  liquibot users add EMAIL --role agent|admin [--invite]
                                 a console account; its password is read from standard input (one line;
                                 asked twice, hidden, on a terminal), or --invite prints a one-time link
                                 (valid ${INVITATION_HOURS} hours) where the person chooses it
  liquibot users invite EMAIL    a new invitation link for an existing account (a forgotten password)
  liquibot users list [--json]   the accounts, their role and state
  liquibot users role EMAIL --role agent|admin
                                 changes the account's role (the last enabled admin cannot be demoted)
  liquibot users disable EMAIL   the account can no longer sign in; its sessions end now
                                 (the last enabled admin cannot be disabled)
  liquibot users enable EMAIL    the account can sign in again
--as NAME   the operator recorded in the console's audit log (default: $LIQUIBOT_OPERATOR, else the system user).

Agents see the queue, tickets and documents, and decide; admins also see the quarantine, status,
statistics, exports and accounts. Passwords: 12 characters at least, hashed with argon2id.`;

/** How the command reads a password: a line of standard input, hidden on a terminal. */
export interface PasswordInput {
  readPassword(prompt: string): Promise<string>;
  isInteractive: boolean;
}

export { consoleBaseUrl } from '../console/user-accounts';

/** `liquibot users …`: the console's local accounts. */
export async function usersCommand(args: string[], io: Output, config: Config, input: PasswordInput, now: () => Date = () => new Date()): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseCommandArgs(rest, {
    role: { type: 'string' }, invite: { type: 'boolean' }, json: { type: 'boolean' }, as: { type: 'string' },
  });
  if (values.help || !sub || sub === '--help' || sub === '-h') {
    io.out(USERS_HELP);
    return sub ? 0 : 2;
  }
  if (!['add', 'invite', 'list', 'disable', 'enable', 'role'].includes(sub)) throw new AppError('USAGE', `unknown users command "${sub}"\n\n${USERS_HELP}`);
  const needsEmail = sub !== 'list';
  if (needsEmail && positionals.length !== 1) throw new AppError('USAGE', `users ${sub} takes one address\n\n${USERS_HELP}`);
  const email = (positionals[0] ?? '').trim().toLowerCase();
  if (needsEmail && !isEmailAddress(email)) throw new AppError('USAGE', `"${positionals[0]}" is not an e-mail address`);
  let role: ConsoleRole | null = null;
  if (sub === 'add' || sub === 'role') {
    role = CONSOLE_ROLES.find((r) => r === values.role) ?? null;
    if (!role) throw new AppError('USAGE', `users ${sub} needs --role ${CONSOLE_ROLES.join('|')}`);
  }
  const operator = `terminal:${(values.as ?? process.env.LIQUIBOT_OPERATOR ?? userInfo().username).trim().slice(0, 100)}`;

  // Ask for the password before opening the database: a typo ends the command with nothing written.
  let passwordHash: string | null = null;
  if (sub === 'add' && !values.invite) {
    const password = await input.readPassword(`Password for ${email}: `);
    if (input.isInteractive && (await input.readPassword('Again: ')) !== password) {
      io.err('the two passwords differ; nothing changed');
      return 1;
    }
    const problem = passwordProblem(password, email);
    if (problem) {
      io.err(`password refused: ${problem}`);
      return 1;
    }
    passwordHash = await hashPassword(password);
  }

  const database = await openDatabaseForCommand(config);
  try {
    const db = database.db;
    const at = now();
    if (sub === 'list') {
      const users = await listUsers(db);
      if (values.json) {
        io.out(JSON.stringify(users.map((u) => ({
          email: u.email, role: u.role, disabled: u.disabledAt !== null, hasPassword: u.passwordHash !== null, lastLoginAt: u.lastLoginAt, createdAt: u.createdAt,
        }))));
        return 0;
      }
      for (const u of users) {
        const state = u.disabledAt ? 'disabled' : u.passwordHash ? 'active' : 'invited';
        io.out([u.email.padEnd(40), u.role.padEnd(6), state.padEnd(9), u.lastLoginAt ? `last login ${u.lastLoginAt.toISOString()}` : 'never signed in'].join(' '));
      }
      io.out(`${users.length} account(s)`);
      return 0;
    }
    const existing = await findUserByEmail(db, email);
    if (sub === 'add') {
      if (existing) {
        io.err(`${email} has an account already (${existing.role}${existing.disabledAt ? ', disabled' : ''}); nothing changed`);
        return 1;
      }
      const added = await addAccount(db, { email, role: role!, passwordHash }, { actor: operator, now: at });
      if (!added.ok) {
        io.err(`${email} has an account already; nothing changed`);
        return 1;
      }
      io.out(`${email} added (${role})`);
      if (added.invitationToken) io.out(`invitation link, valid ${INVITATION_HOURS} hours, to give to ${email} only:\n${invitationUrl(config, added.invitationToken)}`);
      return 0;
    }
    if (!existing) {
      io.err(`no account for ${email}`);
      return 1;
    }
    if (sub === 'invite') {
      const invited = await inviteAccount(db, existing, { actor: operator, now: at });
      if (!invited.ok) {
        io.err(`${email} signs in through the identity provider: detach it first (console, accounts page, « Détacher du fournisseur »); nothing changed`);
        return 1;
      }
      io.out(`invitation link, valid ${INVITATION_HOURS} hours, to give to ${email} only (the current password works until it is used):\n${invitationUrl(config, invited.token)}`);
      return 0;
    }
    if (sub === 'role') {
      const change = await changeAccountRole(db, existing.id, role!, { actor: operator, now: at });
      if (change === 'last-admin') {
        io.err(`${email} is the last enabled admin: make another account admin first; nothing changed`);
        return 1;
      }
      if (change !== 'done') {
        io.err(`${email} is ${role} already; nothing changed`);
        return 1;
      }
      io.out(`${email} is now ${role}`);
      return 0;
    }
    const disable = sub === 'disable';
    const change = await setAccountDisabled(db, existing.id, disable, { actor: operator, now: at });
    if (change === 'last-admin') {
      io.err(`${email} is the last enabled admin: enable or add another admin first; nothing changed`);
      return 1;
    }
    if (change !== 'done') {
      io.err(`${email} is ${disable ? 'disabled' : 'enabled'} already; nothing changed`);
      return 1;
    }
    io.out(`${email} ${disable ? 'disabled: it can no longer sign in, and its sessions have ended' : 'enabled'}`);
    return 0;
  } finally {
    await database.close();
  }
}

/** Reads one line of standard input; on a terminal, without echoing it. */
export function stdinPasswordInput(): PasswordInput {
  const stdin = process.stdin;
  let piped: Promise<string[]> | null = null;
  let next = 0;
  return {
    isInteractive: stdin.isTTY === true,
    async readPassword(prompt) {
      if (!stdin.isTTY) {
        piped ??= new Promise((resolve, reject) => {
          const chunks: Buffer[] = [];
          stdin.on('data', (c: Buffer) => chunks.push(c));
          stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').split(/\r?\n/)));
          stdin.on('error', reject);
        });
        return (await piped)[next++] ?? '';
      }
      process.stderr.write(prompt);
      stdin.setRawMode(true);
      stdin.resume();
      return new Promise((resolve) => {
        let typed = '';
        const onData = (chunk: Buffer) => {
          for (const ch of chunk.toString('utf8')) {
            if (ch === '\r' || ch === '\n' || ch === '\u0004') {
              stdin.setRawMode(false);
              stdin.pause();
              stdin.off('data', onData);
              process.stderr.write('\n');
              resolve(typed);
              return;
            }
            if (ch === '\u0003') process.exit(130);
            typed = ch === '\u007f' ? typed.slice(0, -1) : typed + ch;
          }
        };
        stdin.on('data', onData);
      });
    },
  };
}
