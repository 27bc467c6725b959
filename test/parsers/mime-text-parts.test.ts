import { describe, expect, it } from 'vitest';
import { parseStructuredValue, textPartsOf } from '../../parsers/mime-text-parts';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const crlf = (lines: string[]) => latin1(lines.join('\r\n'));
const decoded = (raw: Buffer) => textPartsOf(raw).map((p) => ({ type: p.contentType, charset: p.charset, body: Buffer.from(p.body).toString('latin1') }));

describe('textPartsOf', () => {
  it('a single-part mail: its body, type text/plain by default', () => {
    expect(decoded(crlf(['Subject: x', '', 'concern\xe9', '']))).toEqual([{ type: 'text/plain', charset: null, body: 'concern\xe9\r\n' }]);
    expect(decoded(crlf(['Content-Type: text/html; charset="ISO-8859-1"', '', '<p>\xe9</p>']))).toEqual([{ type: 'text/html', charset: 'iso-8859-1', body: '<p>\xe9</p>' }]);
  });

  it('multipart/mixed with a text part and a PDF: the text part only, delimiters and line breaks right', () => {
    const raw = crlf([
      'Content-Type: multipart/mixed; boundary="=_b 1"', '', 'preamble', '--=_b 1', 'Content-Type: text/plain', 'Content-Transfer-Encoding: 8bit', '',
      'SIRET concern\xe9 : 1', 'ligne 2', '--=_b 1', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', 'JVBERi0=', '--=_b 1--', 'epilogue', '',
    ]);
    expect(decoded(raw)).toEqual([{ type: 'text/plain', charset: null, body: 'SIRET concern\xe9 : 1\r\nligne 2' }]);
  });

  it('nested multipart/alternative, quoted-printable and base64 parts, LF line ends', () => {
    const raw = latin1([
      'Content-Type: multipart/mixed; boundary=outer', '', '--outer', 'Content-Type: multipart/alternative; boundary="inner"', '',
      '--inner', 'Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: quoted-printable', '', 'concern=E9 =', 'suite',
      '--inner', 'Content-Type: text/html', 'Content-Transfer-Encoding: base64', '', Buffer.from('<b>\xe9</b>', 'latin1').toString('base64'),
      '--inner--', '--outer', 'Content-Type: text/plain; name="notes.txt"', 'Content-Disposition: attachment; filename="notes.txt"', '', 'pas le corps',
      '--outer', 'Content-Type: message/rfc822', '', 'Subject: transfert', '', 'pas le corps non plus', '--outer--', '',
    ].join('\n'));
    expect(decoded(raw)).toEqual([
      { type: 'text/plain', charset: 'us-ascii', body: 'concern\xe9 suite' },
      { type: 'text/html', charset: null, body: '<b>\xe9</b>' },
    ]);
  });

  it('a missing closing delimiter: the last part runs to the end; no boundary: nothing', () => {
    expect(decoded(crlf(['Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'texte', '']))).toEqual([{ type: 'text/plain', charset: null, body: 'texte\r\n' }]);
    expect(decoded(crlf(['Content-Type: multipart/mixed', '', '--b', '', 'texte']))).toEqual([]);
  });

  it('a boundary string inside a line, or as the start of a longer one, is not a delimiter', () => {
    const raw = crlf(['Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'a --b inside', '--bx', '--b--']);
    expect(decoded(raw)).toEqual([{ type: 'text/plain', charset: null, body: 'a --b inside\r\n--bx' }]);
  });

  it('stops at an absurd nesting depth', () => {
    const depth = 200;
    const lines: string[] = [];
    for (let i = 0; i < depth; i += 1) lines.push(`Content-Type: multipart/mixed; boundary=b${i}`, '', `--b${i}`);
    lines.push('', 'deep');
    expect(textPartsOf(crlf(lines))).toEqual([]);
  });
});

describe('parseStructuredValue', () => {
  it('reads the value and the parameters, quoted or not, names lower-cased, the first of each kept', () => {
    const v = parseStructuredValue('Multipart/Mixed; Boundary="a \\"b\\"; c"; charset=UTF-8;charset=latin1');
    expect(v.value).toBe('multipart/mixed');
    expect(Object.fromEntries(v.params)).toEqual({ boundary: 'a "b"; c', charset: 'UTF-8' });
  });
});
