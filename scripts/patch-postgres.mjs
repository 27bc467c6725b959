// Patches postgres.js 3.4.9 (porsager/postgres#1154, #1208; fixes proposed in PRs #1168, #1209, not released):
// a small write is deferred with setImmediate(nextWrite); when the connection closes first, nextWrite runs
// with socket === null and throws from the immediate, which no caller can catch: the daemon crashes during a
// PostgreSQL restart. And the teardown paths clear that immediate without resetting it, so a reconnected
// connection never flushes small writes again. Run by `postinstall`; idempotent; fails loudly if the file moved.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres');
const MARK = '/* liquibot: nextWrite guard */';
const edits = [
  [
    'function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  ['    clearImmediate(nextWriteTimer)\n    if (socket) {', '    clearImmediate(nextWriteTimer)\n    nextWriteTimer = null\n    chunk = null\n    if (socket) {'],
  ['    clearImmediate(nextWriteTimer)\n    socket.removeListener', '    clearImmediate(nextWriteTimer)\n    nextWriteTimer = null\n    chunk = null\n    socket.removeListener'],
];

let version;
try {
  version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
} catch {
  process.exit(0); // postgres not installed (yet): nothing to patch
}
for (const file of ['src/connection.js', 'cjs/src/connection.js']) {
  const path = join(root, file);
  let text = readFileSync(path, 'utf8');
  if (text.includes(MARK)) continue;
  for (const [from, to] of edits) {
    if (!text.includes(from)) {
      console.error(`patch-postgres: postgres ${version} ${file} does not contain the expected code; check whether the upstream fix landed and remove this patch`);
      process.exit(1);
    }
    text = text.replace(from, to);
  }
  writeFileSync(path, text);
  console.log(`patch-postgres: patched postgres ${version} ${file}`);
}
