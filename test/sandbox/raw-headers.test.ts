import { describe, expect, it } from 'vitest';
import { parseRawHeaders } from '../support/sandbox/raw-headers';

describe('parseRawHeaders', () => {
  it('lower-cases names, unfolds values, keeps repeats, stops at the body', () => {
    const raw = Buffer.from(
      'Message-ID: <a@b>\r\nSubject: =?UTF-8?Q?R=C3=A9ponse?=\r\n continued\r\nReceived: one\r\nReceived: two\r\n\r\nX-Not: header\r\n',
    );
    expect(parseRawHeaders(raw)).toEqual({
      'message-id': ['<a@b>'],
      subject: ['=?UTF-8?Q?R=C3=A9ponse?= continued'],
      received: ['one', 'two'],
    });
  });

  it('accepts bare LF line ends', () => {
    expect(parseRawHeaders('To: x@example.org\nCc: y@example.org\n\nbody')).toEqual({
      to: ['x@example.org'],
      cc: ['y@example.org'],
    });
  });
});
