// Entry of the fuzz worker thread: loads the TypeScript worker through tsx. `--import tsx` in a
// Worker's execArgv does not reach its entry module on Node 20, and vitest's loader does not reach
// worker threads at all, so the worker registers tsx for itself.
import { tsImport } from 'tsx/esm/api';

await tsImport('./fuzz-worker.ts', import.meta.url);
