import type { RequestCheck, DocumentInfo } from '../../parsers/check-request';
import type { Problem, ProblemCode } from '../../parsers/problems';
import type { ReadingSummary } from '../documents/reading-summary';

/** A court document as kept on the ticket: where it came from, so it can be forwarded to the agents. */
export interface TicketDocument extends DocumentInfo {
  inboundMessageId: number;
  /** For a PDF: whether the company's SIREN is in its text, read once at intake (outside any transaction). */
  sirenScan?: DocumentScan;
  /** What the document reader read in it (src/documents), before the approval request; absent until read. */
  reading?: ReadingSummary;
}

/** What one document says about one SIREN. */
export interface DocumentScan {
  siren: string;
  result: 'found' | 'not-found' | 'unreadable';
}

/** Scans gathered before a decision, by the document's SHA-256. */
export type DocumentScans = ReadonlyMap<string, DocumentScan>;

/** The check with each document's scan for the check's SIREN, where one was made. */
export function withDocumentScans(check: TicketCheck, scans: DocumentScans): TicketCheck {
  if (scans.size === 0) return check;
  const siren = check.siret?.slice(0, 9) ?? null;
  return {
    ...check,
    documents: check.documents.map((d) => {
      const scan = scans.get(d.sha256);
      return scan && scan.siren === siren ? { ...d, sirenScan: scan } : d;
    }),
  };
}

/** The PDFs of a check that have no scan for the check's SIREN yet. */
export function documentsToScan(check: TicketCheck): TicketDocument[] {
  const siren = check.siret?.slice(0, 9) ?? null;
  if (!siren) return [];
  return check.documents.filter((d) => d.kind === 'pdf' && d.sirenScan?.siren !== siren);
}

/** What the ticket knows after every message of the requester was checked (stored in tickets.check). */
export interface TicketCheck {
  siret: string | null;
  liquidatorEmail: string | null;
  documents: TicketDocument[];
  problems: Problem[];
  /** Facts a later mail of the thread set or changed, in order: the agents see each one (old → new). */
  changes?: FactChange[];
}

/** A fact of the request set or changed by a mail after the first one. */
export interface FactChange {
  field: 'siret' | 'liquidatorEmail' | 'document';
  /** The value before (null: the first request did not give a usable one). */
  from: string | null;
  /** The new value (for a document: its file name, or its SHA-256 when it has none). */
  to: string;
  inboundMessageId: number;
  /** Who sent the mail and when (its Date header, ISO), as shown to the agents. */
  sender: string | null;
  at: string | null;
}

const SIRET_CODES: ProblemCode[] = ['SIRET_MISSING', 'SIRET_INVALID', 'SIRET_MULTIPLE'];
const EMAIL_CODES: ProblemCode[] = ['LIQUIDATOR_EMAIL_MISSING', 'LIQUIDATOR_EMAIL_INVALID'];
const ATTACHMENT_CODES: ProblemCode[] = ['ATTACHMENT_MISSING', 'ATTACHMENT_INVALID'];

/** A check with nothing found yet (tests and tools build tickets with it). */
export const EMPTY_CHECK: TicketCheck = Object.freeze({ siret: null, liquidatorEmail: null, documents: [], problems: [] }) as TicketCheck;

/** The ticket's check after its first message. */
export function initialTicketCheck(check: RequestCheck, inboundMessageId: number): TicketCheck {
  return {
    siret: check.siret,
    liquidatorEmail: check.liquidatorEmail,
    documents: check.documents.map((d) => ({ ...d, inboundMessageId })),
    problems: [...check.problems],
  };
}

/**
 * Merge the check of a requester's follow-up (the fix to a non-conformity notice) into the ticket's.
 * A field the follow-up does not mention keeps its earlier state; a field it mentions replaces it,
 * good or bad. Documents accumulate: one acceptable document anywhere in the thread is enough.
 */
export function mergeTicketCheck(
  previous: TicketCheck, next: RequestCheck, inboundMessageId: number, source: { sender: string | null; at: string | null } = { sender: null, at: null },
): TicketCheck {
  const has = (check: { problems: Problem[] }, code: ProblemCode) => check.problems.some((p) => p.code === code);
  const pick = (codes: ProblemCode[], from: { problems: Problem[] }) => from.problems.filter((p) => codes.includes(p.code));

  const siretFromNext = !has(next, 'SIRET_MISSING');
  const emailFromNext = !has(next, 'LIQUIDATOR_EMAIL_MISSING');
  const documents = [...previous.documents];
  for (const doc of next.documents) {
    if (!documents.some((d) => d.sha256 === doc.sha256)) documents.push({ ...doc, inboundMessageId });
  }
  const attachmentProblems: Problem[] =
    documents.length > 0 ? [] : has(next, 'ATTACHMENT_INVALID') ? pick(ATTACHMENT_CODES, next) : pick(ATTACHMENT_CODES, previous);

  const siret = siretFromNext ? next.siret : previous.siret;
  const liquidatorEmail = emailFromNext ? next.liquidatorEmail : previous.liquidatorEmail;
  const changes = [...(previous.changes ?? [])];
  const change = (field: FactChange['field'], from: string | null, to: string) => changes.push({ field, from, to, inboundMessageId, ...source });
  if (siret !== null && siret !== previous.siret) change('siret', previous.siret, siret);
  if (liquidatorEmail !== null && liquidatorEmail !== previous.liquidatorEmail) change('liquidatorEmail', previous.liquidatorEmail, liquidatorEmail);
  for (const doc of documents.slice(previous.documents.length)) change('document', null, doc.filename ?? doc.sha256);
  return {
    siret,
    liquidatorEmail,
    documents,
    ...(changes.length > 0 ? { changes } : {}),
    problems: [
      ...(siretFromNext ? pick(SIRET_CODES, next) : pick(SIRET_CODES, previous)),
      ...(emailFromNext ? pick(EMAIL_CODES, next) : pick(EMAIL_CODES, previous)),
      ...attachmentProblems,
    ],
  };
}

/** Whether some document of the check still waits for the document reader. */
export function documentsAwaitingReading(check: TicketCheck): boolean {
  return check.documents.some((d) => d.reading === undefined);
}
