import type { Config } from '../config';
import { listQuarantined } from '../db/inbound-queries';
import { AppError } from '../errors';
import type { Logger } from '../log';
import { replayQuarantined } from '../workflow/replay-quarantined';
import { createPipelineDeps } from '../workflow/deps';
import { openTemplateStore } from '../templates/open-store';
import { openDatabaseForCommand } from './open-database';
import { parseCommandArgs, type Output } from './usage';

export const REPLAY_HELP = `Usage:
  liquibot replay --list          list quarantined mails (id, error code, reason)
  liquibot replay ID [ID ...]     process these quarantined mails again from their stored raw source
  liquibot replay --all           process every quarantined mail again

Mails that liquibot answers are queued in the outbox; the running daemon sends them.`;

/** `liquibot replay …`: quarantined mail is never dropped and can be processed again. */
export async function replayCommand(args: string[], io: Output, config: Config, log: Logger): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { all: { type: 'boolean' }, list: { type: 'boolean' } });
  if (values.help || (!values.all && !values.list && positionals.length === 0)) {
    io.out(REPLAY_HELP);
    return values.help ? 0 : 2;
  }
  const ids = positionals.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n <= 0) throw new AppError('USAGE', `"${p}" is not a message id`);
    return n;
  });
  const database = await openDatabaseForCommand(config);
  try {
    const quarantined = await listQuarantined(database.db);
    if (values.list) {
      for (const q of quarantined) io.out(`#${q.id} ${q.receivedAt.toISOString()} ${q.errorCode} ${q.sizeBytes} B ${q.errorDetail ?? ''}`);
      io.out(`${quarantined.length} quarantined mail(s)`);
      return 0;
    }
    const targets = values.all ? quarantined.map((q) => q.id) : ids;
    const templates = await openTemplateStore(config, log, { database });
    const deps = createPipelineDeps({ config, database, templates, log });
    let failures = 0;
    for (const id of targets) {
      const replay = await replayQuarantined(deps, id);
      switch (replay.kind) {
        case 'missing':
          io.err(`#${id}: no such message`);
          failures += 1;
          break;
        case 'not-quarantined':
          io.err(`#${id}: not quarantined (status ${replay.status}), left as is`);
          failures += 1;
          break;
        case 'header-only':
          io.err(`#${id}: only the header of this ${replay.sizeBytes}-byte mail was kept; raise MAX_MESSAGE_BYTES and remove the $LiquibotDone flag from it in the mailbox: the daemon then fetches and processes it whole`);
          failures += 1;
          break;
        case 'replayed': {
          const { result } = replay;
          io.out(`#${id}: ${result.outcome}${result.ticketRef ? ` ${result.ticketRef}` : ''}${result.mailsQueued ? `, ${result.mailsQueued} mail(s) queued` : ''}`);
          if (result.outcome === 'quarantined') failures += 1;
        }
      }
    }
    io.out(`${targets.length - failures} replayed, ${failures} not`);
    return failures > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}
