import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config';
import { AppError } from '../errors';
import { parseMail } from '../mail/parse-mail';
import { verdictOf } from '../../parsers/check-verdict';
import { checkRequest } from '../../parsers/check-request';
import { formatSiret } from '../../parsers/siret';
import { isAllowedAgent, parseAllowList } from '../approval/agent-allow-list';
import { parseCommandArgs, type Output } from './usage';

export const CHECK_HELP = `Usage: liquibot check FILE.eml [--json]

Offline (no database, no network): prints what liquibot would decide for this mail.
  --json   print exactly one JSON object:
           {"handled", "ignoreReason", "verdict", "siret", "liquidatorEmail", "problems", "requester"}
           requester: the address liquibot would answer (the sender, or the original sender of a
           request forwarded by an agent of AGENT_SENDERS); null when not handled.

Exit code: 0 when the mail was read, 2 on a usage error or an unreadable file.`;

const PROBLEM_LABELS: Record<string, string> = {
  SIRET_MISSING: 'no "SIRET concerné :" line with a value',
  SIRET_INVALID: 'the SIRET is not 14 digits or fails its check digit',
  SIRET_MULTIPLE: 'more than one SIRET (one request per company)',
  LIQUIDATOR_EMAIL_MISSING: 'no "Mail du liquidateur à renseigner :" line with an address',
  LIQUIDATOR_EMAIL_INVALID: 'the liquidator address is not exactly one valid address',
  ATTACHMENT_MISSING: 'no attachment (the court document is required)',
  ATTACHMENT_INVALID: 'attachments, but none is a non-empty PDF, JPEG, PNG or TIFF',
};

/** `liquibot check FILE.eml [--json]`. */
export async function checkCommand(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (values.help) {
    io.out(CHECK_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new AppError('USAGE', 'check takes exactly one .eml file\n\n' + CHECK_HELP);
  const file = positionals[0]!;
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw new AppError('USAGE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // Only what identifies our own mail and the agents is read from the environment; nothing is required.
  const config = loadConfig(process.env);
  const mail = await parseMail(raw);
  // Offline: an agent is recognised by the allow-list alone (no DKIM check here).
  const agents = parseAllowList(config.AGENT_SENDERS, { subaddressSeparators: config.SUBADDRESS_SEPARATORS });
  const verdict = verdictOf(mail, { addresses: [config.MAIL_FROM], messageIdDomain: config.messageIdDomain }, {
    isAgent: (sender) => isAllowedAgent(sender, agents),
  });
  if (values.json) {
    io.out(JSON.stringify(verdict));
    return 0;
  }
  if (!verdict.handled) {
    io.out(`not handled: ${verdict.ignoreReason} (liquibot would not answer this mail)`);
    return 0;
  }
  io.out(`verdict: ${verdict.verdict}`);
  io.out(`SIRET: ${verdict.siret ? formatSiret(verdict.siret) : '-'}`);
  io.out(`liquidator address: ${verdict.liquidatorEmail ?? '-'}`);
  io.out(`answered to: ${verdict.requester ?? '-'}`);
  const check = checkRequest(mail);
  if (check.forward) io.out(`forwarded (${check.forward.via}), first sent by: ${check.forward.originalSender?.address ?? 'unknown'}`);
  if (check.problems.length === 0) io.out('problems: none');
  for (const p of check.problems) {
    const seen = p.found !== undefined ? ` (found: "${p.found}"${p.hint ? `, ${p.hint}` : ''})` : p.hint ? ` (${p.hint})` : '';
    io.out(`problem ${p.code}: ${PROBLEM_LABELS[p.code] ?? p.code}${seen}`);
  }
  return 0;
}
