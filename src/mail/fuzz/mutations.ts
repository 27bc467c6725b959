import type { Random } from './seeded-random';

/**
 * Mutations of a raw message, each a pure function of (input, random). `heavy` ones make large or
 * deeply nested inputs; the fuzzer applies them to fewer fixtures.
 */
export interface Mutation {
  name: string;
  heavy?: boolean;
  apply(raw: Buffer, rng: Random, opts: MutationOptions): Buffer;
}

export interface MutationOptions {
  /** Size of the attachment added by huge-attachment, in bytes. */
  hugeBytes: number;
  /** Levels of multipart/mixed added by deep-multipart. */
  depth: number;
}

export const DEFAULT_MUTATION_OPTIONS: MutationOptions = { hugeBytes: 30 * 1024 * 1024, depth: 2000 };

const CRLF = '\r\n';
const latin1 = (b: Buffer) => b.toString('latin1');
const bytes = (s: string) => Buffer.from(s, 'latin1');

/** Split at the first blank line: [header block, body]; no blank line means no body. */
function splitMessage(raw: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? [raw.slice(0, m.index), raw.slice(m.index + m[0].length)] : [raw, ''];
}

/** Header lines without those named (and their continuation lines). */
function dropHeaders(head: string, names: string[]): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line)) {
      if (!skipping) out.push(line);
      continue;
    }
    const name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
    skipping = names.includes(name);
    if (!skipping) out.push(line);
  }
  return out.join(CRLF);
}

/** The Content-Type and Content-Transfer-Encoding header lines of the top level (unfolded). */
function topContentHeaders(head: string): string[] {
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded.split(/\r?\n/).filter((l) => /^content-(type|transfer-encoding):/i.test(l));
}

function insertAt(s: string, at: number, piece: string): string {
  return s.slice(0, at) + piece + s.slice(at);
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

const truncate: Mutation = {
  name: 'truncate',
  apply: (raw, rng) => raw.subarray(0, rng.int(0, Math.max(0, raw.length - 1))),
};

const dropClosingBoundary: Mutation = {
  name: 'drop-closing-boundary',
  apply: (raw, rng) => {
    const s = latin1(raw);
    const closings = [...s.matchAll(/^--[^\r\n]+--[ \t]*$/gm)];
    if (closings.length === 0) return raw.subarray(0, Math.floor(raw.length * rng.next()));
    const m = rng.pick(closings);
    return bytes(s.slice(0, m.index) + s.slice(m.index! + m[0].length));
  },
};

const brokenBase64: Mutation = {
  name: 'broken-base64',
  apply: (raw, rng) => {
    let s = latin1(raw);
    const lines = [...s.matchAll(/^[A-Za-z0-9+/]{16,}={0,2}$/gm)];
    if (lines.length === 0) {
      // No base64 part: declare one, so the text body is decoded as base64.
      const [head, body] = splitMessage(s);
      return bytes(`${dropHeaders(head, ['content-transfer-encoding'])}${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${body}`);
    }
    for (let i = 0; i < rng.int(1, 5); i += 1) {
      const m = rng.pick(lines);
      const at = m.index! + rng.int(0, m[0].length - 1);
      s = insertAt(s, at, rng.pick(['!', '=', '==', '*#', '\u00e9', '-', ' ', '====']));
    }
    return bytes(s);
  },
};

const brokenQuotedPrintable: Mutation = {
  name: 'broken-quoted-printable',
  apply: (raw, rng) => {
    let s = latin1(raw);
    if (!/quoted-printable/i.test(s)) {
      const [head, body] = splitMessage(s);
      s = `${dropHeaders(head, ['content-transfer-encoding'])}${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}${body}`;
    }
    const [head, body] = splitMessage(s);
    let b = body;
    for (let i = 0; i < rng.int(1, 8); i += 1) {
      b = insertAt(b, rng.int(0, b.length), rng.pick(['=', '=Z', '=ZZ', '=4', '=\r\n', '= \r\n', '=\n', '=00', '=FF=FE']));
    }
    return bytes(`${head}${CRLF}${CRLF}${b}${rng.next() < 0.5 ? '=' : ''}`);
  },
};

const hugeHeaderLine: Mutation = {
  name: 'huge-header-line',
  heavy: true,
  apply: (raw, rng) => {
    const name = rng.pick(['X-Fuzz', 'Subject', 'References', 'Received', 'To']);
    const value = rng.pick(['a', '<x@y> ', '=?utf-8?B?QUFB?= ', 'é']).repeat(1024 * 1024).slice(0, 1024 * 1024);
    return Buffer.concat([bytes(`${name}: ${value}${CRLF}`), raw]);
  },
};

const manyHeaders: Mutation = {
  name: 'many-headers',
  heavy: true,
  apply: (raw, rng) => {
    const n = rng.int(10_000, 30_000);
    const lines = Array.from({ length: n }, (_, i) => `X-H${i % 7}: v${i}`).join(CRLF);
    return Buffer.concat([bytes(`${lines}${CRLF}`), raw]);
  },
};

const deepMultipart: Mutation = {
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

const CHARSETS = ['x-unknown-42', 'utf-7', 'ibm-037', 'iso-2022-jp-9', '', '"', 'utf-8\u0000', 'windows-9999', 'utf-16', 'ucs-4be'];
const unknownCharset: Mutation = {
  name: 'unknown-charset',
  apply: (raw, rng) => {
    const s = latin1(raw);
    if (/charset=/i.test(s)) return bytes(s.replace(/charset="?[^";\s]*"?/gi, () => `charset="${rng.pick(CHARSETS)}"`));
    const [head, body] = splitMessage(s);
    return bytes(`${dropHeaders(head, ['content-type'])}${CRLF}Content-Type: text/plain; charset="${rng.pick(CHARSETS)}"${CRLF}${CRLF}${body}`);
  },
};

const empty: Mutation = {
  name: 'empty',
  apply: (raw, rng) => {
    const [head, body] = splitMessage(latin1(raw));
    return bytes(rng.pick(['', CRLF, CRLF + CRLF, ' ', head, `${head}${CRLF}${CRLF}`, `${CRLF}${body}`, '\u0000']));
  },
};

const nulBytes: Mutation = {
  name: 'nul-bytes',
  apply: (raw, rng) => {
    const out = Buffer.from(raw);
    const positions = Array.from({ length: rng.int(1, 50) }, () => rng.int(0, Math.max(0, out.length - 1)));
    for (const p of positions) out[p] = 0;
    // And one inside the first header name.
    return Buffer.concat([bytes('X-N\u0000ul: a\u0000b\r\n'), out]);
  },
};

const hugeAttachment: Mutation = {
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

const byteFlips: Mutation = {
  name: 'byte-flips',
  apply: (raw, rng) => {
    const out = Buffer.from(raw);
    for (let i = 0; i < rng.int(1, 30) && out.length > 0; i += 1) out[rng.int(0, out.length - 1)] = rng.int(0, 255);
    return out;
  },
};

const lineEndings: Mutation = {
  name: 'line-endings',
  apply: (raw, rng) => {
    const s = latin1(raw);
    const style = rng.pick(['lf', 'cr', 'mixed', 'crcrlf']);
    if (style === 'lf') return bytes(s.replace(/\r\n/g, '\n'));
    if (style === 'cr') return bytes(s.replace(/\r?\n/g, '\r'));
    if (style === 'crcrlf') return bytes(s.replace(/\r?\n/g, '\r\r\n'));
    return bytes(s.replace(/\r?\n/g, () => rng.pick(['\r\n', '\n', '\r'])));
  },
};

const encodedWordGarbage: Mutation = {
  name: 'encoded-word-garbage',
  apply: (raw, rng) => {
    const [head, body] = splitMessage(latin1(raw));
    const words = ['=?utf-8?B?####?=', '=?x-unknown?Q?=ZZ?=', '=?utf-8?Q?', '=??B??=', '=?utf-8*fr?B?w6k=?=', '=?utf-8?B?w6k?=', '=?iso-2022-jp?B?GyRCJEgbKEI=?='];
    const subject = Array.from({ length: rng.int(1, 2000) }, () => rng.pick(words)).join(rng.pick([' ', '', '\r\n ']));
    return bytes(`${dropHeaders(head, ['subject'])}${CRLF}Subject: ${subject}${CRLF}${CRLF}${body}`);
  },
};

const boundaryChaos: Mutation = {
  name: 'boundary-chaos',
  apply: (raw, rng) => {
    const s = latin1(raw);
    const choice = rng.pick(['remove', 'empty', 'in-body', 'duplicate-parts', 'nested-same']);
    if (choice === 'remove') return bytes(s.replace(/;\s*boundary="?[^";\r\n]*"?/gi, ''));
    if (choice === 'empty') return bytes(s.replace(/boundary="?[^";\r\n]*"?/gi, 'boundary=""'));
    if (choice === 'in-body') return bytes(s.replace(/boundary="?[^";\r\n]*"?/gi, 'boundary="e"'));
    if (choice === 'nested-same') return bytes(s.replace(/boundary="?([^";\r\n]*)"?/gi, 'boundary="$1"; boundary="$1"'));
    return bytes(s.replace(/^(--[^\r\n-][^\r\n]*)$/m, '$1\r\n\r\n$1\r\n\r\n$1'));
  },
};

const longBodyLine: Mutation = {
  name: 'long-body-line',
  heavy: true,
  apply: (raw, rng) => {
    const [head, body] = splitMessage(latin1(raw));
    return bytes(`${head}${CRLF}${CRLF}${rng.pick(['x', 'SIRET 732 829 320 00074 ', '<a href=x>'] as const).repeat(300_000)}${body}`);
  },
};

const headerGarbage: Mutation = {
  name: 'header-garbage',
  apply: (raw, rng) => {
    const garbage = rng.pick([
      ' leading continuation\r\n', 'no colon here\r\n', ':\r\n', 'From:\r\nFrom: <>\r\nFrom: "unterminated <a@b\r\n',
      'Content-Type: multipart/mixed\r\n', 'Content-Type: message/rfc822\r\n', 'Date: 99 Foo 99999 99:99:99 +9999\r\n',
      'Content-Type: text/plain; charset=utf-8; charset=latin1\r\n', '\u00ff\u00fe: \u00ff\r\n',
    ]);
    return Buffer.concat([bytes(garbage), raw]);
  },
};

/** Every mutation, in a stable order. */
export const MUTATIONS: readonly Mutation[] = [
  truncate, dropClosingBoundary, brokenBase64, brokenQuotedPrintable, unknownCharset, empty, nulBytes, byteFlips,
  lineEndings, encodedWordGarbage, boundaryChaos, headerGarbage,
  hugeHeaderLine, manyHeaders, deepMultipart, hugeAttachment, longBodyLine,
];
