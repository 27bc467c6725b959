import { AppError } from '../errors';
import { LiquidError } from 'liquidjs';
import { CATALOG, statesOf, type TemplateName } from './catalog';
import { parsePart, renderPart, TEMPLATE_PARTS, type CompiledPart, type TemplateEngines, type TemplatePart } from './engine';
import { scanVariables } from './analyze';
import { findUndeclaredText } from './mail-data';
import { expectedFile, type TemplateDirs, type TemplateSources } from './sources';

/** One problem found in a template file, with its position (1-based). */
export interface TemplateIssue {
  template: TemplateName | null;
  part: TemplatePart | null;
  file: string;
  line: number;
  column: number;
  message: string;
}

/** A template that passed every check, ready to render. */
export interface CompiledTemplate {
  name: TemplateName;
  version: string;
  /** 'custom' when at least one part comes from TEMPLATES_DIR or from a console version in the database. */
  origin: 'custom' | 'shipped';
  parts: Record<TemplatePart, CompiledPart | null>;
}

/** The rendered parts of a mail. */
export interface RenderedParts {
  subject: string;
  text: string;
  html: string | null;
}

const POSITION_SUFFIX = /, line:\d+, col:\d+$/;

/** Turns a liquidjs (or other) error into an issue, using the token position when there is one. */
export function issueFromError(err: unknown, base: Omit<TemplateIssue, 'line' | 'column' | 'message'>, prefix = ''): TemplateIssue {
  let line = 1;
  let column = 1;
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof LiquidError) {
    const inner = err.originalError;
    message = inner?.message && inner.name !== 'InternalUndefinedVariableError' ? inner.message : message;
    message = message.split('\n')[0]!.replace(POSITION_SUFFIX, '');
    const pos = err.token?.getPosition?.();
    if (pos && typeof pos[0] === 'number' && typeof pos[1] === 'number') [line, column] = [pos[0], pos[1]];
  }
  return { ...base, line, column, message: `${prefix}${message}` };
}

/** Where the variable schemas live, for the issues about them. */
export const SCHEMAS_FILE = 'src/templates/schemas.ts';

/**
 * Every text variable of a mail must be mail data (sanitised by its type) or declared trusted: a schema
 * that forgets it is refused with the template, so that a template can never print raw mail data.
 */
export function schemaIssues(name: TemplateName): TemplateIssue[] {
  return findUndeclaredText(CATALOG[name].schema).map(({ message }) => ({
    template: name, part: null, file: SCHEMAS_FILE, line: 1, column: 1, message: `${name}: ${message}`,
  }));
}

/** Renders a compiled template with already-validated data. Throws liquidjs errors. */
export function renderCompiled(engines: TemplateEngines, template: CompiledTemplate, data: object): RenderedParts {
  const { subject, text, html } = template.parts;
  if (!subject || !text) throw new AppError('TEMPLATE_INVALID', `template ${template.name} has no subject or text`);
  const htmlOut = html ? renderPart(engines, 'html', html, data) : '';
  return {
    subject: renderPart(engines, 'subject', subject, data),
    text: renderPart(engines, 'text', text, data),
    html: htmlOut === '' ? null : htmlOut,
  };
}

function dedupe(issues: TemplateIssue[]): TemplateIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.file}:${i.line}:${i.column}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Compiles and checks one mail's files: syntax, forbidden tags, unknown filters, unknown variables
 * (static scan of every branch), required variables per part, then a render of every state the mail
 * is sent in. Returns the compiled template only when there is no issue.
 */
export function compileTemplate(
  engines: TemplateEngines,
  sources: TemplateSources,
  dirs: TemplateDirs,
): { template: CompiledTemplate | null; issues: TemplateIssue[] } {
  const { name } = sources;
  const spec = CATALOG[name];
  const issues: TemplateIssue[] = schemaIssues(name);
  const parts: Record<TemplatePart, CompiledPart | null> = { subject: null, text: null, html: null };
  for (const part of TEMPLATE_PARTS) {
    const source = sources.parts[part];
    // An empty html.liquid is how admins send a mail as text only.
    if (part === 'html' && source && source.content.trim() === '') continue;
    if (!source) {
      if (part !== 'html') {
        const file = expectedFile(name, part, dirs);
        issues.push({ template: name, part, file, line: 1, column: 1, message: `missing file ${part}.liquid` });
      }
      continue;
    }
    const base = { template: name, part, file: source.file };
    let compiled: CompiledPart;
    try {
      compiled = parsePart(engines, part, source.content, source.file);
    } catch (err) {
      issues.push(issueFromError(err, base));
      continue;
    }
    const scan = scanVariables(engines[part], compiled, spec.schema);
    for (const u of scan.unknown) issues.push({ ...base, line: u.line, column: u.column, message: u.message });
    for (const required of spec.required[part] ?? []) {
      if (!scan.roots.has(required)) {
        issues.push({ ...base, line: 1, column: 1, message: `required variable "${required}" is not used in ${part}.liquid` });
      }
    }
    parts[part] = compiled;
  }
  const origin = TEMPLATE_PARTS.some((p) => (sources.parts[p]?.origin ?? 'shipped') !== 'shipped') ? 'custom' : 'shipped';
  const template: CompiledTemplate = { name, version: sources.version, origin, parts };
  if (issues.length > 0) return { template: null, issues: dedupe(issues) };

  // One render failure per part is enough to refuse, and bounds the time a hostile loop can take.
  const failed = new Set<TemplatePart>();
  for (const state of statesOf(name)) {
    const data = spec.schema.parse(state.vars);
    for (const part of TEMPLATE_PARTS) {
      const compiled = parts[part];
      if (!compiled || failed.has(part)) continue;
      const file = sources.parts[part]!.file;
      try {
        const out = renderPart(engines, part, compiled, data);
        if (part !== 'html' && out.trim() === '') {
          issues.push({ template: name, part, file, line: 1, column: 1, message: `renders empty (state "${state.label}")` });
        }
      } catch (err) {
        failed.add(part);
        issues.push(issueFromError(err, { template: name, part, file }, `when rendering state "${state.label}": `));
      }
    }
  }
  return issues.length > 0 ? { template: null, issues: dedupe(issues) } : { template, issues: [] };
}
