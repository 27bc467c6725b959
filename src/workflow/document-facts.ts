import { findSirenInPdf } from '../approval/siren-in-pdf';
import { findInboundById } from '../db/inbound-queries';
import { errorFields } from '../log';
import { extractAttachments, type AttachmentContent } from '../mail/parse-mail';
import type { PipelineDeps } from './context';
import { documentsToScan, type DocumentScan, type TicketCheck } from './ticket-check';

/**
 * Reads the court documents of a check that have no scan for its SIREN yet: whether the company's
 * SIREN is in each PDF's text. Runs before the transaction (never under a row or advisory lock):
 * from the contents of the mail being processed, else from the stored source of the mail that
 * brought the document.
 */
export async function scanDocuments(
  deps: Pick<PipelineDeps, 'database' | 'log'>, check: TicketCheck, contents: ReadonlyMap<string, AttachmentContent>,
): Promise<Map<string, DocumentScan>> {
  const scans = new Map<string, DocumentScan>();
  const siren = check.siret?.slice(0, 9);
  const wanted = documentsToScan(check);
  if (!siren || wanted.length === 0) return scans;
  const missing = new Map<number, string[]>();
  for (const d of wanted) {
    const content = contents.get(d.sha256);
    if (content) scans.set(d.sha256, { siren, result: findSirenInPdf(content.content, siren) });
    else missing.set(d.inboundMessageId, [...(missing.get(d.inboundMessageId) ?? []), d.sha256]);
  }
  for (const [inboundId, sha256s] of missing) {
    try {
      const row = await findInboundById(deps.database.db, inboundId);
      if (!row?.raw) continue;
      for (const c of await extractAttachments(row.raw, sha256s)) scans.set(c.sha256, { siren, result: findSirenInPdf(c.content, siren) });
    } catch (err) {
      deps.log.warn({ inboundId, ...errorFields(err) }, 'court document could not be read for the SIREN check');
    }
  }
  return scans;
}
