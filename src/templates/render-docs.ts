import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATALOG, statesOf, TEMPLATE_NAMES, type TemplateName } from './catalog';
import { TEMPLATE_LIMITS } from './engine';
import { AUDIENCE_LABELS, requiredSummary } from './reference';
import { describeFields } from './schema-fields';
import { SHIPPED_TEMPLATES_DIR } from './sources';
import { DOC_INTRO, DOC_ERRORS } from './docs-text';

/** Where the generated admin reference lives in the repository. */
export const TEMPLATES_DOC_PATH = fileURLToPath(new URL('../../docs/templates.md', import.meta.url));

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string): string => (s === '' ? '' : `\`${s.replace(/`/g, "'")}\``);

function filesOf(name: TemplateName): string {
  const files = ['subject.liquid', 'text.liquid'];
  if (existsSync(join(SHIPPED_TEMPLATES_DIR, name, 'html.liquid'))) files.push('html.liquid');
  return files.map((f) => `\`${f}\``).join(', ');
}

function mailSection(name: TemplateName): string[] {
  const spec = CATALOG[name];
  const lines = [
    `### \`${name}\``,
    '',
    spec.description,
    '',
    `- Destinataire : ${AUDIENCE_LABELS[spec.audience]}`,
    `- Fichiers livrés : ${filesOf(name)}`,
    `- Variables obligatoires : ${requiredSummary(name)}`,
    `- Situations vérifiées : ${statesOf(name)
      .map((s) => s.label)
      .join(' ; ')}`,
    '',
    '| Variable | Type | Description | Exemple |',
    '| --- | --- | --- | --- |',
  ];
  for (const f of describeFields(spec.schema, spec.example)) {
    const type = `${f.type}${f.nullable ? ' ou null' : ''}`;
    lines.push(`| \`${f.path}\` | ${cell(type)} | ${cell(f.description)} | ${cell(code(f.example))} |`);
  }
  lines.push('');
  return lines;
}

/** The whole French admin reference (docs/templates.md), generated from the catalog. */
export function renderTemplatesDoc(): string {
  const intro = DOC_INTRO.replace('{{MAILS}}', TEMPLATE_NAMES.map((n) => `\`${n}\``).join(', '))
    .replace('{{PARSE_LIMIT}}', TEMPLATE_LIMITS.parseLimit.toLocaleString('fr-FR'))
    .replace('{{RENDER_LIMIT}}', String(TEMPLATE_LIMITS.renderLimit))
    .replace('{{MEMORY_LIMIT}}', TEMPLATE_LIMITS.memoryLimit.toLocaleString('fr-FR'));
  const lines = [intro.trimEnd(), '', '## Variables de chaque message', ''];
  for (const name of TEMPLATE_NAMES) lines.push(...mailSection(name));
  lines.push(DOC_ERRORS.trimEnd(), '');
  // Non-breaking spaces from toLocaleString would make diffs confusing.
  return lines.join('\n').replace(/[\u00a0\u202f]/g, ' ');
}

/** Writes docs/templates.md. Run: npx tsx src/templates/render-docs.ts */
export function writeTemplatesDoc(path = TEMPLATES_DOC_PATH): void {
  writeFileSync(path, renderTemplatesDoc());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeTemplatesDoc();
  process.stdout.write(`written ${TEMPLATES_DOC_PATH}\n`);
}
