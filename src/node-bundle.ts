/**
 * A module of liquibot's, bundled into one plain ESM file with esbuild (a dependency: the daemon's own
 * bundle is made with it) in a private temporary directory, to run in a process or a thread of its own.
 *
 * Why not run the TypeScript source through tsx: a child or a thread does not inherit the test runner's
 * or tsx's loader, and tsx costs a child hundreds of milliseconds and megabytes at each start (measured
 * for the document reader: 66 MB and 40 ms to load pdfjs with plain node, 236 MB and 400 ms under tsx).
 * Packages stay outside the bundle, imported from liquibot's node_modules by absolute path, so they find
 * their own files as installed.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { PROJECT_ROOT } from './project-root';

export interface NodeBundle {
  /** The bundle, to run with node (a child process or a worker thread). */
  file: string;
  /** Removes the bundle's directory. */
  remove(): void;
}

/** Bare package imports become absolute file URLs: the bundle lives in a temporary directory. */
const absolutePackages: Plugin = {
  name: 'absolute-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'inner' || args.path.startsWith('node:')) return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
  },
};

/**
 * The bundle scripts/build.mjs made of `name` beside the daemon's, when this code runs from that bundle
 * (dist/cli.mjs; bin/liquibot rebuilds all of dist/ together when a source changes); null when it runs
 * from source (tsx, vitest), where the source may have changed since.
 */
export function prebuiltBundle(name: string, from: string = fileURLToPath(import.meta.url)): string | null {
  if (basename(from) !== 'cli.mjs') return null;
  const file = join(dirname(from), `${name}.mjs`);
  return existsSync(file) ? file : null;
}

/**
 * Bundles `src/<entry>` (a path under src/, the same file whether this runs from source or from the
 * daemon's bundle, dist/cli.mjs); about 50 ms. `name` names the directory and the file. From the
 * daemon's bundle, the one built with it is used instead (prebuiltBundle): no esbuild at run time.
 */
export async function buildNodeBundle(entry: string, name: string): Promise<NodeBundle> {
  const prebuilt = prebuiltBundle(name);
  if (prebuilt) return { file: prebuilt, remove: () => {} };
  // Loaded on first use only: a daemon that never needs a bundle never loads esbuild.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'src', entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [absolutePackages],
  });
  const dir = mkdtempSync(join(tmpdir(), `liquibot-${name}-`));
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, result.outputFiles[0]!.contents, { mode: 0o600 });
  // Removed by its owner, or when this process exits without that (`liquibot check` ending, a test).
  const remove = () => {
    process.off('exit', remove);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return { file, remove };
}
