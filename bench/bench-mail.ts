import { randomBytes } from 'node:crypto';
import { buildRequestMail, pdfPadFor, sampleSiret } from '../test/support/sample-mails';

export interface BenchRequest {
  messageId: string;
  raw: Buffer;
}

/**
 * A conforming request (valid SIRET, liquidator address, PDF court document), so each one gets
 * exactly one answer: the acknowledgment, threaded on its Message-ID. One sender per request, as
 * in real traffic (the per-sender notice limit never comes into play).
 */
export function benchRequest(opts: { tag: string; index: number; pdfBytes: number; pad?: number }): BenchRequest {
  const messageId = `<bench-${opts.tag}-${opts.index}-${randomBytes(4).toString('hex')}@custhelp.example.net>`;
  const raw = buildRequestMail({
    from: `etude${opts.index}@mandataires-${opts.tag}.example.fr`,
    fromName: `Maître Bench ${opts.index}`,
    messageId,
    pdfPadBytes: opts.pad ?? pdfPadFor(opts.pdfBytes),
    // A company of its own: one company's requests go to the agents one at a time.
    siret: sampleSiret(opts.index),
  });
  return { messageId, raw: Buffer.from(raw, 'utf8') };
}

/** `count` requests, built lazily (a 1000 × 200 KB backlog need not sit in memory at once). */
export function* benchRequests(tag: string, count: number, pdfBytes: number, ids: string[]): Generator<Buffer> {
  const pad = pdfPadFor(pdfBytes);
  for (let i = 0; i < count; i += 1) {
    const r = benchRequest({ tag, index: i, pdfBytes, pad });
    ids.push(r.messageId);
    yield r.raw;
  }
}
