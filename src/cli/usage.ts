import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from '../errors';

/** Parse a sub-command's arguments; unknown options are a usage error with the command's help. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals, strict: true });
  } catch (err) {
    throw new AppError('USAGE', (err as Error).message);
  }
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Edit distance between two words (optimal string alignment: insertions, deletions, substitutions and
 * swaps of two neighbouring letters each count 1, so "stauts" is 1 away from "status").
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The command a mistyped one most likely meant, or null: the nearest by edit distance when at most 1 away
 * (2 for words of more than 3 letters; the first listed wins a tie), else the only command it begins.
 */
export function suggestCommand(typed: string, commands: readonly string[]): string | null {
  const word = typed.toLowerCase();
  const limit = word.length > 3 ? 2 : 1;
  let best: { command: string; distance: number } | null = null;
  for (const command of commands) {
    const distance = editDistance(word, command);
    if (distance <= limit && (!best || distance < best.distance)) best = { command, distance };
  }
  if (best) return best.command;
  const prefixed = word.length >= 3 ? commands.filter((c) => c.startsWith(word)) : [];
  return prefixed.length === 1 ? prefixed[0]! : null;
}

/** What `liquibot --version` prints. */
export function versionText(packageVersion: string, nodeVersion: string): string {
  return `liquibot ${packageVersion} (node ${nodeVersion})`;
}
