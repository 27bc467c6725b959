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
    ['x@agents.example.fr.', false],
    ['"x@agents.example.fr"@evil.com', false],
    ['paul@support.example.fr@evil.com', false],
    ['agents.example.fr', false],
    ['@agents.example.fr', false],
    ['x@', false],
    ['', false],
  ])('%j → %s', (sender, want) => {
    expect(isAllowedAgent(sender, list)).toBe(want);
  });

  it('allows nobody with an empty list', () => {
    expect(isAllowedAgent('paul@support.example.fr', parseAllowList(undefined))).toBe(false);
  });
});
