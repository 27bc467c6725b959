import { DAEMON_REQUIRED, loadConfig } from './config';
import { isAppError } from './errors';
import { createLogger, errorFields } from './log';
import { startDaemon } from './daemon';
import { checkCommand } from './cli/check-command';
import { migrateDatabase, openDatabase } from './db/client';
import { replayCommand } from './cli/replay-command';
import { ticketsCommand } from './cli/tickets-command';
import { templatesCommand } from './cli/templates-command';
import { databaseTemplatesForCommand } from './cli/database-templates';
import { stdio, suggestCommand, versionText } from './cli/usage';
import { statusCommand } from './cli/status-command';
import { purgeCommand } from './cli/purge-command';
import { decideCommand } from './cli/decide-command';
import { accountsCommand } from './cli/accounts-command';
import { linksCommand } from './cli/links-command';
import { stdinPasswordInput, usersCommand } from './cli/users-command';
import { ticketTemplateVars } from './cli/ticket-template-vars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './project-root';

const HELP = `liquibot — runs the "liquidateur judiciaire" procedure by mail

Usage: liquibot COMMAND [options]     (every command takes --help; liquibot --version)

  run                      watch the mailbox, check requests, answer them (also: npm start)
  check FILE.eml [--json]  offline: what liquibot would decide for this mail
  migrate                  apply database migrations and exit
  tickets list|show        tickets and their history (list --status awaiting-approval)
  approve REF              approve a request, as an agent's VALIDER would
  refuse REF --reason "…"  refuse a request; the reason goes to the requester
  accounts import|show     the accounts directory (SIRET → administrator), loaded from CSV
  links verify             check a reset link against SIRET / NOM / PRÉNOM (consumes it when valid)
  users add|invite|list|role|disable|enable
                           the web console's accounts (agents, admins)
  replay                   process quarantined mail again
  status [--json]          tickets, outbox, quarantine and the daemon's health at a glance
  purge [--dry-run]        apply the retention rules now (RETENTION_DAYS)
  templates check|vars|preview
                           validate, document and preview the mail templates

Configuration comes from the environment (see .env.example).`;

const RUN_HELP = `Usage: liquibot run

Watches IMAP_URL (IDLE plus a resync on RESYNC_CRON), processes each message, sends the outbox
over SMTP_URL. Stops gracefully on SIGTERM/SIGINT. Required: ${DAEMON_REQUIRED.join(', ')}.`;

/** The commands of the switch below, for suggesting one when a mistyped one is given. */
const COMMANDS = [
  'run', 'check', 'migrate', 'tickets', 'approve', 'refuse', 'accounts', 'links', 'users', 'replay', 'status', 'purge', 'templates', 'help', '--help', '--version',
] as const;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    stdio.out(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V' || command === '-v') {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    stdio.out(versionText(version, process.version));
    return 0;
  }
  const wantsHelp = args.includes('--help') || args.includes('-h');
  switch (command) {
    case 'check':
      return checkCommand(args, stdio);
    case 'run': {
      if (wantsHelp) return (stdio.out(RUN_HELP), 0);
      const config = loadConfig(process.env, DAEMON_REQUIRED);
      const log = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? process.stderr.isTTY });
      const daemon = await startDaemon({ config, log });
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (signal: string) => {
          signals += 1;
          if (signals > 1) {
            log.warn({ signal }, 'second signal, exiting now');
            process.exit(130);
          }
          log.info({ signal }, 'signal received');
          daemon.stop().then(resolve, (err) => {
            log.error(errorFields(err), 'stop failed');
            resolve();
          });
        };
        process.on('SIGTERM', () => onSignal('SIGTERM'));
        process.on('SIGINT', () => onSignal('SIGINT'));
      });
      return 0;
    }
    case 'migrate': {
      if (wantsHelp) return (stdio.out('Usage: liquibot migrate\n\nApplies pending migrations from drizzle/ to DATABASE_URL (or the embedded database under DATA_DIR), under an advisory lock.'), 0);
      const config = loadConfig(process.env);
      const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        await migrateDatabase(database);
      } finally {
        await database.close();
      }
      stdio.out(`migrations applied (${database.kind})`);
      return 0;
    }
    case 'approve':
    case 'refuse': {
      const config = loadConfig(process.env);
      return decideCommand(command, args, stdio, config, createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pretty: process.stderr.isTTY }));
    }
    case 'accounts':
      return accountsCommand(args, stdio, loadConfig(process.env));
    case 'links':
      return linksCommand(args, stdio, loadConfig(process.env));
    case 'users':
      return usersCommand(args, stdio, loadConfig(process.env), stdinPasswordInput());
    case 'tickets':
      return ticketsCommand(args, stdio, loadConfig(process.env));
    case 'replay': {
      const config = loadConfig(process.env);
      return replayCommand(args, stdio, config, createLogger({ level: config.LOG_LEVEL, pretty: process.stderr.isTTY }));
    }
    case 'status':
      return statusCommand(args, stdio, loadConfig(process.env));
    case 'purge': {
      const config = loadConfig(process.env);
      return purgeCommand(args, stdio, config, createLogger({ level: config.LOG_LEVEL, pretty: process.stderr.isTTY }));
    }
    case 'templates': {
      const config = loadConfig(process.env);
      return templatesCommand(args, {
        templatesDir: config.TEMPLATES_DIR, out: stdio.out, err: stdio.err, timeZone: config.TIMEZONE,
        loadTicketVars: (ref, name) => ticketTemplateVars(config, ref, name),
        ...(config.DATABASE_URL ? { loadDatabaseTemplates: () => databaseTemplatesForCommand(config) } : {}),
      });
    }
    default: {
      const suggestion = suggestCommand(command, COMMANDS);
      if (suggestion) stdio.err(`liquibot: unknown command "${command}". Did you mean "${suggestion}"?\n(liquibot --help lists the commands)`);
      else stdio.err(`unknown command "${command}"\n\n${HELP}`);
      return 2;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (isAppError(err)) {
      stdio.err(`liquibot: ${err.message}`);
      process.exitCode = err.code === 'USAGE' || err.code === 'CONFIG_INVALID' ? 2 : 1;
    } else {
      stdio.err(`liquibot: unexpected error: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    }
    // A daemon whose start failed half-way (e.g. HTTP_PORT taken) may hold timers and connections: exit.
    if (process.argv[2] === 'run') process.exit();
  },
);
