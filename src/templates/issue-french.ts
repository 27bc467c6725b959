import type { TemplateIssue } from './compile';

/**
 * The checks' messages (English, as `liquibot templates check` prints them) said in French for the
 * console, with the line of the part they point at. Pure. A message with no translation here is shown
 * as it is, after « Erreur : ».
 */

const RULES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^when rendering state "([^"]*)": (.*)$/s, (m) => `Erreur au rendu dans la situation « ${m[1]} » : ${frenchMessage(m[2]!)}`],
  [/^renders empty \(state "([^"]*)"\)$/, (m) => `Le rendu est vide dans la situation « ${m[1]} ».`],
  [/^unknown variable "([^"]+)" \(known: (.*)\)$/, (m) => `Variable inconnue « ${m[1]} » : ce message n’a que ${m[2]}.`],
  [/^unknown variable "([^"]+)" \("([^"]+)" does not exist\)$/, (m) => `Variable inconnue « ${m[1]} » : « ${m[2]} » n’existe pas.`],
  [/^unknown variable "([^"]+)" \(not a field of the items of (.*)\)$/, (m) => `Variable inconnue « ${m[1]} » : ce n’est pas un champ des éléments de ${m[2]}.`],
  [/^undefined filter: (.*)$/, (m) => `Filtre inconnu : « ${m[1]} ».`],
  [/^tag "(include|render|layout)" is not allowed in mail templates.*$/, (m) => `La balise « ${m[1]} » est interdite : un modèle ne peut pas lire d’autre fichier.`],
  [/^tag (\{%.*%\}) not closed$/s, (m) => `La balise ${m[1]} n’est pas fermée (il manque sa balise de fin, par exemple {% endif %} ou {% endfor %}).`],
  [/^output "(.*)" not closed(, file:.*)?$/s, (m) => `L’affichage « ${m[1]!.trim()} » n’est pas fermé (il manque « }} »).`],
  [/^tag "(end\w*)" not found(, file:.*)?$/, (m) => `Balise « ${m[1]} » sans balise d’ouverture.`],
  [/^tag "([^"]+)" not found(, file:.*)?$/, (m) => `Balise inconnue : « ${m[1]} ».`],
  [/^required variable "([^"]+)" is not used in (\S+)$/, (m) => `La variable obligatoire « ${m[1]} » n’est pas utilisée dans ${m[2]}.`],
  [/^missing file (\S+)$/, (m) => `La partie ${m[1]} manque : l’objet et le texte sont obligatoires.`],
  [/^(template render limit exceeded|memory alloc limit exceeded|template parse limit exceeded)$/, () => 'Le modèle dépasse les limites (durée ou mémoire du rendu, ou taille) : une boucle trop longue ?'],
  [/^expected variable name(, file:.*)?$/, () => 'Nom de variable attendu.'],
  [/^cannot read template files: (.*)$/s, (m) => `Fichiers du modèle illisibles : ${m[1]}`],
];

/** One check message in French. */
export function frenchMessage(message: string): string {
  for (const [pattern, say] of RULES) {
    const m = pattern.exec(message);
    if (m) return say(m);
  }
  return `Erreur : ${message.replace(/, file:.*$/s, '')}`;
}

/** An issue as the console shows it: part, line, column, French message and the line it points at. */
export interface FrenchIssue {
  part: 'subject' | 'text' | 'html' | null;
  line: number;
  column: number;
  message: string;
  /** The source line (trimmed to 200 characters), or null when the issue is not about a line. */
  excerpt: string | null;
}

/** Where a check issue points, in French, with its line of `sources` (the part's text). Pure. */
export function frenchIssue(issue: TemplateIssue, sources: Partial<Record<'subject' | 'text' | 'html', string | null>>): FrenchIssue {
  const source = issue.part ? sources[issue.part] ?? null : null;
  const line = source !== null ? source.replace(/\r\n?/g, '\n').split('\n')[issue.line - 1] ?? null : null;
  const aboutALine = !/^(required variable|missing file|renders empty)/.test(issue.message);
  return {
    part: issue.part,
    line: issue.line,
    column: issue.column,
    message: frenchMessage(issue.message),
    excerpt: aboutALine && line !== null ? (line.length > 200 ? `${line.slice(0, 199)}…` : line) : null,
  };
}
