import { ForTag, TablerowTag, Variable, type Liquid, type Template } from 'liquidjs';
import type { z } from 'zod';
import { findUnknownPath, topLevelKeys, type PathSegment } from './schema-fields';

/** A variable reference found in a template, with its position. */
export interface VariableRef {
  path: string;
  line: number;
  column: number;
}

/** What the static scan of one parsed template found. */
export interface StaticScan {
  /** Top-level variables the template reads (from the data). */
  roots: Set<string>;
  /** References that do not exist in the schema. */
  unknown: Array<VariableRef & { message: string }>;
}

const SIMPLE_PATH = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/;

function toSegments(variable: Variable): PathSegment[] {
  return variable.segments.map((s) => (s instanceof Variable ? { dynamic: true as const } : s));
}

function childrenOf(node: Template): Template[] {
  if (!node.children) return [];
  const step = node.children(false, true).next();
  return step.done ? step.value : [];
}

// Loop aliases (`{% for p in problems %}`) so that `p.code` can be checked against `problems[].code`.
function collectAliases(templates: Template[], out = new Map<string, PathSegment[][]>()): Map<string, PathSegment[][]> {
  for (const node of templates) {
    if (node instanceof ForTag || node instanceof TablerowTag) {
      const text = node.collection.getText().trim();
      if (SIMPLE_PATH.test(text)) {
        const list = out.get(node.variable) ?? [];
        list.push(text.split('.'));
        out.set(node.variable, list);
      }
    }
    collectAliases(childrenOf(node), out);
  }
  return out;
}

function resolveAlias(segments: PathSegment[], aliases: Map<string, PathSegment[][]>, depth = 0): PathSegment[][] {
  const [root, ...rest] = segments;
  const targets = typeof root === 'string' ? aliases.get(root) : undefined;
  if (!targets || depth > 8) return [segments];
  return targets.flatMap((target) => resolveAlias([...target, 0, ...rest], aliases, depth + 1));
}

function describe(segments: PathSegment[]): string {
  return segments.map((s) => (typeof s === 'object' ? '[…]' : String(s))).join('.');
}

/**
 * Statically scans a parsed template against its variable schema: every data variable it reads,
 * in every branch (taken or not), must exist. Loop item fields are checked through their loop.
 */
export function scanVariables(liquid: Liquid, templates: Template[], schema: z.ZodObject): StaticScan {
  const analysis = liquid.analyzeSync(templates, { partials: false });
  const roots = new Set<string>();
  const unknown: StaticScan['unknown'] = [];
  const known = topLevelKeys(schema).join(', ');
  const globalAt = new Set<string>();
  for (const refs of Object.values(analysis.globals)) {
    for (const ref of refs) {
      globalAt.add(`${ref.location.row}:${ref.location.col}:${ref.toString()}`);
      const segments = toSegments(ref);
      if (typeof segments[0] === 'string') roots.add(segments[0]);
      const bad = findUnknownPath(schema, segments);
      if (bad !== null) {
        const message = bad.includes('.')
          ? `unknown variable "${describe(segments)}" ("${bad}" does not exist)`
          : `unknown variable "${bad}" (known: ${known})`;
        unknown.push({ path: describe(segments), line: ref.location.row, column: ref.location.col, message });
      }
    }
  }
  const aliases = collectAliases(templates);
  const assigned = new Set(Object.keys(analysis.locals));
  for (const [name, refs] of Object.entries(analysis.variables)) {
    if (!aliases.has(name) || assigned.has(name)) continue;
    for (const ref of refs) {
      if (globalAt.has(`${ref.location.row}:${ref.location.col}:${ref.toString()}`)) continue;
      const segments = toSegments(ref);
      const candidates = resolveAlias(segments, aliases);
      if (candidates.some((c) => findUnknownPath(schema, c) === null)) continue;
      unknown.push({
        path: describe(segments),
        line: ref.location.row,
        column: ref.location.col,
        message: `unknown variable "${describe(segments)}" (not a field of the items of ${aliases
          .get(name)!
          .map((t) => `"${describe(t)}"`)
          .join(' or ')})`,
      });
    }
  }
  return { roots, unknown };
}
