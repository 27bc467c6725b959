import { describe, expect, it } from 'vitest';
import { editDistance, suggestCommand, versionText } from '../../src/cli/usage';

const COMMANDS = ['run', 'check', 'migrate', 'tickets', 'approve', 'refuse', 'accounts', 'links', 'replay', 'status', 'purge', 'templates', 'help', '--help', '--version'];

describe('editDistance', () => {
  it.each([
    ['', '', 0], ['abc', '', 3], ['ticket', 'tickets', 1], ['aprove', 'approve', 1], ['stauts', 'status', 1], ['kitten', 'sitting', 3], ['run', 'purge', 4],
  ])('%j ↔ %j = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('suggestCommand', () => {
  it.each<[string, string | null]>([
    ['ticket', 'tickets'], ['aprove', 'approve'], ['Approve', 'approve'], ['stauts', 'status'], ['stat', 'status'], ['rn', 'run'], ['refused', 'refuse'],
    ['templ', 'templates'], ['--verison', '--version'], ['migrat', 'migrate'], ['replya', 'replay'],
    ['frobnicate', null], ['x', null], ['del', null],
  ])('%j → %j', (typed, want) => {
    expect(suggestCommand(typed, COMMANDS)).toBe(want);
  });
});

describe('versionText', () => {
  it('names the package version and node\'s', () => {
    expect(versionText('0.1.0', 'v20.20.0')).toBe('liquibot 0.1.0 (node v20.20.0)');
  });
});
