import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG, TEMPLATE_NAMES } from '../../src/templates/catalog';
import { renderTemplatesDoc, TEMPLATES_DOC_PATH } from '../../src/templates/render-docs';
import { describeFields } from '../../src/templates/schema-fields';

describe('docs/templates.md', () => {
  it('is up to date (regenerate with: npx tsx src/templates/render-docs.ts)', () => {
    expect(readFileSync(TEMPLATES_DOC_PATH, 'utf8')).toBe(renderTemplatesDoc());
  });

  it.each(TEMPLATE_NAMES)('documents every variable of %s', (name) => {
    const doc = renderTemplatesDoc();
    expect(doc).toContain(`### \`${name}\``);
    for (const field of describeFields(CATALOG[name].schema, CATALOG[name].example)) {
      expect(field.description, field.path).not.toBe('');
      expect(doc).toContain(`| \`${field.path}\` |`);
    }
  });
});
