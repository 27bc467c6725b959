import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config';
import { AppError } from '../errors';
import { extractAttachments, parseMail } from '../mail/parse-mail';
import { createDocumentReader } from '../documents/read-document';
import { summariseReading, type ReadingSummary } from '../documents/reading-summary';
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
           documentSiren: "found" | "not-found" | "unreadable", whether the court document names the
           SIRET's company (null: no valid SIRET, no document, or DOCUMENT_READING=false); document:
           what was read (court, judgment date, company, liquidator, pages read, method text or ocr).
           The reading is the daemon's, with the same bounds (DOCUMENT_* variables).

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
  const reading = verdict.handled ? await readDocuments(raw, mail, verdict.siret, config) : { documentSiren: null, document: null };
  if (values.json) {
    io.out(JSON.stringify({ ...verdict, ...reading }));
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
  if (reading.documentSiren) io.out(`court document: SIREN ${reading.documentSiren}${reading.document ? ` (${JSON.stringify(reading.document)})` : ''}`);
  return 0;
}

type DocumentOutput = {
  documentSiren: 'found' | 'not-found' | 'unreadable' | null;
  document: { method: string; pages: number; pagesRead: number; court: string | null; judgmentDate: string | null; company: string | null; liquidator: string | null; liquidation: boolean } | null;
};

/** The daemon's reading of the mail's court documents, with its bounds (a reader process, closed after). */
async function readDocuments(raw: Buffer, mail: Awaited<ReturnType<typeof parseMail>>, siret: string | null, config: ReturnType<typeof loadConfig>): Promise<DocumentOutput> {
  const documents = checkRequest(mail).documents;
  if (!config.DOCUMENT_READING || !siret || documents.length === 0) return { documentSiren: null, document: null };
  const reader = createDocumentReader({
    poolSize: 1, timeoutMs: config.DOCUMENT_READ_TIMEOUT_MS, workerMaxMb: config.DOCUMENT_WORKER_MAX_MB,
    maxPages: config.DOCUMENT_MAX_PAGES, maxOcrPages: config.DOCUMENT_MAX_OCR_PAGES, ocrDpi: config.OCR_DPI,
    maxBytes: config.DOCUMENT_MAX_MB * 1024 * 1024,
  });
  try {
    const contents = await extractAttachments(raw, documents.map((d) => d.sha256));
    const summaries: ReadingSummary[] = [];
    for (const d of documents) {
      const content = contents.find((c) => c.sha256 === d.sha256);
      if (content) summaries.push(summariseReading(await reader.readDocument(content.content, d.kind), siret));
    }
    const read = summaries.filter((r) => r.status === 'read');
    const documentSiren = read.some((r) => r.siren?.result === 'found') ? 'found' : read.length > 0 ? 'not-found' : summaries.length > 0 ? 'unreadable' : null;
    const best = read.find((r) => r.siren?.result === 'found') ?? read[0];
    return {
      documentSiren,
      document: best ? {
        method: best.method!, pages: best.pages!, pagesRead: best.pagesRead!, court: best.court?.value ?? null,
        judgmentDate: best.judgmentDate?.written ?? null, company: best.company?.value ?? null, liquidator: best.liquidator?.value ?? null,
        liquidation: best.liquidation === true,
      } : null,
    };
  } finally {
    await reader.close();
  }
}
