/**
 * Writes the generated corpus of court-like documents (test/support/documents/corpus.ts) to a
 * directory, to open them by hand or feed them to `liquibot check`:
 *
 *   npx tsx scripts/make-document-corpus.ts /tmp/corpus
 *
 * The tests and the benchmark build the same files in memory; nothing here is a fixture.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildCorpus } from '../test/support/documents/corpus';

const EXTENSIONS = { pdf: 'pdf', jpeg: 'jpg', png: 'png', tiff: 'tif' } as const;

const dir = resolve(process.argv[2] ?? 'document-corpus');
mkdirSync(dir, { recursive: true });
for (const doc of await buildCorpus()) {
  const file = join(dir, `${doc.name}.${EXTENSIONS[doc.kind]}`);
  writeFileSync(file, doc.content);
  process.stdout.write(`${file}\t${doc.content.length} bytes\n`);
}
