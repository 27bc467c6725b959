/**
 * A line diff for template versions (the console shows what changed between two versions, and
 * between a version and the shipped files). Pure: longest common subsequence on the lines left once
 * the common head and tail are set aside; past a size where that would cost too much memory, the
 * middle is shown as removed then added (still correct, only less precise).
 */

export type DiffLine =
  | { kind: 'same'; text: string; oldLine: number; newLine: number }
  | { kind: 'removed'; text: string; oldLine: number }
  | { kind: 'added'; text: string; newLine: number };

/** Above this many cells (old lines × new lines in the middle), no LCS table is built. */
export const MAX_DIFF_CELLS = 4_000_000;

function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The lines of `before` and `after`, each kept, removed or added, in order. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = linesOf(before);
  const b = linesOf(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: 'same', text: a[i]!, oldLine: i + 1, newLine: i + 1 });
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  if (n * m > MAX_DIFF_CELLS) {
    am.forEach((text, i) => out.push({ kind: 'removed', text, oldLine: head + i + 1 }));
    bm.forEach((text, j) => out.push({ kind: 'added', text, newLine: head + j + 1 }));
  } else {
    // lcs[i][j]: length of the LCS of am[i..] and bm[j..], in one flat array.
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = am[i] === bm[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        out.push({ kind: 'same', text: am[i]!, oldLine: head + i + 1, newLine: head + j + 1 });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
        out.push({ kind: 'removed', text: am[i]!, oldLine: head + i + 1 });
        i++;
      } else {
        out.push({ kind: 'added', text: bm[j]!, newLine: head + j + 1 });
        j++;
      }
    }
  }
  for (let k = 0; k < tail; k++) {
    out.push({ kind: 'same', text: a[a.length - tail + k]!, oldLine: a.length - tail + k + 1, newLine: b.length - tail + k + 1 });
  }
  return out;
}

/** Whether two texts differ by any line. */
export function hasChanges(diff: readonly DiffLine[]): boolean {
  return diff.some((d) => d.kind !== 'same');
}

/**
 * The changed lines with `context` unchanged lines around them; runs of unchanged lines further away
 * become one `{ kind: 'skip', count }` marker.
 */
export function withContext(diff: readonly DiffLine[], context = 3): Array<DiffLine | { kind: 'skip'; count: number }> {
  const keep = diff.map(() => false);
  diff.forEach((d, i) => {
    if (d.kind === 'same') return;
    for (let k = Math.max(0, i - context); k <= Math.min(diff.length - 1, i + context); k++) keep[k] = true;
  });
  const out: Array<DiffLine | { kind: 'skip'; count: number }> = [];
  let skipped = 0;
  diff.forEach((d, i) => {
    if (keep[i]) {
      if (skipped > 0) out.push({ kind: 'skip', count: skipped });
      skipped = 0;
      out.push(d);
    } else {
      skipped++;
    }
  });
  if (skipped > 0) out.push({ kind: 'skip', count: skipped });
  return out;
}
