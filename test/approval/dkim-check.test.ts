import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { describe, expect, it } from 'vitest';
import { checkDkim, isAlignedDomain, type DkimResolver } from '../../src/approval/dkim-check';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_B64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const OTHER_PEM = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const NOW = new Date('2026-11-26T10:05:00Z');

function message(from: string, body = 'VALIDER\r\n'): Buffer {
  return Buffer.from(
    `From: Paul Martin <${from}>\r\nTo: liquibot@support.example.fr\r\nSubject: Re: [LJ-261126-0042] Demande\r\n` +
      `Date: Thu, 26 Nov 2026 11:00:00 +0100\r\nMessage-ID: <reply-1@agents.example.fr>\r\n\r\n${body}`,
  );
}

async function sign(raw: Buffer, opts: { domain: string; key?: string; headerList?: string; bodyLength?: number }): Promise<Buffer> {
  const { signatures, errors } = await dkimSign(raw, {
    signTime: NOW,
    ...(opts.headerList ? { headerList: opts.headerList } : {}),
    signatureData: [{
      signingDomain: opts.domain, selector: 's1', privateKey: opts.key ?? PRIVATE_PEM,
      ...(opts.bodyLength !== undefined ? { maxBodyLength: opts.bodyLength } : {}),
    }],
  } as never);
  expect(errors).toEqual([]);
  expect(/\bl=\d/.test(signatures)).toBe(opts.bodyLength !== undefined);
  if (opts.headerList) {
    const h = /\bh=([^;]*);/.exec(signatures.replace(/\s/g, ''))?.[1]?.toLowerCase().split(':').sort();
    expect(h).toEqual(opts.headerList.split(':').sort());
  }
  return Buffer.concat([Buffer.from(signatures), raw]);
}

/** DNS with the public key published for every domain asked about; records the names looked up. */
function resolverFor(record = `v=DKIM1; k=rsa; p=${PUBLIC_B64}`): DkimResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolver = async (name: string, type: string) => {
    asked.push(`${type} ${name}`);
    return [[record]];
  };
  return Object.assign(resolver, { asked });
}

function failingResolver(code: string): DkimResolver {
  return async () => {
    throw Object.assign(new Error(`queryTxt ${code}`), { code });
  };
}

describe('checkDkim', () => {
  it('passes a message signed by the From domain, fetching the key at selector._domainkey.domain', async () => {
    const resolver = resolverFor();
    const raw = await sign(message('paul@agents.example.fr'), { domain: 'agents.example.fr' });
    expect(await checkDkim(raw, 'agents.example.fr', { resolver, now: NOW })).toBe('pass');
    expect(resolver.asked).toEqual(['TXT s1._domainkey.agents.example.fr']);
  });

  it('passes a message signed by the organisational parent of the From domain', async () => {
    const raw = await sign(message('paul@agents.example.fr'), { domain: 'example.fr' });
    expect(await checkDkim(raw, 'agents.example.fr', { resolver: resolverFor(), now: NOW })).toBe('pass');
  });

  it.each([
    ['a tampered body', async () => {
      const raw = await sign(message('paul@agents.example.fr', 'REFUSER : motif\r\n'), { domain: 'agents.example.fr' });
      return Buffer.from(raw.toString('latin1').replace('REFUSER : motif', 'VALIDER'), 'latin1');
    }, resolverFor()],
    ['a tampered From header', async () => {
      const raw = await sign(message('paul@agents.example.fr'), { domain: 'agents.example.fr' });
      return Buffer.from(raw.toString('latin1').replace('Paul Martin <paul@', 'Pirate <pirate@'), 'latin1');
    }, resolverFor()],
    ['a signature by another domain', () => sign(message('paul@agents.example.fr'), { domain: 'evil.example' }), resolverFor()],
    ['a signature by a look-alike domain', () => sign(message('paul@agents.example.fr'), { domain: 'example-agents.example.fr' }), resolverFor()],
    ['a signature by a subdomain of the From domain', () => sign(message('paul@agents.example.fr'), { domain: 'mail.agents.example.fr' }), resolverFor()],
    ['a signature made with another key', () => sign(message('paul@agents.example.fr'), { domain: 'agents.example.fr', key: OTHER_PEM }), resolverFor()],
    ['a signature that does not sign From', () => sign(message('paul@agents.example.fr'), { domain: 'agents.example.fr', headerList: 'subject:date' }), resolverFor()],
    ['no key published (ENOTFOUND)', () => sign(message('paul@agents.example.fr'), { domain: 'agents.example.fr' }), failingResolver('ENOTFOUND')],
    ['no TXT record (ENODATA)', () => sign(message('paul@agents.example.fr'), { domain: 'agents.example.fr' }), failingResolver('ENODATA')],
    ['a DNS timeout', () => sign(message('paul@agents.example.fr'), { domain: 'agents.example.fr' }), failingResolver('ETIMEOUT')],
    ['a garbage key record', () => sign(message('paul@agents.example.fr'), { domain: 'agents.example.fr' }), resolverFor('v=DKIM1; k=rsa; p=bm90IGEga2V5')],
    ['a garbled DKIM-Signature header', async () => Buffer.concat([Buffer.from('DKIM-Signature: v=1; a=nope; d=agents.example.fr\r\n'), message('paul@agents.example.fr')]), resolverFor()],
  ])('fails %s', async (_name, make, resolver) => {
    expect(await checkDkim(await make(), 'agents.example.fr', { resolver, now: NOW })).toBe('fail');
  });

  it('fails a second From header added above a signed message (the reader shows the first one)', async () => {
    const signed = await sign(message('paul@agents.example.fr'), { domain: 'agents.example.fr' });
    const forged = Buffer.concat([Buffer.from('From: Paul Martin <paul@agents.example.fr.evil.com>\r\n'), signed]);
    expect(await checkDkim(forged, 'agents.example.fr', { resolver: resolverFor(), now: NOW })).toBe('fail');
  });

  it('fails when the From header is not on the domain the caller names', async () => {
    const signed = await sign(message('paul@agents.example.fr'), { domain: 'example.fr' });
    expect(await checkDkim(signed, 'example.fr', { resolver: resolverFor(), now: NOW })).toBe('fail');
  });

  it('fails a signature whose l= leaves content after the signed part', async () => {
    const body = 'VALIDER\r\n';
    const signed = await sign(message('paul@agents.example.fr', body), { domain: 'agents.example.fr', bodyLength: body.length });
    expect(await checkDkim(signed, 'agents.example.fr', { resolver: resolverFor(), now: NOW })).toBe('pass');
    const appended = Buffer.concat([signed, Buffer.from('\r\nREFUSER : ajouté par un tiers\r\n')]);
    expect(await checkDkim(appended, 'agents.example.fr', { resolver: resolverFor(), now: NOW })).toBe('fail');
  });

  it('says none for an unsigned message, without asking DNS', async () => {
    const resolver = resolverFor();
    expect(await checkDkim(message('paul@agents.example.fr'), 'agents.example.fr', { resolver })).toBe('none');
    expect(resolver.asked).toEqual([]);
  });

  it('never throws, even on garbage', async () => {
    expect(await checkDkim(Buffer.from('DKIM-Signature: \0\0\0\r\n\r\n\xff'), 'x.fr', { resolver: failingResolver('ESERVFAIL') })).toBe('fail');
    expect(await checkDkim(Buffer.alloc(0), 'x.fr', { resolver: resolverFor() })).toBe('none');
  });
});

describe('isAlignedDomain', () => {
  it.each([
    ['agents.example.fr', 'agents.example.fr', true],
    ['example.fr', 'agents.example.fr', true],
    ['Example.FR.', 'agents.example.fr', true],
    ['agents.example.fr', 'example.fr', false],
    ['xample.fr', 'agents.example.fr', false],
    ['fr', 'agents.example.fr', false],
    ['', 'agents.example.fr', false],
    ['example.fr', '', false],
  ])('d=%s, From domain %s → %s', (d, from, want) => {
    expect(isAlignedDomain(d, from)).toBe(want);
  });
});
