import { describe, expect, it } from 'vitest';
import { decodeEncodedWords } from '../../parsers/encoded-words';
import { decodeQuotedPrintable, decodeTransferEncoding } from '../../parsers/transfer-encoding';
import { decodeBytes, decodeWindows1252, isWellFormedUtf8 } from '../../parsers/windows-1252';

const bytes = (...b: number[]) => Uint8Array.from(b);
const ascii = (s: string) => new TextEncoder().encode(s);

describe('decodeWindows1252', () => {
  it.each([
    [bytes(0x80), '€'],
    [bytes(0x92), '’'],
    [bytes(0x96, 0x97), '–—'],
    [bytes(0x9c, 0x8c), 'œŒ'],
    [bytes(0xe9, 0xe0, 0xe7), 'éàç'],
    [bytes(0x81), '\u0081'],
    [ascii('SIRET'), 'SIRET'],
  ])('%j → %j', (input, want) => {
    expect(decodeWindows1252(input)).toBe(want);
  });

  it('decodes long inputs (no argument-count overflow)', () => {
    expect(decodeWindows1252(new Uint8Array(200_000).fill(0xe9))).toHaveLength(200_000);
  });
});

describe('decodeBytes', () => {
  it.each([
    [bytes(0x63, 0x61, 0x66, 0xc3, 0xa9), 'utf-8', 'café'],
    [bytes(0x63, 0x61, 0x66, 0xe9), 'ISO-8859-1', 'café'],
    [bytes(0x80, 0x20, 0x92), 'iso-8859-1', '€ ’'],
    [bytes(0x80, 0x20, 0x92), 'windows-1252', '€ ’'],
    [bytes(0x80), 'cp1252', '€'],
    [bytes(0xa4), 'iso-8859-15', '€'],
    [bytes(0x63, 0x61, 0x66, 0xc3, 0xa9), null, 'café'],
    [bytes(0x63, 0x61, 0x66, 0xe9), null, 'café'],
    [bytes(0x63, 0x61, 0x66, 0xe9), 'us-ascii', 'café'],
    [bytes(0x63, 0x61, 0x66, 0xe9), 'x-unknown-charset', 'café'],
    [bytes(0x63, 0x61, 0x66, 0xe9), 'utf-8', 'caf\ufffd'],
  ])('%j as %s → %j', (input, charset, want) => {
    expect(decodeBytes(input, charset)).toBe(want);
  });

  it('tells well-formed UTF-8', () => {
    expect(isWellFormedUtf8(bytes(0xc3, 0xa9))).toBe(true);
    expect(isWellFormedUtf8(bytes(0xe9))).toBe(false);
  });
});

describe('decodeQuotedPrintable / decodeTransferEncoding', () => {
  it.each([
    ['concern=E9 =3D ok', 'quoted-printable', 'concerné = ok'],
    ['soft=\r\nbreak', 'quoted-printable', 'softbreak'],
    ['soft= \t\r\nbreak', 'quoted-printable', 'softbreak'],
    ['soft=\nbreak', 'quoted-printable', 'softbreak'],
    ['bad =ZZ escape', 'quoted-printable', 'bad =ZZ escape'],
    ['trailing =', 'quoted-printable', 'trailing '],
    ['Y29uY2Vy\r\nbumgIQ==', 'base64', 'concern\u00e9\u00a0!'],
    ['d\u00e9j\u00e0', '8bit', 'déjà'],
    ['brut', null, 'brut'],
  ])('%j (%s) → %j', (input, encoding, want) => {
    const out = decodeTransferEncoding(new Uint8Array(Buffer.from(input, 'latin1')), encoding);
    expect(decodeWindows1252(out)).toBe(want);
  });

  it('decodes the Q encoding of encoded words with underscores', () => {
    expect(decodeWindows1252(decodeQuotedPrintable(ascii('PROC=C9DURE_SP=C9CIFIQUE'), true))).toBe('PROCÉDURE SPÉCIFIQUE');
  });
});

describe('decodeEncodedWords', () => {
  it.each([
    ['=?UTF-8?B?TElRVUlEQVRFVVIg4oCTIFBST0PDiURVUkU=?=', 'LIQUIDATEUR – PROCÉDURE'],
    ['=?ISO-8859-1?Q?PROC=C9DURE_SP=C9CIFIQUE?=', 'PROCÉDURE SPÉCIFIQUE'],
    ['=?windows-1252?Q?=96?=', '–'],
    ['LIQUIDATEUR =?utf-8?q?=E2=80=93?= FIN', 'LIQUIDATEUR – FIN'],
    ['=?UTF-8?Q?a?= =?UTF-8?Q?b?=', 'ab'],
    ['=?UTF-8?Q?a?=\t =?ISO-8859-1?Q?=E9?=', 'aé'],
    // one UTF-8 character split across two words
    ['=?UTF-8?B?w6k=?= =?UTF-8?Q?=C3?= =?UTF-8?Q?=A9t=C3=A9?=', 'éété'],
    ['=?UTF-8*fr?Q?caf=C3=A9?=', 'café'],
    ['pas encodé', 'pas encodé'],
    ['=?UTF-8?X?invalid?=', '=?UTF-8?X?invalid?='],
    ['', ''],
  ])('%j → %j', (value, want) => {
    expect(decodeEncodedWords(value)).toBe(want);
  });
});
