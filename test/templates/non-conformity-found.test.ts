import { describe, expect, it } from 'vitest';
import type { Problem } from '../../parsers/problems';
import { CATALOG } from '../../src/templates/catalog';
import { TemplateStore } from '../../src/templates/store';

const store = new TemplateStore();
const render = (problems: Problem[]) => store.render('non-conformity', { ...CATALOG['non-conformity'].example, problems } as never).text;

/** The notice says what was found (issue 12): each hint gets its own words, quoting what was read. */
describe('non-conformity says what was found', () => {
  it.each<[string, Problem, RegExp, RegExp | null]>([
    [
      'a valid SIRET written outside the labelled line: quoted, to be confirmed',
      { code: 'SIRET_MISSING', found: '732 829 320 00074', hint: 'SIRET_UNLABELLED' },
      /SIRET à confirmer : votre message contient « 732 829 320 00074 », mais pas de ligne « SIRET concerné : »\. S'il s'agit bien du SIRET de l'entreprise en liquidation, confirmez-le/,
      /nous n'avons pas trouvé le SIRET/,
    ],
    [
      'a SIREN: says it is one, and that the 14-digit SIRET is needed',
      { code: 'SIRET_INVALID', found: '732 829 320', hint: 'SIREN_NOT_SIRET', digits: 9 },
      /SIRET incomplet \(« 732 829 320 »\) : ce numéro à 9 chiffres est un SIREN.*nécessite le SIRET de l'établissement, à 14 chiffres/,
      /n'est pas un SIRET valide/,
    ],
    [
      '13 digits: says how many',
      { code: 'SIRET_INVALID', found: '7328293200007', hint: 'SIRET_WRONG_LENGTH', digits: 13 },
      /SIRET invalide \(« 7328293200007 »\) : ce numéro compte 13 chiffres, alors qu'un SIRET en compte 14/,
      /n'est pas un SIRET valide/,
    ],
    [
      '15 digits: says how many',
      { code: 'SIRET_INVALID', found: '732829320000741', hint: 'SIRET_WRONG_LENGTH', digits: 15 },
      /ce numéro compte 15 chiffres, alors qu'un SIRET en compte 14/,
      null,
    ],
    [
      '14 digits failing the check: says the key is wrong',
      { code: 'SIRET_INVALID', found: '123 456 789 12345', hint: 'SIRET_CHECK_FAILED', digits: 14 },
      /ce numéro compte bien 14 chiffres, mais ce n'est pas un SIRET valide \(sa clé de contrôle ne correspond pas\)/,
      null,
    ],
    [
      'letters in the number',
      { code: 'SIRET_INVALID', found: '7328293200O074', hint: 'SIRET_NOT_DIGITS' },
      /« 7328293200O074 ».*un SIRET ne comporte que des chiffres/,
      null,
    ],
    [
      'no number after the label',
      { code: 'SIRET_INVALID', found: 'voir pièce jointe', hint: 'SIRET_NO_NUMBER' },
      /SIRET absent \(« voir pièce jointe »\) : nous n'avons pas trouvé de numéro après « SIRET concerné : »/,
      /n'est pas un SIRET valide/,
    ],
    [
      'an address in free text: quoted, to be confirmed',
      { code: 'LIQUIDATOR_EMAIL_MISSING', found: 'marc.lefevre@lefevre-mj.fr', hint: 'EMAIL_UNLABELLED' },
      /Adresse du liquidateur à confirmer : votre message contient « marc\.lefevre@lefevre-mj\.fr », mais pas de ligne « Mail du liquidateur à renseigner : »/,
      /Adresse du liquidateur absente/,
    ],
  ])('%s', (_name, problem, said, notSaid) => {
    const text = render([problem]);
    expect(text).toMatch(said);
    if (notSaid) expect(text).not.toMatch(notSaid);
  });

  it('falls back to the general words for a problem stored without a hint', () => {
    expect(render([{ code: 'SIRET_INVALID', found: '732 829 320' }])).toContain('SIRET invalide (« 732 829 320 ») : ce numéro n\'est pas un SIRET valide');
    expect(render([{ code: 'SIRET_MISSING', found: '73282932000074' }])).toContain("SIRET absent : nous n'avons pas trouvé le SIRET");
  });
});
