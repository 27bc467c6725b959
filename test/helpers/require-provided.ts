import { inject, type ProvidedContext } from 'vitest';
import './provided-context';

/**
 * A value from the integration global setup, or a clear error when the test file runs
 * outside the `integration` project (where no servers were started).
 */
export function requireProvided<K extends keyof ProvidedContext & string>(key: K): ProvidedContext[K] {
  const value = inject(key);
  if (value === undefined) {
    throw new Error(
      `${key} is not provided: this helper needs the servers of the integration project ` +
        '(put the test under test/integration/ or test/sandbox/, see vitest.config.ts)',
    );
  }
  return value;
}
