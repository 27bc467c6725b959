import { toOneLine, toSafeParagraph } from '../../parsers/one-line';
import { formatSiret } from '../../parsers/siret';

/** How the console writes values: dates in the service's time zone, ages, SIRETs, and mail data on one line. */

/** Bounds of values from a mail, as the mails to the agents bound them (src/templates/schemas.ts). */
export const SHOWN = { name: 120, address: 320, subject: 200, filename: 120, detail: 500, text: 20_000 } as const;

/** A value from a mail on one line: breaks shown as ↵, invisible characters as �, bounded (parsers/one-line.ts). */
export function oneLine(value: string | null | undefined, max: number): string {
  return value ? toOneLine(value, max) : '';
}

/** Free text from a mail that keeps its lines, otherwise as oneLine. */
export function paragraph(value: string | null | undefined, max: number = SHOWN.text): string {
  return value ? toSafeParagraph(value, max) : '';
}

export function dateTime(date: Date | null | undefined, timeZone: string): string {
  if (!date || Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat('fr-FR', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(date);
}

/** A duration as people say it: « 45 min », « 3 h 12 min », « 2 j 4 h ». */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} j ${hours % 24} h`;
}

export function siret(value: string | null | undefined): string {
  return value ? formatSiret(value) : '—';
}

export function kibibytes(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1024)).toLocaleString('fr-FR')} Ko`;
}

/** Approval tokens hidden in mails shown again: a token binds a mail decision, and has no business on a screen. */
export function withoutApprovalTokens(text: string): string {
  return text.replace(/ljv-[0-9a-f]{32}/g, 'ljv-[masqué]');
}

/** `/console/tickets/LJ-…` */
export function ticketPath(base: string, ref: string): string {
  return `${base}/tickets/${encodeURIComponent(ref)}`;
}
