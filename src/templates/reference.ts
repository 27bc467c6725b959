import { CATALOG, TEMPLATE_NAMES, type TemplateName } from './catalog';
import { TEMPLATE_PARTS } from './engine';
import { describeFields } from './schema-fields';

/** French audience labels. */
export const AUDIENCE_LABELS = {
  requester: 'le demandeur',
  liquidator: 'le liquidateur (adresse indiquée dans la demande)',
  agents: 'les agents',
  admins: 'les administrateurs',
} as const;

/** "text : link, validityHours ; html : …" — the variables each file must use. */
export function requiredSummary(name: TemplateName): string {
  const required = CATALOG[name].required;
  const parts = TEMPLATE_PARTS.filter((p) => (required[p] ?? []).length > 0).map(
    (p) => `${p}.liquid : ${(required[p] ?? []).join(', ')}`,
  );
  return parts.length > 0 ? parts.join(' ; ') : 'aucune';
}

/**
 * The plain-text reference of the variables of one mail (or all), as printed by
 * `liquibot templates vars [NAME]`: every variable with type, description and example value.
 */
export function formatVariablesReference(only?: TemplateName): string {
  const lines: string[] = [];
  for (const name of only ? [only] : TEMPLATE_NAMES) {
    const spec = CATALOG[name];
    lines.push(`${name} — ${spec.description}`);
    lines.push(`  destinataire : ${AUDIENCE_LABELS[spec.audience]}`);
    lines.push(`  variables obligatoires : ${requiredSummary(name)}`);
    for (const field of describeFields(spec.schema, spec.example)) {
      const type = `${field.type}${field.nullable ? ' ou null' : ''}`;
      const example = field.example === '' ? '' : `  (exemple : ${field.example})`;
      lines.push(`  ${field.path} : ${type} — ${field.description}${example}`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
