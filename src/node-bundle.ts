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
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
 * Bundles `src/<entry>` (a path under src/, the same file whether this runs from source or from the
 * daemon's bundle, dist/cli.mjs); about 50 ms. `name` names the directory and the file.
 */
export async function buildNodeBundle(entry: string, name: string): Promise<NodeBundle> {
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
