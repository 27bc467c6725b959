import type { z } from 'zod';
import { textDeclarationOf, type TextDeclaration } from './mail-data';

// A small reader of zod 4 schemas, enough for our variable schemas: objects, arrays,
// strings, numbers, booleans, dates, enums, nullable/optional/default wrappers, and the
// sanitising pipes of mail-data.ts (read as the string they take).

interface ZodNode {
  def: {
    type: string;
    innerType?: ZodNode;
    element?: ZodNode;
    shape?: Record<string, ZodNode>;
    entries?: Record<string, string>;
    in?: ZodNode;
  };
  description?: string;
}

const asNode = (schema: z.ZodType): ZodNode => schema as unknown as ZodNode;
const asSchema = (node: ZodNode): z.ZodType => node as unknown as z.ZodType;

function unwrap(node: ZodNode): { node: ZodNode; nullable: boolean; description: string | undefined; text: TextDeclaration | null } {
  let nullable = false;
  let description = node.description;
  let text = textDeclarationOf(asSchema(node));
  let n = node;
  for (;;) {
    if (n.def.innerType && ['nullable', 'optional', 'default', 'readonly', 'nonoptional'].includes(n.def.type)) {
      if (n.def.type !== 'default' && n.def.type !== 'nonoptional') nullable = true;
      n = n.def.innerType;
    } else if (n.def.type === 'pipe' && n.def.in) {
      n = n.def.in;
    } else {
      break;
    }
    description ??= n.description;
    text ??= textDeclarationOf(asSchema(n));
  }
  return { node: n, nullable, description, text };
}

/** One documented variable (nested fields use dotted paths, array items `[]`). */
export interface FieldDoc {
  path: string;
  /** French type label for admins. */
  type: string;
  nullable: boolean;
  description: string;
  /** The value in the example data, as shown to admins; '' when the example has none. */
  example: string;
  /** For text: received data (and how it is shown) or a value liquibot makes; null otherwise. */
  text: TextDeclaration | null;
}

/** How a text variable is shown, in French for admins. */
export function textLabel(text: TextDeclaration | null): string {
  switch (text?.kind) {
    case 'mail-line':
      return `texte reçu, sur une ligne (≤ ${text.maxChars} car.)`;
    case 'mail-address':
      return 'adresse reçue, sur une ligne';
    case 'mail-paragraph':
      return `texte reçu, lignes gardées (≤ ${text.maxChars} car.)`;
    case 'trusted':
      return 'texte produit par liquibot';
    default:
      return 'texte';
  }
}

function typeLabel(node: ZodNode, text: TextDeclaration | null): string {
  switch (node.def.type) {
    case 'string':
      return textLabel(text);
    case 'number':
      return 'nombre';
    case 'boolean':
      return 'booléen';
    case 'date':
      return 'date';
    case 'enum':
      return `code (${Object.values(node.def.entries ?? {}).join(' | ')})`;
    case 'array':
      return 'liste';
    case 'object':
      return 'objet';
    default:
      return node.def.type;
  }
}

/** Shows an example value to admins. */
export function showValue(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  if (value instanceof Date) {
    const shown = value.toLocaleString('fr-FR', {
      timeZone: 'Europe/Paris',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    return `${shown} (heure de Paris)`;
  }
  if (Array.isArray(value)) return `${value.length} élément${value.length > 1 ? 's' : ''}`;
  if (typeof value === 'object') return '';
  return String(value);
}

function exampleAt(value: unknown, key: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value[0] === undefined ? undefined : exampleAt(value[0], key);
  return (value as Record<string, unknown>)[key];
}

/** Lists every variable of an object schema, nested fields included, with the example's values. */
export function describeFields(schema: z.ZodObject, example: unknown): FieldDoc[] {
  const out: FieldDoc[] = [];
  const walk = (node: ZodNode, prefix: string, sample: unknown): void => {
    for (const [key, child] of Object.entries(node.def.shape ?? {})) {
      const { node: inner, nullable, description, text } = unwrap(child);
      const path = prefix ? `${prefix}.${key}` : key;
      const value = exampleAt(sample, key);
      out.push({ path, type: typeLabel(inner, text), nullable, description: description ?? '', example: showValue(value), text });
      if (inner.def.type === 'object') walk(inner, path, value);
      if (inner.def.type === 'array' && inner.def.element) {
        const item = unwrap(inner.def.element);
        const first = Array.isArray(value) ? value[0] : undefined;
        if (item.node.def.type === 'object') walk(item.node, `${path}[]`, first);
        else {
          out.push({
            path: `${path}[]`, type: typeLabel(item.node, item.text), nullable: item.nullable, description: item.description ?? '',
            example: showValue(first), text: item.text,
          });
        }
      }
    }
  };
  walk(asNode(schema), '', example);
  return out;
}

/** Top-level variable names of a schema. */
export function topLevelKeys(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

/** A property access segment as liquidjs reports it: a name, an index, or a computed (dynamic) key. */
export type PathSegment = string | number | { dynamic: true };

/**
 * Checks that a variable path exists in the schema. Returns null when it does, else the
 * dotted prefix that does not exist. Liquid's `size`, `first` and `last` are understood.
 */
export function findUnknownPath(schema: z.ZodType, segments: readonly PathSegment[]): string | null {
  let node = unwrap(asNode(schema)).node;
  const seen: string[] = [];
  for (const seg of segments) {
    seen.push(typeof seg === 'object' ? '[…]' : String(seg));
    const type = node.def.type;
    if (type === 'array' && node.def.element) {
      if (typeof seg === 'number' || typeof seg === 'object' || seg === 'first' || seg === 'last') {
        node = unwrap(node.def.element).node;
        continue;
      }
      if (seg === 'size') return null;
      return seen.join('.');
    }
    if (type === 'object') {
      if (typeof seg === 'object') return null; // computed key: cannot be checked statically
      const child = node.def.shape?.[String(seg)];
      if (!child) return seen.join('.');
      node = unwrap(child).node;
      continue;
    }
    if ((type === 'string' || type === 'enum') && seg === 'size') return null;
    return seen.join('.');
  }
  return null;
}
