/**
 * `tsx bench/heap-profile-summary.ts FILE.heapprofile [REQUESTS]`: what the daemon allocated, from the
 * sampling heap profile written by `LIQUIBOT_BENCH_HEAPPROF=1 npm run bench -- --cpu-prof DIR` (objects
 * already collected included: the churn the garbage collector pays for). Prints bytes by package (or
 * src/ folder), by allocating function, and the inclusive bytes of liquibot's own functions, per request
 * when REQUESTS is given (the daemon's start-up is in the totals).
 */
import { readFileSync } from 'node:fs';
import { categoryOf, frameKey } from './profile-summary';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface HeapNode { callFrame: CallFrame; selfSize: number; children: HeapNode[] }

function main(): void {
  const [file, requestsArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx bench/heap-profile-summary.ts FILE.heapprofile [REQUESTS]\n');
    process.exit(2);
  }
  const requests = Number(requestsArg ?? 0) || 0;
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const ours = new Map<string, number>();
  let total = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const isOurs = (f: CallFrame) => /\/(src|parsers)\/|dist\/cli\.mjs/.test(f.url);
  const walk = (node: HeapNode, stack: CallFrame[]) => {
    const frames = [...stack, node.callFrame];
    if (node.selfSize > 0) {
      total += node.selfSize;
      const f = node.callFrame;
      add(byCategory, f.url ? categoryOf(f) : `(native) ${f.functionName}`, node.selfSize);
      add(byFunction, frameKey(f), node.selfSize);
      const seen = new Set<string>();
      for (const o of frames.filter(isOurs)) {
        const k = `${o.functionName || '(anonymous)'}:${o.lineNumber + 1}`;
        if (!seen.has(k)) add(ours, k, node.selfSize), seen.add(k);
      }
    }
    for (const c of node.children) walk(c, frames);
  };
  walk(head, []);
  const fmt = (v: number) => `${(v / 1048576).toFixed(1).padStart(8)} MB${requests ? `${(v / requests / 1024).toFixed(0).padStart(7)} KB/request` : ''}`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${fmt(v)}  ${k}`).join('\n');
  process.stdout.write(`allocated ${fmt(total)}\n\nby package / folder:\n${top(byCategory, 20)}\n\nby allocating function:\n${top(byFunction, 25)}\n\nliquibot's functions, inclusive:\n${top(ours, 25)}\n`);
}

main();
