/**
 * `tsx bench/profile-summary.ts FILE.cpuprofile [--top N]`: where the daemon's CPU went, from a
 * V8 CPU profile written by `npm run bench -- --cpu-prof DIR`. Prints self time by package (or
 * src/ folder) and by function, and inclusive time of liquibot's own functions.
 */
import { readFileSync } from 'node:fs';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Where a frame's code lives: a package, a folder of ours, node's internals, or V8's pseudo-frames. */
export function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(program)') return '(program)';
    return '(native)';
  }
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/(src\/[^/]+|parsers)\//.exec(url);
  if (ours) return ours[1]!;
  if (/\/src\/[^/]+$/.test(url)) return 'src';
  return url;
}

export function frameKey(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules\/|src\/|parsers\/)/, '$1');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

export interface ProfileSummary {
  totalMs: number;
  selfByCategory: [string, number][];
  selfByFunction: [string, number][];
  /** Inclusive (self + callees) time of our own functions (src/, parsers/), each counted once per sample. */
  inclusiveOurs: [string, number][];
  /** Inclusive time per category: samples whose stack passes through that package at least once. */
  inclusiveByCategory: [string, number][];
}

export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfCat = new Map<string, number>();
  const selfFn = new Map<string, number>();
  const inclOurs = new Map<string, number>();
  const inclCat = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = byId.get(id);
    if (!node) return;
    add(selfCat, categoryOf(node.callFrame), dt);
    add(selfFn, `${frameKey(node.callFrame)} [${categoryOf(node.callFrame)}]`, dt);
    const seenFn = new Set<string>();
    const seenCat = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const cat = categoryOf(f);
      seenCat.add(cat);
      if (cat.startsWith('src') || cat === 'parsers') seenFn.add(frameKey(f));
    }
    for (const k of seenFn) add(inclOurs, k, dt);
    for (const k of seenCat) add(inclCat, k, dt);
  });
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total,
    selfByCategory: sorted(selfCat),
    selfByFunction: sorted(selfFn),
    inclusiveOurs: sorted(inclOurs),
    inclusiveByCategory: sorted(inclCat),
  };
}

function table(title: string, rows: [string, number][], total: number, top: number): string {
  const lines = rows.slice(0, top).map(([k, v]) => `  ${v.toFixed(0).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  return `${title}\n${lines.join('\n')}`;
}

function main(argv: string[]): void {
  const file = argv.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: tsx bench/profile-summary.ts FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const topIdx = argv.indexOf('--top');
  const top = topIdx >= 0 ? Number(argv[topIdx + 1]) : 25;
  const s = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const busy = s.totalMs - (s.selfByCategory.find(([k]) => k === '(idle)')?.[1] ?? 0);
  process.stdout.write(
    [
      `profile: ${(s.totalMs / 1000).toFixed(1)} s wall, ${(busy / 1000).toFixed(1)} s on CPU (${((100 * busy) / s.totalMs).toFixed(0)}%)`,
      table('self time by package / folder:', s.selfByCategory, s.totalMs, top),
      table('inclusive time by package / folder (stack passes through it):', s.inclusiveByCategory, s.totalMs, top),
      table('self time by function:', s.selfByFunction, s.totalMs, top),
      table("inclusive time of liquibot's functions:", s.inclusiveOurs, s.totalMs, top),
    ].join('\n\n') + '\n',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
