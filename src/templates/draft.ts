import { CATALOG, type TemplateName } from './catalog';
import { compileTemplate, renderCompiled, type RenderedParts, type TemplateIssue } from './compile';
import { findDrift, type DriftFinding } from './drift';
import { TEMPLATE_PARTS, type CompiledPart, type TemplateEngines, type TemplatePart } from './engine';
import { frenchIssue, frenchMessage, type FrenchIssue } from './issue-french';
import { databasePartFile, overlayDatabase, partToStore } from './precedence';
import { readTemplateSources, type PartSource, type TemplateDirs, type TemplateSources } from './sources';

/** The three parts as typed in the console's editor. */
export type DraftParts = Record<TemplatePart, string>;

/** What the console shows about a draft, and what a save would store. */
export interface DraftResult {
  name: TemplateName;
  /** The parts the files give (TEMPLATES_DIR over the shipped ones), what a null part falls back to. */
  files: Record<TemplatePart, PartSource | null>;
  /** The draft as it would be used: its parts over the files. */
  sources: TemplateSources;
  /** What a save stores: null where the draft is the files' own text. */
  toStore: Record<TemplatePart, string | null>;
  issues: TemplateIssue[];
  /** The issues in French, with the line they point at. */
  errors: FrenchIssue[];
  /** The mail rendered with the preview data (null when the draft has errors or the data does not fit). */
  rendered: RenderedParts | null;
  /** Why there is no preview although the draft is valid (the data of a real ticket does not fit), in French. */
  renderError: string | null;
  drift: DriftFinding[];
}

/** Textareas send CRLF line ends; templates are kept with LF. */
export function normalizeDraftPart(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}

/** The variables a parsed part reads from the data, as written (`requester.email`). */
export function variablesOf(engines: TemplateEngines, part: TemplatePart, compiled: CompiledPart): string[] {
  const analysis = engines[part].analyzeSync(compiled, { partials: false });
  const out = new Set<string>();
  for (const refs of Object.values(analysis.globals)) for (const ref of refs) out.add(ref.toString());
  return [...out];
}

/**
 * Checks a draft of one mail exactly as a saved version will be checked (compile.ts: syntax, tags,
 * filters, variables in every branch, required variables, every state), renders it with `vars`
 * (default: the catalog's example) and compares its text and HTML parts (drift.ts).
 */
export function checkDraft(engines: TemplateEngines, name: TemplateName, draft: DraftParts, dirs: TemplateDirs, vars?: unknown): DraftResult {
  const files = readTemplateSources(name, dirs).parts;
  const toStore = {} as Record<TemplatePart, string | null>;
  for (const part of TEMPLATE_PARTS) {
    const file = files[part]?.content ?? null;
    let submitted = normalizeDraftPart(draft[part]);
    // The subject is edited on one line: its file's final line break is not a change.
    if (part === 'subject' && file !== null && submitted === file.replace(/\n+$/, '')) submitted = file;
    toStore[part] = partToStore(submitted, file);
  }
  const overlaid = overlayDatabase(files, { name, version: 0, id: 0, parts: toStore });
  for (const part of TEMPLATE_PARTS) {
    const p = overlaid[part];
    if (p && p.origin === 'database') overlaid[part] = { ...p, file: databasePartFile(name, 'brouillon', part) };
  }
  const sources = readTemplateSources(name, dirs);
  const draftSources: TemplateSources = { ...sources, parts: overlaid };
  const { template, issues } = compileTemplate(engines, draftSources, dirs);
  const texts = { subject: overlaid.subject?.content ?? null, text: overlaid.text?.content ?? null, html: overlaid.html?.content ?? null };
  const result: DraftResult = {
    name, files, sources: draftSources, toStore, issues, errors: issues.map((i) => frenchIssue(i, texts)), rendered: null, renderError: null, drift: [],
  };
  if (!template) return result;
  const schema = CATALOG[name].schema;
  const parsed = schema.safeParse(vars ?? CATALOG[name].example);
  if (!parsed.success) {
    result.renderError = 'Les données de cette demande ne conviennent pas à ce message : aperçu impossible.';
    return result;
  }
  try {
    result.rendered = renderCompiled(engines, template, parsed.data);
  } catch (err) {
    result.renderError = frenchMessage(err instanceof Error ? err.message : String(err));
    return result;
  }
  const html = template.parts.html;
  result.drift = findDrift({
    text: { rendered: result.rendered.text, variables: variablesOf(engines, 'text', template.parts.text!) },
    html: html && result.rendered.html !== null ? { rendered: result.rendered.html, variables: variablesOf(engines, 'html', html) } : null,
  });
  return result;
}
