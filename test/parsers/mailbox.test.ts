import { describe, expect, it } from 'vitest';
import { canonicalMailbox, domainOfMailbox, sameMailbox, writtenMailboxOf } from '../../parsers/mailbox';

describe('canonicalMailbox', () => {
  it.each([
    // case, whitespace
    ['sophie.martin@agents.example.fr', 'sophie.martin@agents.example.fr'],
    ['Sophie.Martin@Agents.Example.FR', 'sophie.martin@agents.example.fr'],
    ['  sophie.martin@agents.example.fr \t', 'sophie.martin@agents.example.fr'],
    // subaddresses: + always, from the first one, not when it starts the local part
    ['sophie.martin+x@agents.example.fr', 'sophie.martin@agents.example.fr'],
    ['SOPHIE.MARTIN+Validation@AGENTS.EXAMPLE.FR', 'sophie.martin@agents.example.fr'],
    ['sophie.martin+a+b@agents.example.fr', 'sophie.martin@agents.example.fr'],
    ['sophie.martin+@agents.example.fr', 'sophie.martin@agents.example.fr'],
    ['+tag@agents.example.fr', '+tag@agents.example.fr'],
    // - only when configured
    ['jean-pierre.dupont@x.fr', 'jean-pierre.dupont@x.fr'],
    // quoted local parts
    ['"sophie.martin"@agents.example.fr', 'sophie.martin@agents.example.fr'],
    ['"Sophie.Martin+x"@agents.example.fr', 'sophie.martin@agents.example.fr'],
    ['"sophie\\.martin"@agents.example.fr', 'sophie.martin@agents.example.fr'],
    // IDN: one form, whichever was written
    ['jean@exämple.fr', 'jean@xn--exmple-cua.fr'],
    ['jean@EXÄMPLE.FR', 'jean@xn--exmple-cua.fr'],
    ['jean@xn--exmple-cua.fr', 'jean@xn--exmple-cua.fr'],
    ['jean@XN--EXMPLE-CUA.fr', 'jean@xn--exmple-cua.fr'],
    ['jean@straße.de', 'jean@xn--strae-oqa.de'],
    // the root dot
    ['sophie.martin@agents.example.fr.', 'sophie.martin@agents.example.fr'],
    ['Sophie.Martin+X@Agents.Example.FR.', 'sophie.martin@agents.example.fr'],
    // single-label and other legal forms
    ['liquibot@localhost', 'liquibot@localhost'],
    ["o'brien@x.fr", "o'brien@x.fr"],
  ])('%j → %j', (input, want) => {
    expect(canonicalMailbox(input)).toBe(want);
  });

  it.each([
    ['jean-pierre.dupont@x.fr', '-', 'jean@x.fr'],
    ['jean-pierre+x@x.fr', '+-', 'jean@x.fr'],
    ['jean+pierre-x@x.fr', '-', 'jean@x.fr'],
    ['-jean@x.fr', '-', '-jean@x.fr'],
    ['jean_x@x.fr', '_', 'jean@x.fr'],
    // '+' stays a separator whatever is configured
    ['jean+x@x.fr', '-', 'jean@x.fr'],
  ])('%j with separators %j → %j', (input, separators, want) => {
    expect(canonicalMailbox(input, { subaddressSeparators: separators })).toBe(want);
  });

  it.each([
    // not one addr-spec
    [''], ['   '], ['sophie.martin'], ['@agents.example.fr'], ['sophie@'],
    ['Sophie <sophie@agents.example.fr>'], ['<sophie@agents.example.fr>'],
    ['sophie@agents.example.fr (Sophie)'], ['sophie(Sophie)@agents.example.fr'], ['sophie@(x)agents.example.fr'],
    ['evil@evil.fr,paul.durand@agents.example.fr'], ['evil@evil.fr, paul.durand@agents.example.fr'],
    ['evil@evil.fr@agents.example.fr'], ['a@@x.fr'],
    ['Agents: paul@agents.example.fr;'],
    ['sophie martin@agents.example.fr'], ['sophie@agents example.fr'], ['sophie@agents.example.fr\r\nBcc: x@y.fr'],
    // quoted local parts that are not plain once unquoted
    ['"evil@evil.fr,paul.durand"@agents.example.fr'], ['"x@agents.example.fr"@evil.com'], ['"sophie martin"@x.fr'],
    ['"sophie"martin@x.fr'], ['"sophie@x.fr'], ['"sophie\\"@x.fr'], ['""@x.fr'],
    // dots in the local part
    ['.sophie@x.fr'], ['sophie.@x.fr'], ['so..phie@x.fr'],
    // non-ASCII local parts (SMTPUTF8) are not compared
    ['jérôme@x.fr'],
    // domains that are not host names
    ['x@[1.2.3.4]'], ['x@127.0.0.1'], ['x@0x7f.1'], ['x@x..fr'], ['x@.x.fr'], ['x@x.fr..'], ['x@-x.fr'], ['x@x-.fr'], ['x@ex_ample.fr'],
    ['x@ex%41mple.fr'], ['x@example.fr\u200b'], ['x@exa\u200bmple.fr'], ['x@example\uff0efr'], ['x@xn--zz.fr'], ['x@ex:ample.fr'],
    [`${'a'.repeat(65)}@x.fr`], [`x@${'a'.repeat(64)}.fr`], [`x@${'abcdefghi.'.repeat(26)}fr`],
  ])('%j is not one clean mailbox', (input) => {
    expect(canonicalMailbox(input)).toBeNull();
  });

  it('gives the domain of a canonical mailbox', () => {
    expect(domainOfMailbox(canonicalMailbox('"Sophie"@Exämple.FR.')!)).toBe('xn--exmple-cua.fr');
  });
});

describe('sameMailbox', () => {
  it.each([
    ['sophie.martin@agents.example.fr', 'sophie.martin+x@agents.example.fr', true],
    ['sophie.martin@agents.example.fr', 'SOPHIE.MARTIN@AGENTS.EXAMPLE.FR.', true],
    ['sophie.martin@agents.example.fr', '"sophie.martin"@agents.example.fr', true],
    ['jean@exämple.fr', 'jean+dossier@xn--exmple-cua.fr', true],
    ['sophie.martin@agents.example.fr', 'sophie.martin@agents.example.fr.evil.com', false],
    ['sophie.martin@agents.example.fr', 'sophie.martin@sub.agents.example.fr', false],
    ['sophie.martin@agents.example.fr', 'sophiemartin@agents.example.fr', false],
    ['sophie-x@agents.example.fr', 'sophie@agents.example.fr', false],
    // neither clean: the same only as the same string
    ['evil@evil.fr,x@y.fr', 'EVIL@evil.fr,x@y.fr ', true],
    ['jérôme@x.fr', 'jérôme@x.fr', true],
    ['jérôme@x.fr', 'jerome@x.fr', false],
    // one clean, one not: never
    ['sophie@x.fr', 'sophie@x.fr (Sophie)', false],
    // absent
    [null, null, false], ['', '', false], [undefined, 'x@y.fr', false], ['x@y.fr', null, false],
  ])('%j and %j → %s', (a, b, want) => {
    expect(sameMailbox(a, b)).toBe(want);
    expect(sameMailbox(b, a)).toBe(want);
  });

  it('applies the configured separators', () => {
    expect(sameMailbox('sophie-x@agents.example.fr', 'sophie@agents.example.fr', { subaddressSeparators: '+-' })).toBe(true);
  });
});

describe('writtenMailboxOf (a From header in a plain form)', () => {
  it.each([
    ['paul@x.fr', 'paul@x.fr'],
    ['  paul@x.fr  ', 'paul@x.fr'],
    ['<paul@x.fr>', 'paul@x.fr'],
    ['Paul Durand <paul@x.fr>', 'paul@x.fr'],
    ['"Durand, Paul" <paul@x.fr>', 'paul@x.fr'],
    ['"paul@x.fr" <evil@evil.fr>', 'evil@evil.fr'],
    ['"Paul \\"le chef\\"" <paul@x.fr>', 'paul@x.fr'],
    ['=?utf-8?q?Paul_Durand?= <paul@x.fr>', 'paul@x.fr'],
    ['paul@x.fr (Paul Durand)', 'paul@x.fr'],
    ['(agent) Paul <paul@x.fr> (bureau (2))', 'paul@x.fr'],
    ['"sophie.martin"@x.fr', '"sophie.martin"@x.fr'],
    ['< paul@x.fr >', 'paul@x.fr'],
    ['Paul"x" <paul@x.fr>', 'paul@x.fr'],
    ['"jean dupont"@x.fr', '"jean dupont"@x.fr'],
  ])('%j → %j', (header, want) => {
    expect(writtenMailboxOf(header)).toBe(want);
  });

  it.each([
    // lists and groups
    ['paul@x.fr, evil@evil.fr'], ['<evil@evil.fr,paul@x.fr>'], ['Agents: paul@x.fr;'], ['undisclosed-recipients:;'], ['paul@x.fr;'],
    // brackets, quotes, parentheses
    ['<paul@x.fr'], ['paul@x.fr>'], ['<paul@x.fr> <evil@evil.fr>'], ['Paul <paul@x.fr> evil@evil.fr'], ['"Paul <paul@x.fr>'],
    ['Paul (x <paul@x.fr>'], ['Paul) <paul@x.fr>'], ['"Paul\\'],
    // what a lenient parser guesses at
    ['evil@evil.fr <paul@x.fr>'], ['paul durand@x.fr'], ['Paul <paul durand@x.fr>'],
    // a comment inside the address
    ['paul(x)@x.fr'], ['<paul@(x)x.fr>'],
  ])('%j → null', (header) => {
    expect(writtenMailboxOf(header)).toBeNull();
  });

  it('leaves the addr-spec to canonicalMailbox', () => {
    expect(writtenMailboxOf('<a@@x.fr>')).toBe('a@@x.fr');
    expect(canonicalMailbox(writtenMailboxOf('<a@@x.fr>')!)).toBeNull();
  });
});
