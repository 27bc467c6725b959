/**
 * The accounts directory as admins export it: a CSV of SIRET / NOM / PRÉNOM of each company's
 * account administrator. Pure: no I/O.
 */
import { parse, type CsvError } from 'csv-parse/sync';
import { decodeWindows1252 } from '../../parsers/windows-1252';
import { isValidSiret, normalizeSiret } from '../../parsers/siret';

export interface AccountRow {
  /** 14 digits, normalized. */
  siret: string;
  lastName: string;
  firstName: string;
}

export interface RejectedLine {
  /** 1-based line of the file where the record starts. */
  line: number;
  reason: string;
  /** The record as written (cut at 200 characters). */
  raw: string;
}

export interface ParsedAccounts {
  rows: AccountRow[];
  rejected: RejectedLine[];
  separator: ';' | ',' | '\t';
}

/** The file as a whole cannot be read: no header, or a required column missing. */
export class AccountsCsvError extends Error {
  override readonly name = 'AccountsCsvError';
}

export const MAX_NAME_LENGTH = 200;

/**
 * The text of a CSV file: UTF-8 (BOM removed) unless it is not well-formed UTF-8 — a lone
 * Latin-1 byte decodes to U+FFFD — in which case it is read as windows-1252, what Excel
 * writes on a French Windows.
 */
export function decodeCsvBytes(buf: Uint8Array): string {
  const utf8 = new TextDecoder('utf-8').decode(buf);
  const text = utf8.includes('\ufffd') ? decodeWindows1252(buf) : utf8;
  return text.replace(/^\ufeff/, '');
}

type Column = 'siret' | 'lastName' | 'firstName';
const HEADER_NAMES: Record<string, Column> = {
  siret: 'siret',
  nom: 'lastName', last_name: 'lastName', lastname: 'lastName', nom_de_famille: 'lastName',
  prenom: 'firstName', first_name: 'firstName', firstname: 'firstName',
};

function headerKey(cell: string): string {
  return cell.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim().replace(/[\s-]+/g, '_');
}

interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
  /** The record as written, without its line ending. */
  raw: string;
  /** Why csv-parse could not read the record (then `fields` is empty). */
  error?: string;
}

const UNREADABLE: Partial<Record<CsvError['code'], string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed: it runs to the end of the file',
};

/**
 * The records of the file, tokenized by csv-parse (RFC 4180: quoted fields with `""` escapes, separators and
 * line breaks inside; a quote inside an unquoted field is a character). Every CRLF, LF or lone CR ends a line,
 * as an editor shows it: the file is given to csv-parse with LF alone, so that a file whose lines end in
 * different ways reads right and the line numbers are the editor's.
 */
function records(text: string, sep: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const withoutEnd = (raw: string | undefined) => (raw ?? '').replace(/\n$/, '');
  // csv-parse tells the line where a record ends; it starts as many lines above as it holds line breaks
  const startLine = (endLine: number, raw: string) => endLine - (raw.match(/\n/g)?.length ?? 0);
  parse(text.replace(/\r\n?/g, '\n'), {
    delimiter: sep,
    record_delimiter: '\n',
    relax_column_count: true, // a wrong number of fields is reported line by line, below
    relax_quotes: true,
    raw: true,
    skip_records_with_error: true,
    on_skip: (err, raw) => {
      const rawRecord = withoutEnd(raw);
      const error = (err && UNREADABLE[err.code]) ?? err?.message ?? 'unreadable record';
      out.push({ line: startLine(Number(err?.lines ?? 0), rawRecord), fields: [], raw: rawRecord, error });
      return undefined;
    },
    on_record: (value, context) => {
      // with `raw: true` csv-parse hands over { record, raw }, which its typings do not say
      const { record, raw } = value as unknown as { record: string[]; raw: string };
      const rawRecord = withoutEnd(raw);
      out.push({ line: startLine(context.lines, rawRecord), fields: record, raw: rawRecord });
      return null;
    },
  });
  return out;
}

function detectSeparator(headerLine: string): ';' | ',' | '\t' {
  const counts = ([';', ',', '\t'] as const).map((sep) => ({ sep, n: headerLine.split(sep).length - 1 }));
  return counts.reduce((best, c) => (c.n > best.n ? c : best)).sep;
}

function cleanName(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Parses the accounts CSV. The separator (`;`, `,` or tab) is the one the header line uses most.
 * The header is required and must name the columns `siret`, `nom` (or `last_name`) and `prenom`
 * (or `prénom`, `first_name`), in any order, case and accents ignored; other columns are ignored.
 *
 * A line is rejected, with its line number and reason, for: a quoted field never closed, a wrong number
 * of fields, an invalid SIRET (Luhn / La Poste rule, separators allowed), a missing or overlong name, or a
 * SIRET already seen earlier in the file (the first one is kept). Blank lines are skipped.
 * Throws {@link AccountsCsvError} when the header is missing, unreadable or lacks a required column.
 */
export function parseAccountsCsv(text: string): ParsedAccounts {
  const input = text.replace(/^\ufeff/, '');
  const firstLine = input.split(/\r\n?|\n/).find((l) => l.trim() !== '') ?? '';
  const separator = detectSeparator(firstLine);
  const all = records(input, separator).filter((r) => r.error !== undefined || r.fields.some((f) => f.trim() !== ''));
  const header = all.shift();
  if (!header) throw new AccountsCsvError('the file is empty: a header line "siret;nom;prenom" is required');
  if (header.error !== undefined) throw new AccountsCsvError(`line ${header.line}: the header cannot be read: ${header.error}`);

  const index: Partial<Record<Column, number>> = {};
  header.fields.forEach((cell, i) => {
    const column = HEADER_NAMES[headerKey(cell)];
    if (column && index[column] === undefined) index[column] = i;
  });
  const missing = (['siret', 'lastName', 'firstName'] as const).filter((c) => index[c] === undefined);
  if (missing.length > 0) {
    const names = { siret: 'siret', lastName: 'nom', firstName: 'prenom' };
    throw new AccountsCsvError(
      `line ${header.line}: the header must name the columns siret, nom and prenom; missing: ${missing.map((c) => names[c]).join(', ')} (header read: ${JSON.stringify(header.raw.slice(0, 200))})`,
    );
  }

  const rows: AccountRow[] = [];
  const rejected: RejectedLine[] = [];
  const firstLineOf = new Map<string, number>();
  for (const record of all) {
    const reject = (reason: string) => rejected.push({ line: record.line, reason, raw: record.raw.slice(0, 200) });
    if (record.error !== undefined) {
      reject(record.error);
      continue;
    }
    if (record.fields.length !== header.fields.length) {
      reject(`wrong number of fields: ${record.fields.length}, the header has ${header.fields.length}`);
      continue;
    }
    const siret = normalizeSiret(record.fields[index.siret!]!.trim());
    const lastName = cleanName(record.fields[index.lastName!]!);
    const firstName = cleanName(record.fields[index.firstName!]!);
    if (!isValidSiret(siret)) reject(`invalid SIRET "${record.fields[index.siret!]!.trim().slice(0, 40)}"`);
    else if (!lastName) reject('missing last name (nom)');
    else if (!firstName) reject('missing first name (prenom)');
    else if (lastName.length > MAX_NAME_LENGTH || firstName.length > MAX_NAME_LENGTH) reject(`name longer than ${MAX_NAME_LENGTH} characters`);
    else if (firstLineOf.has(siret)) reject(`duplicate SIRET, first given on line ${firstLineOf.get(siret)}`);
    else {
      firstLineOf.set(siret, record.line);
      rows.push({ siret, lastName, firstName });
    }
  }
  return { rows, rejected, separator };
}
