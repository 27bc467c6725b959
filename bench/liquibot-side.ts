import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DONE_KEYWORD } from '../src/mail/mailbox-watcher';
import { withImapSession } from '../test/support/sandbox/imap-seed';
import type { BenchSandbox, ScenarioPlace } from './bench-sandbox';
import { REPO_ROOT, startDaemonChild } from './daemon-child';
import { unflaggedCount } from './bench-sandbox';
import { daemonEnv } from './scenario-common';
import type { MeasuredProcess } from './floor/floor-child';

/**
 * Liquibot as the issue-15 scenarios run it: bin/liquibot run, the drain's environment, documents not
 * read (the floor reads none; reading is its own cost, measured in "Reading the court documents").
 */
export const ISSUE15_ENV = { DOCUMENT_READING: 'false' } as const;

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

/**
 * Rebuild dist/cli.mjs now if src/ is newer (bin/liquibot would do it inside the timed run otherwise:
 * others edit src/ while the bench runs), and say which bundle is measured (first 12 hex of its sha256).
 */
export function freshBundle(): string {
  const bundle = join(REPO_ROOT, 'dist/cli.mjs');
  const sources = ['src', 'parsers', 'package.json', 'tsconfig.json', 'scripts/build.mjs'].map((p) => newestMtime(join(REPO_ROOT, p)));
  if (Math.max(...sources) > newestMtime(bundle)) {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs'), '--quiet'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  return createHash('sha256').update(readFileSync(bundle)).digest('hex').slice(0, 12);
}

export function startLiquibots(sandbox: BenchSandbox, place: ScenarioPlace, count: number, extraEnv: Record<string, string> = {}): Promise<MeasuredProcess[]> {
  const env = daemonEnv(place, sandbox.sink, { ...ISSUE15_ENV, ...extraEnv });
  return Promise.all(Array.from({ length: count }, () => startDaemonChild(env)));
}

export const liquibotUnflagged = (place: ScenarioPlace, folder = 'INBOX'): Promise<number> => unflaggedCount(place.login, DONE_KEYWORD, folder);

/** The floor marks \Seen. */
export async function unseenCount(place: ScenarioPlace): Promise<number> {
  return withImapSession(place.login, async (client) => {
    await client.mailboxOpen('INBOX', { readOnly: true });
    return ((await client.search({ seen: false }, { uid: true })) || []).length;
  });
}
