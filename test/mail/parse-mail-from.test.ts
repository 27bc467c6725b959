import { describe, expect, it } from 'vitest';
import { parseMail } from '../../src/mail/parse-mail';

/** A minimal mail with these From headers (one per entry). */
async function fromOf(...headers: string[]) {
  const raw = [...headers.map((h) => `From: ${h}`), 'To: support@support.example.fr', 'Subject: x', '', 'corps', ''].join('\r\n');
  return (await parseMail(Buffer.from(raw, 'utf8'))).from;
}

// Issue 10, finding 5: the From header is read by a real address parser (nodemailer's) and judged whole;
// `from` stays what mailparser read (requesters with odd headers are still answered there), marked
// `ambiguous` when the header does not name exactly one clean mailbox (never an agent then).
describe('parseMail: the sender', () => {
  it.each([
    ['Paul <paul.durand@agents.example.fr>', { address: 'paul.durand@agents.example.fr', name: 'Paul' }],
    ['Paul <PAUL.Durand@Agents.Example.FR>', { address: 'paul.durand@agents.example.fr', name: 'Paul' }],
    ['=?utf-8?q?Paul_Durand?= <paul.durand@agents.example.fr>', { address: 'paul.durand@agents.example.fr', name: 'Paul Durand' }],
    ['"Durand, Paul" <paul.durand@agents.example.fr>', { address: 'paul.durand@agents.example.fr', name: 'Durand, Paul' }],
    ['paul.durand@agents.example.fr (Paul)', { address: 'paul.durand@agents.example.fr', name: 'Paul' }],
    ['"sophie.martin"@agents.example.fr', { address: 'sophie.martin@agents.example.fr', name: '' }],
    ['sophie.martin+x@agents.example.fr', { address: 'sophie.martin+x@agents.example.fr', name: '' }],
    ['Jérôme <jerome@exämple.fr>', { address: 'jerome@exämple.fr', name: 'Jérôme' }],
    // an address-like display name is a display name: the mailbox is evil's
    ['"paul.durand@agents.example.fr" <evil@evil.fr>', { address: 'evil@evil.fr', name: 'paul.durand@agents.example.fr' }],
    ['=?utf-8?q?evil=40evil.fr=2C?= <paul.durand@agents.example.fr>', { address: 'paul.durand@agents.example.fr', name: 'evil@evil.fr,' }],
  ])('%j → one clean mailbox %o', async (header, want) => {
    expect(await fromOf(header)).toStrictEqual(want);
  });

  it.each([
    ['two addresses in one pair of brackets', ['<evil@evil.fr,paul.durand@agents.example.fr>'], 'evil@evil.fr,paul.durand@agents.example.fr'],
    ['two mailboxes', ['paul.durand@agents.example.fr, evil@evil.fr'], 'paul.durand@agents.example.fr'],
    ['two mailboxes, named', ['Paul <paul.durand@agents.example.fr>, Evil <evil@evil.fr>'], 'paul.durand@agents.example.fr'],
    ['a group', ['Agents: paul.durand@agents.example.fr;'], 'paul.durand@agents.example.fr'],
    ['two From headers', ['paul.durand@agents.example.fr', 'evil@evil.fr'], 'paul.durand@agents.example.fr'],
    ['an address with two @', ['evil@evil.fr@agents.example.fr'], 'evil@evil.fr@agents.example.fr'],
    ['a quoted local part holding a list', ['"evil@evil.fr,paul"@agents.example.fr'], '"evil@evil.fr,paul"@agents.example.fr'],
    ['an unquoted @ in the display name', ['evil@evil.fr <paul.durand@agents.example.fr>'], 'paul.durand@agents.example.fr'],
    ['words before an unbracketed address', ['paul durand@agents.example.fr'], 'durand@agents.example.fr'],
    ['an unclosed bracket', ['<paul.durand@agents.example.fr'], 'paul.durand@agents.example.fr'],
    ['a non-ASCII local part', ['jérôme@example.fr'], 'jérôme@example.fr'],
    ['an address literal', ['paul@[192.0.2.1]'], 'paul@[192.0.2.1]'],
  ])('%s: mailparser\'s first mailbox, kept, marked ambiguous', async (_name, headers, address) => {
    expect(await fromOf(...headers)).toMatchObject({ address, ambiguous: true });
  });

  it.each([['<>'], ['undisclosed-recipients:;']])('%j names nobody: null', async (header) => {
    expect(await fromOf(header)).toBeNull();
  });

  it('a clean From carries no ambiguous key at all (the shape of `from` is unchanged)', async () => {
    expect(Object.keys((await fromOf('Paul <paul@x.fr>'))!)).toEqual(['address', 'name']);
  });
});
