import { execFileSync } from 'node:child_process';

export interface CodeVersion {
  /** The commit the daemon's code comes from ($LIQUIBOT_BENCH_COMMIT for a copy without .git). */
  commit: string | null;
  /** Uncommitted changes to the daemon's code (src, parsers, templates, drizzle, package.json): the figures are then for no commit. */
  dirty: boolean | null;
}

/** Which code was measured. */
export function codeVersion(repoRoot: string): CodeVersion {
  if (process.env.LIQUIBOT_BENCH_COMMIT) return { commit: process.env.LIQUIBOT_BENCH_COMMIT, dirty: false };
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short=12', 'HEAD');
    const changes = git('status', '--porcelain', '--', 'src', 'parsers', 'templates', 'drizzle', 'package.json');
    return { commit, dirty: changes.length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}
