import type { Random } from './seeded-random';
import { bytes, CRLF, dropHeaders, insertAt, latin1, splitMessage } from './mime-text';
import { deepMultipart, htmlBomb, hugeAttachment, hugeHeaderLine, longBodyLine, manyHeaders } from './heavy-mutations';

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

const PARAMS = [
  `filename*0*=utf-8''%ZZ%E9; filename*1="x.pdf"`, `filename*=utf-8''%E2%82`, `filename*0="a"; filename*2="c"`,
  `filename="${'a'.repeat(10_000)}.pdf"`, `name="=?utf-8?B?${'QUFB'.repeat(5000)}?="`, `filename*=x-unknown'fr'%41`, `filename=`, `filename="\\"`,
];
const paramGarbage: Mutation = {
  name: 'param-garbage',
  apply: (raw, rng) => {
    const s = latin1(raw);
    if (!/(file)?name\*?=/i.test(s)) return Buffer.concat([bytes(`Content-Disposition: attachment; ${rng.pick(PARAMS)}${CRLF}`), raw]);
    return bytes(s.replace(/(?:file)?name\*?=("[^"]*"|[^;\r\n]*)/gi, () => rng.pick(PARAMS)));
  },
};

/** Every mutation, in a stable order. */
export const MUTATIONS: readonly Mutation[] = [
  truncate, dropClosingBoundary, brokenBase64, brokenQuotedPrintable, unknownCharset, empty, nulBytes, byteFlips,
  lineEndings, encodedWordGarbage, boundaryChaos, headerGarbage, paramGarbage,
  hugeHeaderLine, manyHeaders, deepMultipart, hugeAttachment, longBodyLine, htmlBomb,
];
