#!/usr/bin/env node
// Bundles src/cli.ts into dist/cli.mjs, which bin/liquibot runs with plain node: no TypeScript loader
// in the daemon (about 40 MB less resident memory than tsx's). The pure-JavaScript packages go into
// the bundle too: node then reads one file where it resolved, read and wrapped hundreds (`liquibot
// help` takes 0.40 s instead of 0.48; docs/benchmarks.md). Packages that find files of their own at
// run time (native code, WebAssembly, worker scripts) or that only some commands load stay external,
// imported from node_modules. templates/ and drizzle/ are read at run time from the project root.
//
// The daemon's SMTP thread and its document readers run bundles of their own (src/node-bundle.ts):
// dist/smtp-thread.mjs and dist/reader.mjs, built here too, so a running daemon never loads esbuild.
//
//   node scripts/build.mjs            (npm run build; bin/liquibot runs it when src/ is newer than dist/)
//   node scripts/build.mjs --quiet    errors only (what bin/liquibot uses: its stdout/stderr stay clean)
//
// Exit status: 0 built; 1 the source does not compile (esbuild's messages are on stderr); 3 dist/
// cannot be written (read-only install): bin/liquibot then runs the source through tsx instead.
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'cli.mjs');
/** Loaded from node_modules at run time, not bundled (see above). */
const EXTERNAL = [
  '@electric-sql/pglite', // its WebAssembly and data files, next to it
  '@node-rs/argon2', '@napi-rs/canvas', 'esbuild', // native code
  'pino', 'pino-pretty', 'thread-stream', // transports run worker scripts found by path
  'mailauth', 'pdfjs-dist', 'tesseract.js', 'tiff', 'playwright-core', // loaded by some commands or processes only
  // The mail libraries, with the packages they share: the bench's tracer (bench/span-tracer.mjs) wraps
  // imapflow's and nodemailer's, which it can reach only in node_modules.
  'imapflow', 'nodemailer', 'mailparser', 'libmime', '@zone-eu/mailsplit', 'iconv-lite', 'he',
];
/** The bundles run in a thread or a process of their own: packages stay external (src/node-bundle.ts). */
const SIDE_BUNDLES = { 'smtp-thread': 'mail/smtp-thread.ts', reader: 'documents/reader-process.ts' };
const quiet = process.argv.includes('--quiet');

// bin/liquibot rebuilds when a source is newer than dist/cli.mjs. The output is dated from just
// before the sources were read (less a second for the file system's coarse clock), so a file saved
// during the build still counts as newer and the next start rebuilds again.
const readFrom = new Date(Date.now() - 1000);

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Stack traces point at src/ (bin/liquibot runs node --enable-source-maps). Mappings only: the
  // sources are in src/, and a smaller map is less for node to load and keep.
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  write: false,
  logLevel: quiet ? 'error' : 'warning',
};

let result;
try {
  const [main, ...sides] = await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'src', 'cli.ts')],
      outfile,
      external: EXTERNAL,
      // CommonJS packages in an ES module: their require() of node's modules needs a require.
      banner: { js: "import { createRequire as __liquibotCreateRequire } from 'node:module';\nconst require = __liquibotCreateRequire(import.meta.url);" },
    }),
    ...Object.entries(SIDE_BUNDLES).map(([name, entry]) => build({
      ...common, entryPoints: [join(root, 'src', entry)], outfile: join(root, 'dist', `${name}.mjs`), packages: 'external',
    })),
  ]);
  result = { outputFiles: [main, ...sides].flatMap((r) => r.outputFiles) };
} catch {
  // esbuild has printed its errors.
  process.stderr.write('liquibot: build of src/cli.ts failed (see above)\n');
  process.exit(1);
}

// Each file goes to a name of its own, then is renamed into place: two processes building at once
// (several daemons starting together) never leave a torn file, only one or the other's whole output.
// The map is renamed first, so the bundle in place always has its map.
const ordered = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
const temps = [];
try {
  mkdirSync(dirname(outfile), { recursive: true });
  for (const file of ordered) {
    const temp = join(dirname(file.path), `.${basename(file.path)}.${process.pid}.tmp`);
    temps.push(temp);
    writeFileSync(temp, file.contents);
    utimesSync(temp, readFrom, readFrom);
    renameSync(temp, file.path);
  }
} catch (err) {
  for (const temp of temps) rmSync(temp, { force: true });
  if (['EACCES', 'EPERM', 'EROFS'].includes(err?.code)) {
    // Quiet: bin/liquibot says it in its own one line.
    if (!quiet) process.stderr.write(`liquibot: cannot write ${dirname(outfile)} (${err.code})\n`);
    process.exit(3);
  }
  throw err;
}
if (!quiet) process.stderr.write(`built ${outfile}\n`);
