import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isTemplateName, TEMPLATE_NAMES } from './catalog';
import { compileTemplate, type TemplateIssue } from './compile';
import { createTemplateEngines, TEMPLATE_PARTS, type EngineOptions } from './engine';
import type { DatabaseTemplate } from './precedence';
import { partFileName, readTemplateSources, SHIPPED_TEMPLATES_DIR, type TemplateDirs } from './sources';

export type { TemplateIssue } from './compile';

export interface CheckTemplatesOptions extends EngineOptions {
  /** TEMPLATES_DIR (edited copies); null or absent: the shipped templates only. */
  templatesDir?: string | null;
  shippedDir?: string;
  /** The active console versions (database), laid over the files part by part: checked as they are used. */
  databaseTemplates?: readonly DatabaseTemplate[];
}

const PART_FILES = new Set<string>(TEMPLATE_PARTS.map(partFileName));

/** Files an admin may have misnamed in TEMPLATES_DIR: they would be silently ignored, so say so. */
export function strayTemplateFiles(dir: string): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!isTemplateName(entry.name)) {
        issues.push({ template: null, part: null, file: path, line: 1, column: 1, message: `unknown template folder "${entry.name}" (ignored); known: ${TEMPLATE_NAMES.join(', ')}` });
        continue;
      }
      for (const file of readdirSync(path).sort()) {
        if (file.endsWith('.liquid') && !PART_FILES.has(file)) {
          issues.push({ template: entry.name, part: null, file: join(path, file), line: 1, column: 1, message: `unknown template file "${file}" (ignored); expected subject.liquid, text.liquid, html.liquid` });
        }
      }
    }
  }
  return issues;
}

/**
 * Checks the templates as they are on disk now (TEMPLATES_DIR over the shipped ones, per file):
 * syntax, forbidden tags, unknown filters and variables (every branch), required variables,
 * and a render of every state each mail is sent in. Returns every issue with file, line, column.
 * Accepts the options, or anything that has `dirs` (such as a TemplateStore).
 */
export function checkTemplates(
  source: CheckTemplatesOptions | { dirs: TemplateDirs; timeZone?: string; databaseTemplates?: readonly DatabaseTemplate[] } = {},
): TemplateIssue[] {
  const dirs: TemplateDirs =
    'dirs' in source
      ? source.dirs
      : { templatesDir: source.templatesDir ?? null, shippedDir: source.shippedDir ?? SHIPPED_TEMPLATES_DIR };
  const engines = createTemplateEngines({ timeZone: source.timeZone });
  const database = new Map((source.databaseTemplates ?? []).map((t) => [t.name, t]));
  const issues: TemplateIssue[] = [];
  if (dirs.templatesDir !== null) {
    let isDir = false;
    try {
      isDir = statSync(dirs.templatesDir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) {
      return [{ template: null, part: null, file: dirs.templatesDir, line: 1, column: 1, message: 'TEMPLATES_DIR is not a directory' }];
    }
    issues.push(...strayTemplateFiles(dirs.templatesDir));
  }
  for (const name of TEMPLATE_NAMES) {
    try {
      issues.push(...compileTemplate(engines, readTemplateSources(name, dirs, database.get(name) ?? null), dirs).issues);
    } catch (err) {
      const message = `cannot read template files: ${err instanceof Error ? err.message : String(err)}`;
      issues.push({ template: name, part: null, file: join(dirs.templatesDir ?? dirs.shippedDir, name), line: 1, column: 1, message });
    }
  }
  return issues;
}

/** One issue as `file:line:col message`. */
export function formatIssue(issue: TemplateIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.message}`;
}
