import { describe, expect, it } from 'vitest';
import type { Problem } from '../../parsers/problems';
import { extractRequestFields, requestLabelsIn } from '../../parsers/request-fields';

const EMAIL_LINE = 'Mail du liquidateur à renseigner : claire@mj-moutin.fr';
const SIRET_LINE = 'SIRET concerné : 73282932000074';

describe('extractRequestFields: SIRET', () => {
  it.each<[string, string, string | null, Problem | null]>([
    ['plain', 'SIRET concerné : 73282932000074', '73282932000074', null],
    ['spaces', 'SIRET concerné : 732 829 320 00074', '73282932000074', null],
    ['dots', 'SIRET concerné : 732.829.320.00074', '73282932000074', null],
    ['NBSP inside and around the colon', 'SIRET concerné\u00a0:\u00a0732\u00a0829\u00a0320\u00a000074', '73282932000074', null],
    ['narrow NBSP', 'SIRET concerné\u202f: 732\u202f829\u202f320\u202f00074', '73282932000074', null],
    ['no accent', 'SIRET concerne : 73282932000074', '73282932000074', null],
    ['upper case with accent', 'SIRET CONCERNÉ : 73282932000074', '73282932000074', null],
    ['lower case', 'siret concerné: 73282932000074', '73282932000074', null],
    ['feminine', 'SIRET concernée : 73282932000074', '73282932000074', null],
    ['decomposed accent', 'SIRET concerne\u0301 : 73282932000074', '73282932000074', null],
    ['no space before colon', 'SIRET concerné: 73282932000074', '73282932000074', null],
    ['full-width colon', 'SIRET concerné ： 73282932000074', '73282932000074', null],
    ['no colon, number follows', 'SIRET concerné 73282932000074', '73282932000074', null],
    ['markdown bold', '*SIRET concerné :* 73282932000074', '73282932000074', null],
    ['bullet', '- SIRET concerné : 73282932000074', '73282932000074', null],
    ['trailing words', 'SIRET concerné : 73282932000074 (SARL Dupont)', '73282932000074', null],
    ['trailing dot', 'SIRET concerné : 73282932000074.', '73282932000074', null],
    ['date after the number is ignored', 'SIRET concerné : 73282932000074 jugement du 12/11/2026', '73282932000074', null],
    ['value on the next line', 'SIRET concerné :\n73282932000074', '73282932000074', null],
    ['value after a blank line', 'SIRET concerné :\n\n732 829 320 00074', '73282932000074', null],
    ['label mid-line', 'Question : SIRET concerné : 73282932000074', '73282932000074', null],
    ['La Poste, digit sum', 'SIRET concerné : 356 000 000 49837', '35600000049837', null],
    ['La Poste, Luhn', 'SIRET concerné : 35600000000048', '35600000000048', null],
    ['N° SIRET variant', 'N° SIRET : 73282932000074', '73282932000074', null],
    ['Numéro SIRET variant', 'Numéro SIRET : 73282932000074', '73282932000074', null],
    ['bare SIRET variant', 'SIRET : 73282932000074', '73282932000074', null],
    ['same SIRET twice', 'SIRET concerné : 73282932000074\nRappel, SIRET concerné : 732 829 320 00074', '73282932000074', null],
    ['signature SIRET ignored when SIRET concerné exists', 'SIRET concerné : 73282932000074\nCordialement\nSIRET : 44306184100047', '73282932000074', null],
    ['signature after "-- " ignored', 'N° SIRET : 73282932000074\n-- \nÉtude X\nSIRET : 44306184100047', '73282932000074', null],
    ['two on one line', 'SIRET concerné : 73282932000074 et 44306184100047', null, { code: 'SIRET_MULTIPLE', found: '73282932000074, 44306184100047' }],
    ['two side by side', 'SIRET concerné : 73282932000074 44306184100047', null, { code: 'SIRET_MULTIPLE', found: '73282932000074, 44306184100047' }],
    ['two grouped', 'SIRET concerné : 732 829 320 00074 443 061 841 00047', null, { code: 'SIRET_MULTIPLE', found: '73282932000074, 44306184100047' }],
    ['two lines', 'SIRET concerné : 73282932000074\nSIRET concerné : 44306184100047', null, { code: 'SIRET_MULTIPLE', found: '73282932000074, 44306184100047' }],
    ['valid and invalid', 'SIRET concerné : 73282932000074 / 12345678912345', null, { code: 'SIRET_MULTIPLE', found: '73282932000074, 12345678912345' }],
    ['check digit', 'SIRET concerné : 123 456 789 12345', null, { code: 'SIRET_INVALID', found: '123 456 789 12345', hint: 'SIRET_CHECK_FAILED', digits: 14 }],
    ['13 digits', 'SIRET concerné : 7328293200007', null, { code: 'SIRET_INVALID', found: '7328293200007', hint: 'SIRET_WRONG_LENGTH', digits: 13 }],
    ['15 digits', 'SIRET concerné : 732829320000741', null, { code: 'SIRET_INVALID', found: '732829320000741', hint: 'SIRET_WRONG_LENGTH', digits: 15 }],
    ['a SIREN only', 'SIRET concerné : 732 829 320', null, { code: 'SIRET_INVALID', found: '732 829 320', hint: 'SIREN_NOT_SIRET', digits: 9 }],
    ['a SIREN in one piece', 'SIRET concerné : 732829320', null, { code: 'SIRET_INVALID', found: '732829320', hint: 'SIREN_NOT_SIRET', digits: 9 }],
    ['letter inside', 'SIRET concerné : 7328293200O074', null, { code: 'SIRET_INVALID', found: '7328293200O074', hint: 'SIRET_NOT_DIGITS' }],
    ['letters inside, short runs', 'SIRET concerné : 73282932OOOO74', null, { code: 'SIRET_INVALID', found: '73282932OOOO74', hint: 'SIRET_NOT_DIGITS' }],
    ['short number', 'SIRET concerné : 1234', null, { code: 'SIRET_INVALID', found: '1234', hint: 'SIRET_WRONG_LENGTH', digits: 4 }],
    ['words', 'SIRET concerné : voir pièce jointe', null, { code: 'SIRET_INVALID', found: 'voir pièce jointe', hint: 'SIRET_NO_NUMBER' }],
    ['words and a date', 'SIRET concerné : voir le jugement du 12/11/2026', null, { code: 'SIRET_INVALID', found: 'voir le jugement du 12/11/2026', hint: 'SIRET_NO_NUMBER' }],
    [
      'long text cut to 40',
      'SIRET concerné : le numéro est indiqué sur le jugement du tribunal de commerce',
      null,
      { code: 'SIRET_INVALID', found: 'le numéro est indiqué sur le jugement d…', hint: 'SIRET_NO_NUMBER' },
    ],
    ['placeholder zeros', 'SIRET concerné : 00000000000000', null, { code: 'SIRET_INVALID', found: '00000000000000', hint: 'SIRET_CHECK_FAILED', digits: 14 }],
    ['empty value', 'SIRET concerné :\nMail du liquidateur : a@b.fr', null, { code: 'SIRET_MISSING' }],
    ['empty value then text', 'SIRET concerné :\nCordialement', null, { code: 'SIRET_MISSING' }],
    ['no label: the valid SIRET found is quoted', 'Bonjour, le 73282932000074 est en liquidation.', null, { code: 'SIRET_MISSING', found: '73282932000074', hint: 'SIRET_UNLABELLED' }],
    ['no label, grouped', 'Il s’agit de la société 732 829 320 00074 (SARL Dupont).', null, { code: 'SIRET_MISSING', found: '732 829 320 00074', hint: 'SIRET_UNLABELLED' }],
    ['no label, SIREN and NIC', 'Société 732829320 00074, RCS Nanterre', null, { code: 'SIRET_MISSING', found: '732829320 00074', hint: 'SIRET_UNLABELLED' }],
    ['no label, two SIRETs', 'Sociétés 73282932000074 et 44306184100047', null, { code: 'SIRET_MISSING', found: '73282932000074, 44306184100047', hint: 'SIRET_UNLABELLED' }],
    ['no label, invalid number not quoted', 'Bonjour, le 12345678912345 est en liquidation.', null, { code: 'SIRET_MISSING' }],
    ['no label, IBAN groups not taken for a SIRET', 'IBAN FR76 3000 6000 0112 3456 7890 189', null, { code: 'SIRET_MISSING' }],
    ['no label, SIREN alone not quoted', 'RCS Nanterre 732 829 320', null, { code: 'SIRET_MISSING' }],
    ['label elsewhere in a word', 'NOSIRET concerné : 73282932000074', null, { code: 'SIRET_MISSING', found: '73282932000074', hint: 'SIRET_UNLABELLED' }],
    ['bare SIRET not at line start: quoted, to be confirmed', 'Étude X – SIRET : 44306184100047', null, { code: 'SIRET_MISSING', found: '44306184100047', hint: 'SIRET_UNLABELLED' }],
    ['SIRET de la société', 'SIRET de la société : 73282932000074', '73282932000074', null],
    ['SIRET de l’entreprise', 'SIRET de l’entreprise : 732 829 320 00074', '73282932000074', null],
    ['Siret n°', 'Siret n° : 73282932000074', '73282932000074', null],
    ['empty SIRET concerné, a signature’s SIRET : quoted, never taken', 'SIRET concerné :\nCordialement\nSIRET : 44306184100047', null,
      { code: 'SIRET_MISSING', found: '44306184100047', hint: 'SIRET_UNLABELLED' }],
    ['empty text', '', null, { code: 'SIRET_MISSING' }],
  ])('%s', (_name, siretText, siret, problem) => {
    const result = extractRequestFields(`Bonjour,\n${siretText}\n${siretText.includes('Mail du') ? '' : EMAIL_LINE}\n`);
    expect(result.siret).toBe(siret);
    expect(result.problems.filter((p) => p.code.startsWith('SIRET'))).toEqual(problem ? [problem] : []);
  });
});

describe('extractRequestFields: liquidator e-mail', () => {
  it.each<[string, string, string | null, Problem | null]>([
    ['plain', 'Mail du liquidateur à renseigner : claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['no accent', 'Mail du liquidateur a renseigner : claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['short label', 'Mail du liquidateur : claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['Email', 'Email du liquidateur : claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['E-mail', 'E-mail du liquidateur : claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['Adresse mail', 'Adresse mail du liquidateur : claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['Adresse électronique', 'Adresse électronique du liquidateur judiciaire : claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['upper case', 'MAIL DU LIQUIDATEUR À RENSEIGNER : claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['NBSP colon', 'Mail du liquidateur à renseigner\u00a0:\u00a0claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['lower-cased', 'Mail du liquidateur : Claire.Moutin@MJ-Moutin.FR', 'claire.moutin@mj-moutin.fr', null],
    ['mailto', 'Mail du liquidateur : mailto:claire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['name and brackets', 'Mail du liquidateur : Maître Claire Moutin <claire@mj-moutin.fr>', 'claire@mj-moutin.fr', null],
    ['brackets only', 'Mail du liquidateur : <claire@mj-moutin.fr>', 'claire@mj-moutin.fr', null],
    ['quoted address as name', 'Mail du liquidateur : "claire@mj-moutin.fr" <claire@mj-moutin.fr>', 'claire@mj-moutin.fr', null],
    ['markdown link', 'Mail du liquidateur : [claire@mj-moutin.fr](mailto:claire@mj-moutin.fr)', 'claire@mj-moutin.fr', null],
    ['address then mailto', 'Mail du liquidateur : claire@mj-moutin.fr <mailto:claire@mj-moutin.fr>', 'claire@mj-moutin.fr', null],
    ['trailing dot', 'Mail du liquidateur : claire@mj-moutin.fr.', 'claire@mj-moutin.fr', null],
    ['next line', 'Mail du liquidateur à renseigner :\nclaire@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['same twice on two lines', 'Mail du liquidateur : claire@mj-moutin.fr\nEmail du liquidateur : CLAIRE@mj-moutin.fr', 'claire@mj-moutin.fr', null],
    ['plus and subdomain', 'Mail du liquidateur : claire+lj@mail.mj-moutin.co.uk', 'claire+lj@mail.mj-moutin.co.uk', null],
    ['two addresses', 'Mail du liquidateur : a@mj.fr ; b@mj.fr', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: 'a@mj.fr ; b@mj.fr' }],
    ['two addresses with comma', 'Mail du liquidateur : a@mj.fr,b@mj.fr', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: 'a@mj.fr,b@mj.fr' }],
    ['two lines, two addresses', 'Mail du liquidateur : a@mj.fr\nMail du liquidateur : b@mj.fr', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: 'a@mj.fr ; b@mj.fr' }],
    ['no TLD', 'Mail du liquidateur : claire@mj-moutin', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: 'claire@mj-moutin' }],
    ['no at sign', 'Mail du liquidateur : claire at mj-moutin.fr', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: 'claire at mj-moutin.fr' }],
    ['double at', 'Mail du liquidateur : claire@@mj-moutin.fr', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: 'claire@@mj-moutin.fr' }],
    ['space inside brackets', 'Mail du liquidateur : <claire moutin@mj-moutin.fr>', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: '<claire moutin@mj-moutin.fr>' }],
    ['quoted local part', 'Mail du liquidateur : "claire moutin"@mj-moutin.fr', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: '"claire moutin"@mj-moutin.fr' }],
    ['double dot', 'Mail du liquidateur : claire..moutin@mj-moutin.fr', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: 'claire..moutin@mj-moutin.fr' }],
    ['accented', 'Mail du liquidateur : jérôme@mj-moutin.fr', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: 'jérôme@mj-moutin.fr' }],
    ['words', 'Mail du liquidateur : le même que l’expéditeur', null, { code: 'LIQUIDATOR_EMAIL_INVALID', found: 'le même que l’expéditeur' }],
    ['empty', 'Mail du liquidateur à renseigner :', null, { code: 'LIQUIDATOR_EMAIL_MISSING' }],
    ['empty then text', 'Mail du liquidateur à renseigner :\nCordialement', null, { code: 'LIQUIDATOR_EMAIL_MISSING' }],
    ['no label, address elsewhere: quoted', 'Cordialement,\nclaire@mj-moutin.fr', null, { code: 'LIQUIDATOR_EMAIL_MISSING', found: 'claire@mj-moutin.fr', hint: 'EMAIL_UNLABELLED' }],
    ['bare Email label is not enough: quoted', 'Email : claire@mj-moutin.fr', null, { code: 'LIQUIDATOR_EMAIL_MISSING', found: 'claire@mj-moutin.fr', hint: 'EMAIL_UNLABELLED' }],
    ['free text, two addresses', 'Le liquidateur est Me Moutin (Claire.Moutin@mj-moutin.fr), copie à greffe@tc.example.fr.', null,
      { code: 'LIQUIDATOR_EMAIL_MISSING', found: 'claire.moutin@mj-moutin.fr ; greffe@tc.example.fr', hint: 'EMAIL_UNLABELLED' }],
    ['free text, not an address', 'Le liquidateur est Me Moutin, claire at mj-moutin', null, { code: 'LIQUIDATOR_EMAIL_MISSING' }],
    ['empty label, address on a later line', 'Mail du liquidateur à renseigner :\n\n\nMe Moutin : claire@mj-moutin.fr', null, { code: 'LIQUIDATOR_EMAIL_MISSING', found: 'claire@mj-moutin.fr', hint: 'EMAIL_UNLABELLED' }],
  ])('%s', (_name, emailText, email, problem) => {
    const result = extractRequestFields(`${SIRET_LINE}\n${emailText}\n`);
    expect(result.liquidatorEmail).toBe(email);
    expect(result.problems.filter((p) => p.code.startsWith('LIQUIDATOR'))).toEqual(problem ? [problem] : []);
  });
});

describe('extractRequestFields: both', () => {
  it('reads the two fields from one line (form that lost its line breaks)', () => {
    const r = extractRequestFields('Question : SIRET concerné : 73282932000074 Mail du liquidateur à renseigner : claire@mj-moutin.fr');
    expect(r).toEqual({ siret: '73282932000074', liquidatorEmail: 'claire@mj-moutin.fr', problems: [] });
  });

  it('orders SIRET problems before e-mail problems', () => {
    expect(extractRequestFields('Bonjour').problems).toEqual([{ code: 'SIRET_MISSING' }, { code: 'LIQUIDATOR_EMAIL_MISSING' }]);
  });

  it('does not take an empty label value from the next label line', () => {
    const r = extractRequestFields('SIRET concerné :\nMail du liquidateur à renseigner :\n73282932000074');
    expect(r.problems.map((p) => p.code)).toEqual(['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING']);
  });
});

describe('extractRequestFields: a request read in pieces (forwarder, forwarded message, attached message)', () => {
  it('reads the fields of every piece, each up to its own signature', () => {
    const forwarder = 'Bonjour, ci-dessous la demande de Me Moutin.\n-- \nPaul Girard\nSIRET : 44306184100047';
    const forwarded = `${SIRET_LINE}\n${EMAIL_LINE}`;
    expect(extractRequestFields([forwarder, forwarded])).toEqual({ siret: '73282932000074', liquidatorEmail: 'claire@mj-moutin.fr', problems: [] });
  });

  it('does not take a value from the next piece', () => {
    const r = extractRequestFields(['SIRET concerné :', '73282932000074\nMail du liquidateur : a@b.fr']);
    expect(r.problems).toEqual([{ code: 'SIRET_MISSING', found: '73282932000074', hint: 'SIRET_UNLABELLED' }]);
  });

  it('sees two different SIRETs in two pieces', () => {
    const r = extractRequestFields([SIRET_LINE, 'SIRET concerné : 44306184100047']);
    expect(r.problems.map((p) => p.code)).toEqual(['SIRET_MULTIPLE', 'LIQUIDATOR_EMAIL_MISSING']);
  });
});

describe('requestLabelsIn', () => {
  it.each<[string, string | string[], { siret: boolean; email: boolean }]>([
    ['both labels, values filled', `${SIRET_LINE}\n${EMAIL_LINE}`, { siret: true, email: true }],
    ['both labels, values empty', 'SIRET concerné :\nMail du liquidateur à renseigner :', { siret: true, email: true }],
    ['bare SIRET label at line start', 'SIRET : 73282932000074\nMail du liquidateur : a@b.fr', { siret: true, email: true }],
    ['in two pieces', [SIRET_LINE, EMAIL_LINE], { siret: true, email: true }],
    ['SIRET only', SIRET_LINE, { siret: true, email: false }],
    ['address label only', EMAIL_LINE, { siret: false, email: true }],
    ['words, no labels', 'Mon SIRET est 73282932000074, écrivez au liquidateur : a@b.fr', { siret: false, email: false }],
    ['after the signature', 'Bonjour\n-- \nSIRET concerné : 1\nMail du liquidateur : a@b.fr', { siret: false, email: false }],
  ])('%s', (_name, texts, want) => {
    expect(requestLabelsIn(texts)).toEqual(want);
  });
});
