import type { Mutation } from './mutations';
import { base64Lines, bytes, CRLF, dropHeaders, latin1, splitMessage, topContentHeaders } from './mime-text';

/** Mutations that make large or deeply nested inputs; the fuzzer applies them to fewer fixtures. */

export const hugeHeaderLine: Mutation = {
  name: 'huge-header-line',
  heavy: true,
  apply: (raw, rng) => {
    const name = rng.pick(['X-Fuzz', 'Subject', 'References', 'Received', 'To']);
    const value = rng.pick(['a', '<x@y> ', '=?utf-8?B?QUFB?= ', 'é']).repeat(1024 * 1024).slice(0, 1024 * 1024);
    return Buffer.concat([bytes(`${name}: ${value}${CRLF}`), raw]);
  },
};

export const manyHeaders: Mutation = {
  name: 'many-headers',
  heavy: true,
  apply: (raw, rng) => {
    const n = rng.int(10_000, 30_000);
    const lines = Array.from({ length: n }, (_, i) => `X-H${i % 7}: v${i}`).join(CRLF);
    return Buffer.concat([bytes(`${lines}${CRLF}`), raw]);
  },
};

export const deepMultipart: Mutation = {
  name: 'deep-multipart',
  heavy: true,
  apply: (raw, _rng, opts) => {
    const [head, body] = splitMessage(latin1(raw));
    const inner = topContentHeaders(head);
    const outerHead = dropHeaders(head, ['content-type', 'content-transfer-encoding', 'mime-version']);
    const open: string[] = [];
    const close: string[] = [];
    for (let i = 0; i < opts.depth; i += 1) {
      open.push(`--b${i}${CRLF}Content-Type: multipart/mixed; boundary="b${i + 1}"${CRLF}${CRLF}`);
      close.unshift(`${CRLF}--b${i + 1}--`);
    }
    const innermost = `--b${opts.depth}${CRLF}${inner.join(CRLF)}${CRLF}${CRLF}${body}`;
    return bytes(`${outerHead}${CRLF}MIME-Version: 1.0${CRLF}Content-Type: multipart/mixed; boundary="b0"${CRLF}${CRLF}` +
      `${open.join('')}${innermost}${close.join('')}${CRLF}--b0--${CRLF}`);
  },
};

export const hugeAttachment: Mutation = {
  name: 'huge-attachment',
  heavy: true,
  apply: (raw, rng, opts) => {
    const content = Buffer.alloc(opts.hugeBytes);
    content.write('%PDF-1.4\n', 'latin1');
    for (let i = 9; i < content.length; i += 4) content.writeUInt32LE((rng.next() * 0x100000000) >>> 0, Math.min(i, content.length - 4));
    const part = `Content-Type: application/pdf; name="huge.pdf"${CRLF}Content-Disposition: attachment; filename="huge.pdf"${CRLF}` +
      `Content-Transfer-Encoding: base64${CRLF}${CRLF}${base64Lines(content)}${CRLF}`;
    const [head, body] = splitMessage(latin1(raw));
    const inner = topContentHeaders(head);
    const outer = dropHeaders(head, ['content-type', 'content-transfer-encoding']);
    return bytes(`${outer}${CRLF}Content-Type: multipart/mixed; boundary="huge-b"${CRLF}${CRLF}` +
      `--huge-b${CRLF}${inner.join(CRLF)}${CRLF}${CRLF}${body}${CRLF}--huge-b${CRLF}${part}--huge-b--${CRLF}`);
  },
};

export const longBodyLine: Mutation = {
  name: 'long-body-line',
  heavy: true,
  apply: (raw, rng) => {
    const [head, body] = splitMessage(latin1(raw));
    return bytes(`${head}${CRLF}${CRLF}${rng.pick(['x', 'SIRET 732 829 320 00074 ', '<a href=x>'] as const).repeat(300_000)}${body}`);
  },
};

export const htmlBomb: Mutation = {
  name: 'html-bomb',
  heavy: true,
  apply: (raw, rng) => {
    const [head, body] = splitMessage(latin1(raw));
    const n = rng.int(50_000, 100_000);
    const piece = rng.pick(['<div>', '<blockquote>', '<p><br>', '&amp;&#x', '<a href="cid:x">', '<!--', '<table><tr><td>', '<div class="gmail_quote">']);
    const html = `<html><body>SIRET 73282932000074 ${piece.repeat(n)} ${body.slice(0, 2000)}</body></html>`;
    return bytes(`${dropHeaders(head, ['content-type', 'content-transfer-encoding'])}${CRLF}Content-Type: text/html; charset=utf-8${CRLF}${CRLF}${html}`);
  },
};
