/**
 * DKIM as a proof that an agent's reply really comes from the agents' domain.
 * mailauth 4.13 (5+ crashes on import on Node 20); only its DKIM verifier is loaded, and only when a
 * signature is to be checked (REQUIRE_DKIM): it adds about 20 MB to the daemon's resident memory.
 */

export type DkimVerdict = 'pass' | 'fail' | 'none';

let verifier: Promise<typeof import('mailauth/lib/dkim/verify.js')['dkimVerify']> | null = null;
/** mailauth's verifier, imported once. The daemon calls it at start when REQUIRE_DKIM is on, so a broken install fails there. */
export function loadDkimVerifier(): Promise<typeof import('mailauth/lib/dkim/verify.js')['dkimVerify']> {
  verifier ??= import('mailauth/lib/dkim/verify.js').then((m) => m.dkimVerify);
  return verifier;
}

/** A DNS resolver as mailauth calls it: TXT answers as `string[][]`; throw ENOTFOUND/ENODATA for "no record". */
export type DkimResolver = (name: string, type: string) => Promise<any>;

/**
 * Relaxed alignment, kept simple: the signing domain is the From domain or one of its parents
 * (`d=example.fr` aligns with `agents.example.fr`). A bare top-level domain never aligns.
 */
export function isAlignedDomain(signingDomain: string, fromDomain: string): boolean {
  const d = signingDomain.trim().toLowerCase().replace(/\.$/, '');
  const from = fromDomain.trim().toLowerCase().replace(/\.$/, '');
  if (!d.includes('.') || !from) return false;
  return from === d || from.endsWith(`.${d}`);
}

function hasSignatureHeader(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n');
  const endLf = raw.indexOf('\n\n');
  const headerEnd = [end, endLf].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), raw.length);
  return /^dkim-signature[ \t]*:/im.test(raw.subarray(0, headerEnd).toString('latin1'));
}

/**
 * Verifies the DKIM signatures of a raw message against the From domain.
 *
 * - 'pass': the message has one From address, on `fromDomain`, and at least one signature
 *   verifies, signs the From header, covers the whole body (no `l=` leaving unsigned content
 *   after it) and has a `d=` aligned with `fromDomain`;
 * - 'none': the message carries no DKIM-Signature header;
 * - 'fail': anything else — bad or expired signature, unaligned domain, unusable key, DNS error.
 *
 * Never throws. `resolver` replaces DNS (tests, or a caching resolver); `now` is the time
 * signatures' `x=` expiry is checked against (default: the clock).
 */
export async function checkDkim(
  raw: Buffer,
  fromDomain: string,
  opts: { resolver?: DkimResolver; now?: Date } = {},
): Promise<DkimVerdict> {
  try {
    if (!hasSignatureHeader(raw)) return 'none';
    const dkimVerify = await loadDkimVerifier();
    const result = await dkimVerify(raw, {
      ...(opts.resolver ? { resolver: opts.resolver } : {}),
      ...(opts.now ? { curTime: opts.now } : {}),
    });
    // a From header added above a signed one: verifiers check the last, mail readers show the first
    const from = result.headerFrom ?? [];
    if (from.length !== 1 || from[0]!.split('@').pop()!.toLowerCase() !== fromDomain.trim().toLowerCase()) return 'fail';
    const passed = result.results.some((r) => {
      const status = r.status as { result: string; underSized?: number | boolean };
      const signed = (r as { signingHeaders?: { keys?: string } }).signingHeaders?.keys ?? '';
      return (
        status.result === 'pass' &&
        !status.underSized &&
        signed.toLowerCase().split(':').map((k) => k.trim()).includes('from') &&
        isAlignedDomain(r.signingDomain ?? '', fromDomain)
      );
    });
    return passed ? 'pass' : 'fail';
  } catch {
    return 'fail';
  }
}
