import type { DocumentReading, UnreadableReason } from './document-reading';
import { compareSiren } from './document-facts';

/**
 * What the ticket keeps of a document's reading (in tickets.check), and what the agents are shown:
 * the facts read, each with its page, and the SIREN compared with the request's. Never the text.
 */
export interface ReadingSummary {
  /** 'pending': the reading did not finish within DOCUMENT_APPROVAL_WAIT_MS; the approval request went without it. */
  status: 'read' | 'unreadable' | 'pending';
  method?: 'text' | 'ocr';
  pages?: number;
  pagesRead?: number;
  /** Why it could not be read (ENCRYPTED, DAMAGED, NO_TEXT, TIMEOUT, …). */
  reason?: string;
  /** The request's SIREN in the document: found (page), another one written instead, or none. */
  siren: { expected: string; result: 'found' | 'other' | 'not-found'; page?: number; others?: string[] } | null;
  court: { value: string; page: number } | null;
  judgmentDate: { written: string; page: number } | null;
  company: { value: string; page: number } | null;
  liquidator: { value: string; page: number } | null;
  /** Whether the text speaks of "liquidation judiciaire" (null when unread). */
  liquidation: boolean | null;
}

const NOTHING = { siren: null, court: null, judgmentDate: null, company: null, liquidator: null, liquidation: null } as const;

/** The summary of a reading, compared with the request's SIREN (the first 9 digits of its SIRET), or of no reading in time. */
export function summariseReading(reading: DocumentReading | 'pending', siret: string | null): ReadingSummary {
  if (reading === 'pending') return { status: 'pending', ...NOTHING };
  if (reading.status === 'unreadable') return { status: 'unreadable', reason: reading.reason, pages: reading.pages, ...NOTHING };
  const { facts } = reading;
  const expected = siret?.slice(0, 9) ?? null;
  const comparison = expected ? compareSiren(facts, expected) : null;
  return {
    status: 'read',
    method: reading.method,
    pages: reading.pages,
    pagesRead: reading.pagesRead,
    siren: !expected || !comparison ? null
      : comparison.result === 'found' ? { expected, result: 'found', page: comparison.page }
        : comparison.result === 'other' ? { expected, result: 'other', others: comparison.sirens }
          : { expected, result: 'not-found' },
    court: facts.court,
    judgmentDate: facts.judgmentDate ? { written: facts.judgmentDate.written, page: facts.judgmentDate.page } : null,
    company: facts.company ? { value: facts.company.value, page: facts.company.page } : null,
    liquidator: facts.liquidator,
    liquidation: facts.liquidation !== null,
  };
}

/** Every reason has its French words: a reason added to UNREADABLE_REASONS without one does not compile. */
const UNREADABLE_LABEL: Record<UnreadableReason, string> = {
  ENCRYPTED: 'protégé par un mot de passe',
  DAMAGED: 'endommagé',
  TOO_LARGE: 'trop volumineux',
  TOO_MANY_PAGES: 'trop de pages',
  IMAGE_TOO_LARGE: 'image trop grande',
  UNSUPPORTED: 'format non pris en charge',
  NO_TEXT: 'aucun texte lisible, même par reconnaissance de caractères',
  TIMEOUT: 'lecture trop longue',
  MEMORY: 'lecture trop gourmande en mémoire',
  READER_FAILED: 'le lecteur de documents s’est arrêté',
  CANCELLED: 'lecture interrompue',
  QUEUE_FULL: 'trop de documents en attente de lecture',
};

const formatSiren = (s: string) => `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6, 9)}`;

/** "Lu dans le document": one line per document, in French, for the approval request. */
export function readingLine(filename: string | null, r: ReadingSummary): string {
  const name = filename ?? 'document sans nom';
  if (r.status === 'pending') return `${name} : lecture non terminée à l’envoi de cette demande.`;
  if (r.status === 'unreadable') return `${name} : illisible (${UNREADABLE_LABEL[r.reason as UnreadableReason] ?? r.reason}).`;
  const how = `${r.method === 'ocr' ? 'lu par reconnaissance de caractères' : 'texte'}, ${r.pagesRead}/${r.pages} page(s)`;
  const facts = [
    r.court ? `${r.court.value} (p. ${r.court.page})` : 'tribunal non trouvé',
    r.judgmentDate ? `jugement du ${r.judgmentDate.written} (p. ${r.judgmentDate.page})` : null,
    r.company ? `société ${r.company.value} (p. ${r.company.page})` : null,
    r.liquidator ? `liquidateur ou mandataire : ${r.liquidator.value} (p. ${r.liquidator.page})` : null,
    r.siren?.result === 'found' ? `SIREN ${formatSiren(r.siren.expected)} trouvé (p. ${r.siren.page})` : null,
    r.liquidation === false ? 'ne mentionne pas de liquidation judiciaire' : null,
  ].filter(Boolean);
  return `${name} (${how}) : ${facts.join(' ; ')}.`;
}

/** The points d'attention that the readings of a request's documents raise, each with its reason. */
export function readingWarnings(readings: readonly { filename: string | null; reading: ReadingSummary }[]): string[] {
  if (readings.length === 0) return [];
  const w: string[] = [];
  const read = readings.filter((r) => r.reading.status === 'read');
  const found = read.some((r) => r.reading.siren?.result === 'found');
  for (const { filename, reading } of read) {
    if (reading.siren?.result === 'other' && !found) {
      w.push(`Le document ${filename ?? ''} mentionne un autre SIREN (${(reading.siren.others ?? []).map(formatSiren).join(', ')}) et pas celui de l’entreprise (${formatSiren(reading.siren.expected)}) : vérifiez qu’il concerne bien cette entreprise.`.replace('document  ', 'document '));
    }
  }
  if (read.length > 0 && !found && !read.some((r) => r.reading.siren?.result === 'other') && read.some((r) => r.reading.siren)) {
    w.push('Le SIREN de l’entreprise n’a pas été trouvé dans le document : vérifiez qu’il concerne bien cette entreprise.');
  }
  if (read.length > 0 && read.every((r) => r.reading.liquidation === false)) {
    w.push('Le document ne mentionne pas de liquidation judiciaire : vérifiez qu’il s’agit bien du jugement.');
  }
  for (const { filename, reading } of readings) {
    if (reading.status === 'unreadable') {
      w.push(`Le document ${filename ?? 'sans nom'} n’a pas pu être lu, même par reconnaissance de caractères (${UNREADABLE_LABEL[reading.reason as UnreadableReason] ?? reading.reason}) : vérification manuelle nécessaire.`);
    }
    if (reading.status === 'pending') {
      w.push(`Le document ${filename ?? 'sans nom'} n’a pas pu être lu dans le délai : vérification manuelle nécessaire.`);
    }
  }
  return w;
}
