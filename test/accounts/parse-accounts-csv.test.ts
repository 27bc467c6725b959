import { describe, expect, it } from 'vitest';
import { AccountsCsvError, decodeCsvBytes, parseAccountsCsv } from '../../src/accounts/parse-accounts-csv';

const A = '73282932000074';
const B = '44306184100047';
const C = '55208131766522';

describe('decodeCsvBytes', () => {
  it.each([
    ['UTF-8', Buffer.from('siret;nom;prénom\n', 'utf8'), 'siret;nom;prénom\n'],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('siret;nom;prénom', 'utf8')]), 'siret;nom;prénom'],
    ['windows-1252 (Excel)', Buffer.from([0x70, 0x72, 0xe9, 0x6e, 0x6f, 0x6d, 0x3b, 0x8c, 0x75, 0x76, 0x72, 0x65, 0x3b, 0x92]), 'prénom;Œuvre;’'],
    ['ASCII', Buffer.from('siret,nom,prenom'), 'siret,nom,prenom'],
  ])('%s', (_name, bytes, want) => {
    expect(decodeCsvBytes(bytes)).toBe(want);
  });
});

describe('parseAccountsCsv: good files', () => {
  it.each([
    ['semicolons (Excel FR)', `siret;nom;prenom\n${A};Dupont;Jean\n${B};Martin;Claire\n`, ';'],
    ['commas', `siret,nom,prenom\n${A},Dupont,Jean\n${B},Martin,Claire`, ','],
    ['tabs', `siret\tnom\tprenom\r\n${A}\tDupont\tJean\r\n${B}\tMartin\tClaire\r\n`, '\t'],
    ['accented, upper-case header, BOM', `\ufeffSIRET;NOM;Prénom\n${A};Dupont;Jean\n${B};Martin;Claire`, ';'],
    ['english header, other order, extra column', `first_name;Last_Name;email;siret\nJean;Dupont;j@x.fr;${A}\nClaire;Martin;c@x.fr;${B}`, ';'],
    ['SIRET with spaces, names to tidy', `siret;nom;prenom\n732 829 320 00074;  Dupont ;Jean\n"443 061 841 00047";Martin;  Claire  `, ';'],
    ['blank lines skipped', `\nsiret;nom;prenom\n\n${A};Dupont;Jean\n;;\n${B};Martin;Claire\n\n`, ';'],
  ])('%s', (_name, csv, separator) => {
    expect(parseAccountsCsv(csv)).toEqual({
      rows: [{ siret: A, lastName: 'Dupont', firstName: 'Jean' }, { siret: B, lastName: 'Martin', firstName: 'Claire' }],
      rejected: [],
      separator,
    });
  });

  it('reads quoted fields: separators, "" escapes and line breaks inside', () => {
    const csv = `siret;nom;prenom\n"${A}";"Dupont; dit ""le Grand""";"Jean\nPierre"\n${B};Martin;Claire\n`;
    expect(parseAccountsCsv(csv).rows).toEqual([
      { siret: A, lastName: 'Dupont; dit "le Grand"', firstName: 'Jean Pierre' },
      { siret: B, lastName: 'Martin', firstName: 'Claire' },
    ]);
  });
});

describe('parseAccountsCsv: rejected lines', () => {
  it('rejects bad lines with their line numbers and keeps the good ones', () => {
    const csv = [
      'siret;nom;prenom',
      `${A};Dupont;Jean`,
      '12345678912345;Faux;Siret',
      `${B};;Claire`,
      `${C};Durand;`,
      `${A};Autre;Personne`,
      `${B};Martin`,
      `${C};Durand;Paul;en trop`,
      `"${C}";"Durand";"Paul\nMarie"`,
      `${C};Durand;Paul`,
      `${'x'.repeat(300)};a;b`,
    ].join('\n');
    const { rows, rejected } = parseAccountsCsv(csv);
    expect(rows).toEqual([
      { siret: A, lastName: 'Dupont', firstName: 'Jean' },
      { siret: C, lastName: 'Durand', firstName: 'Paul Marie' },
    ]);
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [3, 'invalid SIRET "12345678912345"'],
      [4, 'missing last name (nom)'],
      [5, 'missing first name (prenom)'],
      [6, 'duplicate SIRET, first given on line 2'],
      [7, 'wrong number of fields: 2, the header has 3'],
      [8, 'wrong number of fields: 4, the header has 3'],
      [11, 'duplicate SIRET, first given on line 9'],
      [12, `invalid SIRET "${'x'.repeat(40)}"`],
    ]);
    expect(rejected[0]!.raw).toBe('12345678912345;Faux;Siret');
    expect(rejected[7]!.raw).toHaveLength(200);
  });

  it('counts lines as an editor does: CRLF, LF and lone CR, also inside a quoted field', () => {
    const csv = `siret;nom;prenom\r\n"${A}";"Dupont";"Jean\r\nPierre"\r${B};Martin\n"${C}";"Durand\rX";Paul\r\n12345678912345;Faux;Siret`;
    const { rows, rejected } = parseAccountsCsv(csv);
    expect(rows.map((r) => [r.siret, r.firstName])).toEqual([[A, 'Jean Pierre'], [C, 'Paul']]);
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [4, 'wrong number of fields: 2, the header has 3'],
      [7, 'invalid SIRET "12345678912345"'],
    ]);
  });

  it('rejects a quoted field that is never closed, at the line where it starts', () => {
    const { rows, rejected } = parseAccountsCsv(`siret;nom;prenom\n${A};Dupont;Jean\n${B};"Martin;Claire\n${C};Durand;Paul\n`);
    expect(rows).toEqual([{ siret: A, lastName: 'Dupont', firstName: 'Jean' }]);
    expect(rejected).toEqual([{ line: 3, reason: 'a quoted field is not closed: it runs to the end of the file', raw: `${B};"Martin;Claire\n${C};Durand;Paul` }]);
  });

  it('a quote inside an unquoted field is a character; text after a closing quote keeps the field as written', () => {
    const { rows, rejected } = parseAccountsCsv(`siret;nom;prenom\n${A};O"Neil;Jean\n"${B}"7;Martin;Claire`);
    expect(rows).toEqual([{ siret: A, lastName: 'O"Neil', firstName: 'Jean' }]);
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([[3, `invalid SIRET "\"${B}\"7"`]]);
  });

  it('rejects an overlong name', () => {
    expect(parseAccountsCsv(`siret;nom;prenom\n${A};${'x'.repeat(201)};Jean`).rejected[0]!.reason).toBe('name longer than 200 characters');
  });
});

describe('parseAccountsCsv: unreadable files', () => {
  it.each([
    ['empty', '', 'empty'],
    ['blank', '\n \n', 'empty'],
    ['no header', `${A};Dupont;Jean`, 'missing: siret, nom, prenom'],
    ['a column missing', `siret;nom;email\n${A};Dupont;j@x.fr`, 'missing: prenom'],
    ['a header whose quote is never closed', `siret;"nom;prenom\n${A};Dupont;Jean`, 'line 1: the header cannot be read: a quoted field is not closed'],
  ])('%s', (_name, csv, message) => {
    expect(() => parseAccountsCsv(csv)).toThrow(AccountsCsvError);
    expect(() => parseAccountsCsv(csv)).toThrow(message);
  });
});
