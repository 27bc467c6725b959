/**
 * The accounts directory as admins export it: a CSV of SIRET / NOM / PRÉNOM of each company's
 * account administrator. Pure: no I/O.
 */
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
  line: number;
  fields: string[];
  raw: string;
}

/** RFC 4180 records: quoted fields with `""` escapes and line breaks inside; CRLF or LF. */
function* records(text: string, sep: string): Generator<CsvRecord> {
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const startLine = line;
    const start = i;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let atFieldStart = true;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else {
          if (c === '\n') line++;
          field += c;
        }
      } else if (c === '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
      } else if (c === sep) {
        fields.push(field);
        field = '';
        atFieldStart = true;
      } else if (c === '\n' || c === '\r') {
        break;
      } else {
        field += c;
        atFieldStart = false;
      }
    }
    fields.push(field);
    const raw = text.slice(start, i);
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    i++;
    line++;
    yield { line: startLine, fields, raw };
  }
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
 * A line is rejected, with its line number and reason, for: a wrong number of fields, an invalid
 * SIRET (Luhn / La Poste rule, separators allowed), a missing or overlong name, or a SIRET already
 * seen earlier in the file (the first one is kept). Blank lines are skipped.
 * Throws {@link AccountsCsvError} when the header is missing or lacks a required column.
 */
export function parseAccountsCsv(text: string): ParsedAccounts {
  const input = text.replace(/^\ufeff/, '');
  const firstLine = input.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const separator = detectSeparator(firstLine);
  const all = [...records(input, separator)].filter((r) => r.fields.some((f) => f.trim() !== ''));
  const header = all.shift();
  if (!header) throw new AccountsCsvError('the file is empty: a header line "siret;nom;prenom" is required');

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
