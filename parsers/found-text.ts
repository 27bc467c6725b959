/** Limits for Problem.found, so a notice never quotes a whole paragraph back. */
export const FOUND_MAX = { siret: 40, email: 80, filenames: 120 } as const;

/**
 * What was written, for Problem.found: whitespace runs (NBSP, tabs, line breaks) made one space,
 * trimmed, cut to `max` characters with a final '…' when longer.
 */
export function foundText(written: string, max: number): string {
  const s = written.replace(/\s+/g, ' ').trim();
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}
