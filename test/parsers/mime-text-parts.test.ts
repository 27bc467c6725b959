import { describe, expect, it } from 'vitest';
import { textPartsOf } from '../../parsers/mime-text-parts';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const crlf = (lines: string[]) => latin1(lines.join('\r\n'));
const decoded = async (raw: Buffer) =>
  (await textPartsOf(raw)).map((p) => ({ type: p.contentType, charset: p.charset, body: Buffer.from(p.body).toString('latin1') }));

describe('textPartsOf', () => {
  it('a single-part mail: its body, type text/plain by default', async () => {
    expect(await decoded(crlf(['Subject: x', '', 'concern\xe9', '']))).toEqual([{ type: 'text/plain', charset: null, body: 'concern\xe9\r\n' }]);
    expect(await decoded(crlf(['Content-Type: text/html; charset="ISO-8859-1"', '', '<p>\xe9</p>']))).toEqual([{ type: 'text/html', charset: 'iso-8859-1', body: '<p>\xe9</p>' }]);
  });

  it('multipart/mixed with a text part and a PDF: the text part only, delimiters and line breaks right', async () => {
    const raw = crlf([
      'Content-Type: multipart/mixed; boundary="=_b 1"', '', 'preamble', '--=_b 1', 'Content-Type: text/plain', 'Content-Transfer-Encoding: 8bit', '',
      'SIRET concern\xe9 : 1', 'ligne 2', '--=_b 1', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', 'JVBERi0=', '--=_b 1--', 'epilogue', '',
    ]);
    expect(await decoded(raw)).toEqual([{ type: 'text/plain', charset: null, body: 'SIRET concern\xe9 : 1\r\nligne 2' }]);
  });

  it('nested multipart/alternative, quoted-printable and base64 parts, LF line ends', async () => {
    const raw = latin1([
      'Content-Type: multipart/mixed; boundary=outer', '', '--outer', 'Content-Type: multipart/alternative; boundary="inner"', '',
      '--inner', 'Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: quoted-printable', '', 'concern=E9 =', 'suite',
      '--inner', 'Content-Type: text/html', 'Content-Transfer-Encoding: base64', '', Buffer.from('<b>\xe9</b>', 'latin1').toString('base64'),
      '--inner--', '--outer', 'Content-Type: text/plain; name="notes.txt"', 'Content-Disposition: attachment; filename="notes.txt"', '', 'pas le corps',
      '--outer', 'Content-Type: message/rfc822', '', 'Subject: transfert', '', 'pas le corps non plus', '--outer--', '',
    ].join('\n'));
    expect(await decoded(raw)).toEqual([
      { type: 'text/plain', charset: 'us-ascii', body: 'concern\xe9 suite' },
      { type: 'text/html', charset: null, body: '<b>\xe9</b>' },
    ]);
  });

  it('a missing closing delimiter: the last part runs to the end; no boundary: nothing', async () => {
    expect(await decoded(crlf(['Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'texte', '']))).toEqual([{ type: 'text/plain', charset: null, body: 'texte\r\n' }]);
    expect(await decoded(crlf(['Content-Type: multipart/mixed', '', '--b', '', 'texte']))).toEqual([]);
  });

  it('a boundary string inside a line, or as the start of a longer one, is not a delimiter', async () => {
    const raw = crlf(['Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'a --b inside', '--bx', '--b--']);
    expect(await decoded(raw)).toEqual([{ type: 'text/plain', charset: null, body: 'a --b inside\r\n--bx' }]);
  });

  // mailsplit's reading, which is mailparser's: the parts found here are the ones mailparser decoded
  it('an empty charset parameter declares nothing; a disposition other than inline is not body text', async () => {
    expect(await decoded(crlf(['Content-Type: text/plain; charset=""', '', 'concern\xe9']))).toEqual([{ type: 'text/plain', charset: null, body: 'concern\xe9' }]);
    expect(await decoded(crlf(['Content-Disposition: x-unknown', '', 'texte']))).toEqual([]);
  });

  it('a message that starts with an empty line has no header: all of it is the body', async () => {
    const raw = crlf(['', 'Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'texte']);
    expect(await decoded(raw)).toEqual([{ type: 'text/plain', charset: null, body: 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\ntexte' }]);
  });

  it('deep nesting is walked as mailparser walks it; past 1000 parts (mailparser refuses the mail) nothing', async () => {
    const nested = (depth: number) => {
      const lines: string[] = [];
      for (let i = 0; i < depth; i += 1) lines.push(`Content-Type: multipart/mixed; boundary=b${i}`, '', `--b${i}`);
      lines.push('', 'deep');
      return crlf(lines);
    };
    expect(await decoded(nested(200))).toEqual([{ type: 'text/plain', charset: null, body: 'deep' }]);
    expect(await textPartsOf(nested(1200))).toEqual([]);
  });

  // Transfer decoding by libqp and libbase64, mailparser's decoders.
  it.each([
    ['concern=E9 =3D ok', 'quoted-printable', 'concern\xe9 = ok'],
    ['soft=\r\nbreak', 'quoted-printable', 'softbreak'],
    ['soft= \t\r\nbreak', 'quoted-printable', 'softbreak'],
    ['soft=\nbreak', 'quoted-printable', 'softbreak'],
    ['bad =ZZ escape', 'quoted-printable', 'bad =ZZ escape'],
    ['trailing =', 'quoted-printable', 'trailing '],
    // RFC 2045 §6.7 (3): white space at the end of an encoded line was added in transport and is deleted
    ['hard  \r\nline', 'Quoted-Printable', 'hard\r\nline'],
    ['Y29uY2Vy\r\nbumgIQ==', 'base64', 'concern\xe9\xa0!'],
    // base64 made of padded segments is read to its end
    ['w6k=w6k=', 'base64', '\xc3\xa9\xc3\xa9'],
    ['d\xe9j\xe0', '8bit', 'd\xe9j\xe0'],
    ['brut', 'x-token', 'brut'],
  ])('%j (%s) → %j', async (body, encoding, want) => {
    expect(await decoded(crlf([`Content-Transfer-Encoding: ${encoding}`, '', body]))).toEqual([{ type: 'text/plain', charset: null, body: want }]);
  });
});
