import { describe, expect, it } from 'vitest';
import { decodeEncodedWords } from '../../parsers/encoded-words';
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
    // iconv-lite's aliases: every Latin-1 label is windows-1252, as browsers read it
    [bytes(0x80, 0xe9), 'l1', '€é'],
    [bytes(0x80, 0xe9), 'cp819', '€é'],
    // labels TextDecoder did not know are read now (IBM code page 850, DOS French)
    [bytes(0x82, 0x85), 'cp850', 'éà'],
    // not a charset text is written in: read as undeclared
    [bytes(0x63, 0x61, 0x66, 0xe9), 'utf-7', 'café'],
    [ascii('+ADw-script+AD4-'), 'utf-7', '+ADw-script+AD4-'],
    [bytes(0x63, 0x61, 0x66, 0xe9), 'base64', 'café'],
    // labels only the WHATWG decoders know still go to TextDecoder
    [ascii('\x1b$B$H\x1b(B'), 'iso-2022-jp', 'と'],
    [bytes(0x8e), 'x-mac-roman', 'é'],
  ])('%j as %s → %j', (input, charset, want) => {
    expect(decodeBytes(input, charset)).toBe(want);
  });

  it('tells well-formed UTF-8', () => {
    expect(isWellFormedUtf8(bytes(0xc3, 0xa9))).toBe(true);
    expect(isWellFormedUtf8(bytes(0xe9))).toBe(false);
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
    // the project's charset rule on top of libmime: an unknown charset holding Latin-1 bytes is windows-1252
    ['=?x-unknown?Q?caf=E9?=', 'café'],
    ['=?us-ascii?Q?caf=E9?=', 'café'],
    ['=?utf-7?Q?+ADw-script+AD4-?=', '+ADw-script+AD4-'],
    // unpadded B words: each is decoded on its own, not as one misaligned base64 run
    ['=?UTF-8?B?w6k?= =?UTF-8?B?w6k?=', 'éé'],
    // libmime, where it reads more than the old decoder did: base64 made of padded segments,
    // a space inside a Q word (broken folding), a '=' that escapes nothing kept as written
    ['=?UTF-8?B?w6k=w6k=?=', 'éé'],
    ['=?ISO-8859-1?Q?PROC=C9DURE SP=C9CIFIQUE?=', 'PROCÉDURE SPÉCIFIQUE'],
    ['=?UTF-8?Q?caf=C3=A9=?=', 'café='],
  ])('%j → %j', (value, want) => {
    expect(decodeEncodedWords(value)).toBe(want);
  });
});
