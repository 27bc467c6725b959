import { AppError } from './errors';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory of liquibot's package.json: where templates/ and drizzle/ ship. Found by walking up
 * from this module, because the module is not always at the same depth: src/project-root.ts when run
 * from source (tsx, vitest), dist/cli.mjs when run from the bundle (bin/liquibot).
 */
export function findProjectRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (isLiquibotPackage(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new AppError('INTERNAL', `liquibot's package.json not found above ${from}`);
    dir = parent;
  }
}

function isLiquibotPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'liquibot';
  } catch {
    return false;
  }
}

/** The project root, computed once at load. */
export const PROJECT_ROOT = findProjectRoot();
