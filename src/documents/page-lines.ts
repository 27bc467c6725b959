/**
 * The text of a PDF page from the pieces pdfjs gives (each a string with its position): pieces on one
 * baseline make one line, left to right; a gap makes a space, a wide gap a tab (table columns); letters
 * spread by letter-spacing ("7 3 2 8 2 9 3 2 0", "J U G E M E N T") are joined back. Pure.
 */

/** The fields of a pdfjs TextItem this file reads. */
export interface TextPiece {
  str: string;
  /** [a, b, c, d, e, f]: the text matrix; e, f the origin, |(c, d)| the font size. */
  transform: number[];
  width: number;
  height: number;
}

interface Placed {
  str: string;
  x: number;
  y: number;
  end: number;
  size: number;
}

/** A gap wider than this share of the font size is a space. */
const SPACE_GAP = 0.18;
/** A gap wider than this many font sizes separates table cells: a tab. */
const TAB_GAP = 2.5;
/** Baselines closer than this share of the font size are one line (superscripts: "1er"). */
const SAME_LINE = 0.45;
/** A letter-spaced run: at least this many single characters in a row, with gaps alike. */
const MIN_SPACED_RUN = 3;

/** A piece pdfjs gave letter-spaced, with its own spaces: "J U G E M E N T", "D E", "7 3 2". */
const SPACED_PIECE = /^(?:[\p{Lu}\p{N}] )+[\p{Lu}\p{N}]$|^(?:[\p{L}\p{N}] ){2,}[\p{L}\p{N}]$/u;

function place(p: TextPiece): Placed | null {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = p.transform;
  // rotated text (a stamp, a margin note) is set apart: its position says nothing of the reading order
  if (Math.abs(b) > Math.abs(a) * 0.05 || Math.abs(c) > Math.abs(d) * 0.05) return null;
  const size = Math.abs(d) || p.height || 1;
  const str = SPACED_PIECE.test(p.str) ? p.str.replace(/ /g, '') : p.str;
  return { str, x: e, y: f, end: e + (p.width || 0), size };
}

/** Joins the single characters of a letter-spaced run: gaps like the run's usual one vanish, wider ones stay spaces. */
function joinSpaced(run: Placed[]): string {
  const gaps = run.slice(1).map((p, i) => p.x - run[i]!.end);
  const usual = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
  let out = run[0]!.str;
  for (let i = 1; i < run.length; i++) {
    out += gaps[i - 1]! > usual * 1.6 + run[i]!.size * 0.1 ? ' ' : '';
    out += run[i]!.str;
  }
  return out;
}

function isSingle(p: Placed): boolean {
  return [...p.str].length === 1;
}

function lineText(pieces: Placed[]): string {
  pieces.sort((a, b) => a.x - b.x);
  // fake bold: the same string printed twice a hair apart
  const kept = pieces.filter((p, i) => i === 0 || !(p.str === pieces[i - 1]!.str && p.x - pieces[i - 1]!.x < p.size * 0.2));
  let out = '';
  for (let i = 0; i < kept.length; ) {
    // a letter-spaced run: single characters whose gaps are alike and under a font size
    let j = i + 1;
    if (isSingle(kept[i]!)) {
      while (j < kept.length && isSingle(kept[j]!) && kept[j]!.x - kept[j - 1]!.end < kept[j]!.size * 1.2) j++;
    }
    const piece = j - i >= MIN_SPACED_RUN ? joinSpaced(kept.slice(i, j)) : kept[i]!.str;
    if (j - i < MIN_SPACED_RUN) j = i + 1;
    if (i > 0) out += separator(kept[i - 1]!, kept[i]!, out);
    out += piece;
    i = j;
  }
  return out.replace(/[ \t]+$/, '');
}

function separator(prev: Placed, next: Placed, sofar: string): string {
  const gap = next.x - prev.end;
  const size = Math.max(prev.size, next.size);
  if (gap > size * TAB_GAP) return '\t';
  if (/\s$/.test(sofar) || /^\s/.test(next.str)) return '';
  return gap > size * SPACE_GAP ? ' ' : '';
}

/**
 * The page's text: lines top to bottom, separated by '\n'; whitespace-only pieces are dropped (pdfjs's
 * own spacing guesses), the gaps decide instead. Rotated pieces follow, one line each, in content order.
 */
export function pageText(items: readonly TextPiece[]): string {
  const placed: Placed[] = [];
  const rotated: string[] = [];
  for (const item of items) {
    if (item.str.trim() === '') continue;
    const p = place(item);
    if (p === null) rotated.push(item.str);
    else placed.push(p);
  }
  placed.sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: Placed[][] = [];
  for (const p of placed) {
    const line = lines[lines.length - 1];
    if (line && Math.abs(line[0]!.y - p.y) <= Math.max(line[0]!.size, p.size) * SAME_LINE) line.push(p);
    else lines.push([p]);
  }
  return [...lines.map(lineText), ...rotated].join('\n');
}
