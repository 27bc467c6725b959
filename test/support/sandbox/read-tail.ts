import { readFileSync } from 'node:fs';

/** The last `lines` lines of a log file, for error messages; a placeholder if unreadable. */
export function readTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}
