import { describe, expect, it } from 'vitest';
import { frenchIssue, frenchMessage } from '../../src/templates/issue-french';

describe('check messages in French', () => {
  it.each([
    ['tag {% if x %} not closed', 'La balise {% if x %} n’est pas fermée'],
    ['unknown variable "foo" (known: ticketRef, link)', 'Variable inconnue « foo » : ce message n’a que ticketRef, link.'],
    ['unknown variable "requester.foo" ("requester.foo" does not exist)', 'Variable inconnue « requester.foo » : « requester.foo » n’existe pas.'],
    ['undefined filter: nope', 'Filtre inconnu : « nope ».'],
    ['tag "include" is not allowed in mail templates (templates cannot load other files)', 'La balise « include » est interdite'],
    ['required variable "validityHours" is not used in text.liquid', 'La variable obligatoire « validityHours » n’est pas utilisée dans text.liquid.'],
    ['output "{{ link " not closed, file:x/text.liquid', 'L’affichage « {{ link » n’est pas fermé'],
    ['tag "endif" not found', 'Balise « endif » sans balise d’ouverture.'],
    ['tag "bogus" not found', 'Balise inconnue : « bogus ».'],
    ['when rendering state "exemple": memory alloc limit exceeded', 'Erreur au rendu dans la situation « exemple » : Le modèle dépasse les limites'],
    ['something new', 'Erreur : something new'],
  ])('%s', (english, french) => {
    expect(frenchMessage(english)).toContain(french);
  });

  it('points at the line of the part, with its text', () => {
    const issue = { template: 'reset-link' as const, part: 'text' as const, file: 'x', line: 2, column: 5, message: 'undefined filter: nope' };
    expect(frenchIssue(issue, { text: 'un\r\ndeux {{ a | nope }}\ntrois' })).toEqual({
      part: 'text', line: 2, column: 5, message: 'Filtre inconnu : « nope ».', excerpt: 'deux {{ a | nope }}',
    });
    expect(frenchIssue({ ...issue, line: 1, column: 1, message: 'required variable "link" is not used in text.liquid' }, { text: 'x' }).excerpt).toBeNull();
  });
});
