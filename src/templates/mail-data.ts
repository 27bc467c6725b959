import { z } from 'zod';
import { toOneLine, toSafeParagraph } from '../../parsers/one-line';

/**
 * The zod types of template variables, by where their value comes from. A template only ever sees
 * what its schema outputs, so a variable declared with one of these types can only hold sanitised
 * text, whatever the caller passes: nothing has to be remembered per template or per caller.
 *
 * - Data received from outside (a mail, a remote server, an imported file): `mailLine`,
 *   `mailAddress` (shown on one line, see parsers/one-line.ts) or `mailParagraph` (keeps its lines).
 * - Values liquibot makes itself (a ticket reference, a link, a token…): `trusted(schema, why)`, a
 *   short allow-list, each with a strict format.
 *
 * Every text variable of every template must be one or the other: `findUndeclaredText` (run by
 * compileTemplate, hence by the store at start-up and by `liquibot templates check`) refuses a schema
 * with a plain `z.string()`, so a new variable that forgets it fails at once.
 */

/** How a text variable's value is made safe. */
export type TextKind = 'mail-line' | 'mail-paragraph' | 'mail-address' | 'trusted';

export interface TextDeclaration {
  kind: TextKind;
  /** Longest value shown, in characters (mail data only). */
  maxChars?: number;
  /** Why the value is safe as it is (trusted only). */
  why?: string;
}

// The sanitising transforms, by identity: a pipe counts as mail data only when its transform is one of
// ours (a registry entry alone could be put on any schema).
const SANITISERS = new WeakMap<object, TextDeclaration>();
const TRUSTED = z.registry<{ why: string }>();

function sanitised(kind: TextKind, maxChars: number, fn: (value: string, ctx: z.core.$RefinementCtx<string>) => string) {
  SANITISERS.set(fn, { kind, maxChars });
  return z.string().transform(fn);
}

/** Text from a mail shown on one line: line breaks made visible, controls, bidi and zero-width neutralised, bounded. */
export function mailLine(maxChars: number) {
  return sanitised('mail-line', maxChars, (value) => toOneLine(value, maxChars));
}

/** Free text from a mail that keeps its line breaks (a refusal reason), otherwise as mailLine. */
export function mailParagraph(maxChars: number) {
  return sanitised('mail-paragraph', maxChars, (value) => toSafeParagraph(value, maxChars));
}

/** Loose on purpose: the parsers already judged the address; this only refuses what is plainly not one. */
const ADDRESS_SHAPE = /^[^\s@<>]+@[^\s@<>]+$/;

/** A mail address as received, shown on one line (as mailLine), and refused when it is plainly not an address. */
export function mailAddress(maxChars = 320) {
  return sanitised('mail-address', maxChars, (value, ctx) => {
    const shown = toOneLine(value, maxChars);
    if (!ADDRESS_SHAPE.test(shown)) ctx.addIssue({ code: 'custom', message: 'not a mail address', input: value });
    return shown;
  });
}

/**
 * A text value liquibot makes itself, allowed through as it is. Keep the list short and the formats
 * strict: anything a sender can influence is mail data instead.
 */
export function trusted<T extends z.ZodType>(schema: T, why: string): T {
  TRUSTED.add(schema, { why });
  return schema;
}

/** One character class no value liquibot writes should ever hold: controls, line breaks, invisible characters. */
export const NO_HIDDEN_CHARACTERS = /^[^\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]*$/u;

// A reader of zod 4 schemas, as in schema-fields.ts.
interface ZodNode {
  def: {
    type: string;
    innerType?: ZodNode;
    element?: ZodNode;
    shape?: Record<string, ZodNode>;
    in?: ZodNode;
    out?: ZodNode;
    transform?: unknown;
  };
}

const WRAPPERS = new Set(['nullable', 'optional', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);
/** Types that cannot carry text. */
const NOT_TEXT = new Set(['number', 'int', 'bigint', 'boolean', 'date', 'enum', 'literal', 'null', 'undefined', 'nan']);

/** How a text variable is declared: mail data (and its kind), trusted, or null when it is neither. */
export function textDeclarationOf(schema: z.ZodType): TextDeclaration | null {
  const node = schema as unknown as ZodNode;
  const trust = TRUSTED.get(schema);
  if (trust) return { kind: 'trusted', why: trust.why };
  if (node.def.type === 'pipe' && node.def.out?.def.type === 'transform') {
    const fn = node.def.out.def.transform;
    if (typeof fn === 'function') return SANITISERS.get(fn) ?? null;
  }
  return null;
}

/** One variable that could carry unsanitised text into a mail. */
export interface UndeclaredText {
  /** Dotted path, `[]` for list items: `requester.name`, `warnings[]`. */
  path: string;
  message: string;
}

/**
 * Every variable of a template schema that could hold text but is neither mail data (mailLine,
 * mailParagraph, mailAddress) nor declared trusted. Numbers, dates, booleans and codes (enums) need
 * nothing; anything the reader does not know (a union, a record…) must be declared too.
 */
export function findUndeclaredText(schema: z.ZodType): UndeclaredText[] {
  const out: UndeclaredText[] = [];
  const walk = (s: z.ZodType, path: string): void => {
    if (textDeclarationOf(s)) return;
    const node = s as unknown as ZodNode;
    const { type } = node.def;
    if (WRAPPERS.has(type) && node.def.innerType) return walk(node.def.innerType as unknown as z.ZodType, path);
    if (NOT_TEXT.has(type)) return;
    if (type === 'object') {
      for (const [key, child] of Object.entries(node.def.shape ?? {})) walk(child as unknown as z.ZodType, path ? `${path}.${key}` : key);
      return;
    }
    if (type === 'array' && node.def.element) return walk(node.def.element as unknown as z.ZodType, `${path}[]`);
    const what = type === 'string' ? 'text' : `a value of zod type "${type}"`;
    out.push({
      path,
      message: `variable "${path}" is ${what} that is neither mail data (mailLine, mailParagraph, mailAddress) nor declared trusted (src/templates/mail-data.ts)`,
    });
  };
  walk(schema, '');
  return out;
}
