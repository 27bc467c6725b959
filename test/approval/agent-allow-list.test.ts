import { describe, expect, it } from 'vitest';
import { isAllowedAgent, parseAllowList } from '../../src/approval/agent-allow-list';

describe('parseAllowList', () => {
  it.each([
    ['undefined', undefined, [], []],
    ['blank', '  ', [], []],
    ['one address', 'Paul@Support.Example.FR', ['paul@support.example.fr'], []],
    ['one domain', '@Support.Example.fr', [], ['support.example.fr']],
    ['commas, semicolons, spaces, newlines', 'a@x.fr, b@x.fr;@y.fr\n c@z.fr ;; ,', ['a@x.fr', 'b@x.fr', 'c@z.fr'], ['y.fr']],
    ['duplicates merged', 'a@x.fr A@X.FR @y.fr @Y.fr', ['a@x.fr'], ['y.fr']],
    // kept canonical (parsers/mailbox.ts)
    ['a tagged, quoted address', 'Paul+agents@X.fr "jean"@x.fr', ['paul@x.fr', 'jean@x.fr'], []],
    ['IDN domains in either form', '@exämple.fr @XN--EXMPLE-CUA.FR jean@Exämple.fr', ['jean@xn--exmple-cua.fr'], ['xn--exmple-cua.fr']],
    ['a domain with its root dot', '@agents.example.fr.', [], ['agents.example.fr']],
  ])('%s', (_name, raw, addresses, domains) => {
    const list = parseAllowList(raw);
    expect([...list.addresses]).toEqual(addresses);
    expect([...list.domains]).toEqual(domains);
  });

  it.each([
    ['not-an-address', 'not-an-address'],
    ['a@x.fr, bob', 'bob'],
    ['@', '@'],
    ['@localhost', '@localhost'],
    ['@x..fr', '@x..fr'],
    ['a@@x.fr', 'a@@x.fr'],
    ['*@x.fr', '*@x.fr'],
    ['Paul <paul@x.fr>', 'Paul'],
    ['"a,b"@x.fr', '"a'],
    ['@127.0.0.1', '@127.0.0.1'],
  ])('%j is refused, naming %j', (raw, entry) => {
    expect(() => parseAllowList(raw)).toThrow(`"${entry}"`);
  });
});

describe('isAllowedAgent', () => {
  const list = parseAllowList('paul@support.example.fr, @agents.example.fr');
  it.each([
    ['paul@support.example.fr', true],
    ['PAUL@Support.Example.FR', true],
    [' paul@support.example.fr ', true],
    ['anyone@agents.example.fr', true],
    ['marie@support.example.fr', false],
    ['x@sub.agents.example.fr', false],
    ['x@evil-agents.example.fr', false],
    ['x@agents.example.fr.evil.com', false],
    // the root dot, subaddresses, quoting and case do not change the mailbox (parsers/mailbox.ts)
    ['x@agents.example.fr.', true],
    ['paul+agent@support.example.fr', true],
    ['"paul"@Support.Example.FR.', true],
    ['paul-agent@support.example.fr', false],
    ['"x@agents.example.fr"@evil.com', false],
    ['paul@support.example.fr@evil.com', false],
    // issue 10, finding 5: the domain after the last @ was taken for the sender's
    ['evil@evil.fr,paul@support.example.fr', false],
    ['evil@evil.fr, x@agents.example.fr', false],
    ['evil@evil.fr@agents.example.fr', false],
    ['"evil@evil.fr,x"@agents.example.fr', false],
    ['Paul <paul@support.example.fr>', false],
    ['paul@support.example.fr (Paul)', false],
    ['x@agents.example.fr\u200b', false],
    ['agents.example.fr', false],
    ['@agents.example.fr', false],
    ['x@', false],
    ['', false],
  ])('%j → %s', (sender, want) => {
    expect(isAllowedAgent(sender, list)).toBe(want);
  });

  it('applies the configured subaddress separators to the list and to senders', () => {
    const dashed = parseAllowList('paul-agents@support.example.fr', { subaddressSeparators: '+-' });
    expect([...dashed.addresses]).toEqual(['paul@support.example.fr']);
    expect(isAllowedAgent('paul-x@support.example.fr', dashed)).toBe(true);
    expect(isAllowedAgent('paul-x@support.example.fr', parseAllowList('paul@support.example.fr'))).toBe(false);
  });

  it.each([
    [{ address: 'paul@support.example.fr', name: 'Paul' }, true],
    [{ address: 'paul@support.example.fr', name: 'Paul', ambiguous: true as const }, false],
    [{ address: 'x@agents.example.fr', name: '', ambiguous: true as const }, false],
  ])('judges a From whole: %o → %s', (from, want) => {
    expect(isAllowedAgent(from, list)).toBe(want);
  });

  it('allows nobody with an empty list', () => {
    expect(isAllowedAgent('paul@support.example.fr', parseAllowList(undefined))).toBe(false);
  });
});
