import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildRequestMail } from '../support/sample-mails';
import { cidFontPdf, otherCompanyPdf } from '../support/documents/corpus';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/check-command';

const FIXTURES = join(__dirname, '../fixtures/eml');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, unknown>;

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await checkCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('liquibot check', () => {
  // The fixtures' agents: a request they forward is answered to its original sender. The documents'
  // reading (documentSiren, document) has its own test below: the fixtures' verdicts are the oracle here.
  const before = { agents: process.env.AGENT_SENDERS, reading: process.env.DOCUMENT_READING };
  beforeAll(() => {
    process.env.AGENT_SENDERS = 'sophie.martin@support.example.fr, paul.durand@support.example.fr';
    process.env.DOCUMENT_READING = 'false';
  });
  afterAll(() => {
    for (const [name, value] of [['AGENT_SENDERS', before.agents], ['DOCUMENT_READING', before.reading]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it.each(Object.keys(expected))('--json on %s prints exactly the expected object', async (file) => {
    const { code, out } = await run([join(FIXTURES, file), '--json']);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toEqual(expected[file]);
  });

  it('explains a non-conforming mail in plain words', async () => {
    const { out } = await run([join(FIXTURES, 'all-problems-missing.eml')]);
    expect(out.join('\n')).toMatch(/verdict: non_conforme[\s\S]*problem SIRET_MISSING[\s\S]*problem ATTACHMENT_MISSING: no attachment/);
  });

  it('answers the forwarder, and says who sent the request first', async () => {
    const { out } = await run([join(FIXTURES, 'outlook-fr-forward-tr-header-block-conforming.eml')]);
    expect(out).toContain('answered to: julie.roux@mj-moutin.fr');
    expect(out).toContain('forwarded (inline), first sent by: claire.moutin@mj-moutin.fr');
  });

  it('answers the original sender of a request an agent forwarded, only when the agent is on AGENT_SENDERS', async () => {
    const file = join(FIXTURES, 'agent-forward-on-behalf-outlook-tr-conforming.eml');
    expect(JSON.parse((await run([file, '--json'])).out[0]!).requester).toBe('h.lefevre@etude-lefevre.fr');
    process.env.AGENT_SENDERS = 'autre@support.example.fr';
    try {
      expect(JSON.parse((await run([file, '--json'])).out[0]!).requester).toBe('sophie.martin@support.example.fr');
    } finally {
      process.env.AGENT_SENDERS = 'sophie.martin@support.example.fr, paul.durand@support.example.fr';
    }
  });

  it('shows what was found with each problem', async () => {
    const { out } = await run([join(FIXTURES, 'siret-siren-9-digits.eml')]);
    expect(out).toContain('problem SIRET_INVALID: the SIRET is not 14 digits or fails its check digit (found: "732 829 320", SIREN_NOT_SIRET)');
  });

  it('says why a mail is not handled', async () => {
    const { out } = await run([join(FIXTURES, 'auto-reply-auto-submitted.eml')]);
    expect(out[0]).toMatch(/^not handled: auto-reply/);
  });

  it.each([
    [[], /exactly one \.eml file/],
    [['a.eml', 'b.eml'], /exactly one \.eml file/],
    [['/nonexistent/x.eml'], /cannot read \/nonexistent\/x\.eml: ENOENT/],
    [['x.eml', '--jsn'], /Unknown option '--jsn'/],
  ])('refuses %j with a clear usage error', async (args, message) => {
    await expect(run(args)).rejects.toThrow(message);
  });
});

describe('liquibot check --json reads the court document as the daemon does', () => {
  it.each([
    ['a PDF with an embedded TrueType font naming the company', 'cid', 'found', 'text', 'Tribunal de commerce de Nanterre'],
    ['a PDF naming another company', 'other', 'not-found', 'text', 'Tribunal de commerce de Paris'],
  ] as const)('%s → documentSiren %s', async (_l, which, want, method, court) => {
    const dir = mkdtempSync(join(tmpdir(), 'liquibot-check-'));
    try {
      const pdf = which === 'cid' ? await cidFontPdf() : await otherCompanyPdf();
      const file = join(dir, 'request.eml');
      writeFileSync(file, buildRequestMail({ from: 'etude@x.example.fr', siret: '73282932000074', attachment: { filename: 'minutes.pdf', content: pdf, contentType: 'application/pdf' } }));
      const { code, out } = await run([file, '--json']);
      expect(code).toBe(0);
      const json = JSON.parse(out[0]!);
      expect(json).toMatchObject({ verdict: 'conforme', documentSiren: want, document: { method, court, liquidation: true } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
