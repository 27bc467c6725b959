/**
 * The reader process's code as one plain ESM file, built with esbuild (a dependency already: the
 * daemon's own bundle is made with it) into a private temporary directory.
 *
 * Why not run reader-process.ts through tsx, as tests run the daemon: tsx's loader transforms the 2 MB
 * pdf.mjs on every start, which costs ~0.4 s and ~170 MB more resident memory per reader (measured:
 * 66 MB and 40 ms to load pdfjs with plain node, 236 MB and 400 ms under tsx). Packages stay outside the
 * bundle, imported from liquibot's node_modules by absolute path, so pdfjs and tesseract.js find their
 * own worker and data files as installed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { PROJECT_ROOT } from '../project-root';

export interface ReaderBundle {
  /** The bundle, to run with node. */
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

/** Builds the reader's bundle; about 50 ms. */
export async function buildReaderBundle(): Promise<ReaderBundle> {
  // the same file whether this runs from source (tsx, vitest) or from the daemon's bundle (dist/cli.mjs)
  const entry = join(PROJECT_ROOT, 'src', 'documents', 'reader-process.ts');
  // loaded on the first reading only: the daemon that never reads a document never loads esbuild
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [absolutePackages],
  });
  const dir = mkdtempSync(join(tmpdir(), 'liquibot-reader-'));
  const file = join(dir, 'reader.mjs');
  writeFileSync(file, result.outputFiles[0]!.contents, { mode: 0o600 });
  // removed by close(), or when this process exits without it (`liquibot check` ending, a test)
  const remove = () => {
    process.off('exit', remove);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return { file, remove };
}
