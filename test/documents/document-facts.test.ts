import { describe, expect, it } from 'vitest';
import { compareSiren, extractDocumentFacts, factsOfText, findCompany, findCourt, findLiquidator } from '../../src/documents/document-facts';
import { findSirens, isValidSiren } from '../../src/documents/document-sirens';
import { findFrenchDates } from '../../src/documents/french-dates';
import { judgmentLines, MOTIFS } from '../support/documents/judgment-text';

const SIREN = '732829320';
const OTHER = '552100554';

describe('findSirens', () => {
  it.each([
    // label, grouping, SIRET
    ['RCS Nanterre 732 829 320', SIREN, 'labelled'],
    ['RCS NANTERRE B 732 829 320', SIREN, 'labelled'],
    ['R.C.S. Paris 732829320', SIREN, 'labelled'],
    ['SIREN : 732829320', SIREN, 'labelled'],
    ['immatriculée sous le numéro 732 829 320', SIREN, 'labelled'],
    ['Numéro SIREN : 7 3 2 8 2 9 3 2 0', SIREN, 'labelled'],
    ['SIRET 732 829 320 00074', SIREN, 'siret'],
    ['établissement 73282932000074', SIREN, 'siret'],
    ['la société, 732 829 320, est dissoute', SIREN, 'grouped'],
    ['dossier 732829320', SIREN, 'bare'],
    ['RCS Nanterre 732\u00a0829\u00a0320', SIREN, 'labelled'],
    ['RCS Nanterre 732-829 320', SIREN, 'labelled'],
    ['RCS Nanterre 732829 320', SIREN, 'labelled'],
    ['SIREN 356 000 000 (La Poste)', '356000000', 'labelled'],
  ])('%s → %s (%s)', (text, siren, context) => {
    expect(findSirens([text])).toEqual([expect.objectContaining({ siren, context, page: 1, ocrFixed: false })]);
  });

  it.each([
    ['Luhn key wrong', 'RCS Nanterre 732 829 321'],
    ['a digit glued before', 'n° 1732829320'],
    ['an amount', 'un passif de 732 829 320 €'],
    ['an amount in euros', 'soit 732 829 320 euros'],
    ['a phone number', 'Tél. 01 23 45 67 89'],
    ['a date', 'le 15/03/2026'],
    ['a case number', 'N° RG : 2026L00123'],
    ['letter-spaced digits with no label', 'total 7 3 2 8 2 9 3 2 0'],
    ['nine zeros', 'SIREN 000 000 000'],
    ['a line break inside', 'RCS Nanterre 732 829\n320'],
  ])('nothing in %s', (_, text) => {
    expect(findSirens([text])).toEqual([]);
  });

  it.each([
    ['O for 0 after RCS', 'RCS Nanterre 732 829 32O', '732 829 32O'],
    ['l for 1 and O for 0 after SIREN', 'SIREN : 4O4 833 O48', '4O4 833 O48'],
    ['Z for 2', 'SIREN 7328Z9320', '7328Z9320'],
    ['B for 8 in a SIRET', 'SIRET 732 B29 320 00074', '732 B29 320 00074'],
  ])('reads OCR confusions after a label: %s', (_, text, written) => {
    const [found] = findSirens([text]);
    expect(found).toMatchObject({ ocrFixed: true, written });
    expect(isValidSiren(found!.siren)).toBe(true);
  });

  it.each([
    ['without a label', 'la somme de 732 829 32O'],
    ['three confusions', 'SIREN 73Z 8Z9 3ZO'],
    ['the fix fails the Luhn key', 'RCS Nanterre 732 829 32l'],
    ['a word after the label', 'SIREN : SOLDÉ le 15 mars'],
    ['a word of confusable letters', 'SIRET : SOBIOS'],
    ['letters and a year', 'RCS Lille, Immatriculation 2O26'],
    ['far from the label', 'RCS Nanterre, siège au 12 rue des Lilas, 92000 Nanterre, capital 10 OOO'],
  ])('no OCR-confusion match %s', (_, text) => {
    expect(findSirens([text])).toEqual([]);
  });

  it('finds no SIREN in a judgment without one, OCR tolerance included', () => {
    const text = [...judgmentLines().filter((l) => !l.startsWith('RCS')), ...MOTIFS, 'Capital social : 10 000,00 euros', 'Tél. 01 47 21 00 00'].join('\n');
    expect(findSirens([text])).toEqual([]);
  });

  it('keeps each SIREN once, in order, with the page it first appears on', () => {
    const pages = ['Jugement', `Débiteur RCS Nanterre 732 829 320\nLiquidateur SELARL MJ CONSEIL, RCS Paris 552 100 554`, 'SIREN 732829320'];
    expect(findSirens(pages).map((s) => [s.siren, s.page])).toEqual([
      [SIREN, 2],
      [OTHER, 2],
    ]);
  });
});

describe('findCourt', () => {
  it.each([
    ['TRIBUNAL DE COMMERCE DE NANTERRE', 'Tribunal de commerce de Nanterre'],
    ['Tribunal judiciaire de Strasbourg', 'Tribunal judiciaire de Strasbourg'],
    ['TRIBUNAL DES ACTIVITÉS ÉCONOMIQUES DE PARIS', 'Tribunal des activités économiques de Paris'],
    ['Tribunal des activites economiques de Lyon', 'Tribunal des activités économiques de Lyon'],
    ["Tribunal de commerce d'Évry", "Tribunal de commerce d'Évry"],
    ['TRIBUNAL DE COMMERCE D’AIX-EN-PROVENCE', "Tribunal de commerce d'Aix-en-Provence"],
    ['TRIBUNAL DE COMMERCE DE SAINT-ÉTIENNE', 'Tribunal de commerce de Saint-Étienne'],
    ['Tribunal de commerce du Mans', 'Tribunal de commerce du Mans'],
    ['TRIBUNAL JUDICIAIRE DE LA ROCHE-SUR-YON', 'Tribunal judiciaire de la Roche-sur-Yon'],
    ['Tribunal mixte de commerce de Saint-Denis', 'Tribunal mixte de commerce de Saint-Denis'],
    ['le tribunal de commerce de Paris statuant publiquement', 'Tribunal de commerce de Paris'],
    ['TRIBUNAL DE COMMERCE DE NANTERRE ré te', 'Tribunal de commerce de Nanterre'],
    ['TRIBUNAL DE COMMERCE DE PARIS STATUANT EN MATIÈRE', 'Tribunal de commerce de Paris'],
  ])('%s → %s', (text, court) => {
    expect(findCourt([text])).toEqual({ value: court, page: 1 });
  });

  it.each([['Tribunal de grande instance de Lyon'], ['la cour d’appel de Versailles'], ['le tribunal de commerce de']])('nothing in %s', (text) => {
    expect(findCourt([text])).toBeNull();
  });
});

describe('judgment date', () => {
  it.each([
    ['JUGEMENT DU 15 MARS 2026', '2026-03-15'],
    ['Jugement du 1er avril 2026', '2026-04-01'],
    ['jugement rendu le 15/03/2026', '2026-03-15'],
    ['audience publique du 2 février 2026', '2026-02-02'],
    ['Par jugement en date du 3 decembre 2025', '2025-12-03'],
    ['fixe la date de cessation des paiements au 1er février 2026 ;\nFait et jugé à Nanterre, le 15 mars 2026.', '2026-03-15'],
    ['Jugement du 1er avril', '--04-01'],
    ['JUGEMENT DU ler AVRIL 2026', '2026-04-01'],
    ['Le 12.01.2026, le tribunal', '2026-01-12'],
    ['jugement du 29 février 2024', '2024-02-29'],
  ])('%s → %s', (text, date) => {
    expect(extractDocumentFacts([text]).judgmentDate?.date).toBe(date);
  });

  it.each([
    ['an impossible date', 'Jugement du 31 février 2026'],
    ['29 February of a common year', 'Jugement du 29/02/2026'],
    ['only a birth date', 'Monsieur X, né le 3 mai 1970 à Lyon'],
    ['only the cessation des paiements', 'fixe la date de cessation des paiements au 1er février 2026'],
  ])('none for %s', (_, text) => {
    expect(extractDocumentFacts([text]).judgmentDate).toBeNull();
  });

  it('prefers a date announced as the judgment’s on a later page over an earlier unannounced one', () => {
    const facts = extractDocumentFacts(['Courrier du 2 janvier 2026', 'Jugement du 15 mars 2026']);
    expect(facts.judgmentDate).toEqual({ date: '2026-03-15', written: '15 mars 2026', page: 2 });
  });

  it('lists every date, written as it is', () => {
    expect(findFrenchDates('le 1er avril 2026 et le 15/03/2026').map((d) => [d.date, d.written])).toEqual([
      ['2026-04-01', '1er avril 2026'],
      ['2026-03-15', '15/03/2026'],
    ]);
  });
});

describe('findCompany', () => {
  it.each([
    ['Débiteur : SAS EXEMPLE INDUSTRIE', 'EXEMPLE INDUSTRIE', 'SAS'],
    ["Ouvre une procédure de liquidation judiciaire à l'égard de la SARL BOULANGERIE DUPONT RCS Lyon 123", 'BOULANGERIE DUPONT', 'SARL'],
    ["à l’égard de la société Les Jardins de Marie, immatriculée au RCS", 'Les Jardins de Marie', null],
    ['Dénomination\tLES JARDINS DE MARIE', 'LES JARDINS DE MARIE', null],
    ['Dénomination sociale : A & B CONSEIL', 'A & B CONSEIL', null],
    ['de la société EXEMPLE INDUSTRIE, dont le siège est à Nanterre', 'EXEMPLE INDUSTRIE', null],
    ['la SASU ATELIER DU 12 au capital de 1 000 euros', 'ATELIER DU 12', 'SASU'],
  ])('%s → %s', (text, name, form) => {
    expect(findCompany([text])).toEqual({ value: name, legalForm: form, page: 1 });
  });

  it.each([['Désigne la SELARL MJ CONSEIL, mandataire judiciaire'], ['le tribunal statuant publiquement'], ['Forme\tSARL\nSIREN\t732 829 320']])('nothing in %s', (text) => {
    expect(findCompany([text])).toBeNull();
  });
});

describe('findLiquidator', () => {
  it.each([
    ['Désigne la SELARL MJ CONSEIL, prise en la personne de Maître Jeanne MARTIN,\nmandataire judiciaire, en qualité de liquidateur ;', 'SELARL MJ CONSEIL (Maître Jeanne MARTIN)'],
    ['Liquidateur : Maître Paul LEROY, 3 rue de la Paix', 'Maître Paul LEROY'],
    ['Liquidateur\tMaître Paul LEROY, mandataire judiciaire', 'Maître Paul LEROY'],
    ['désigne Maître Pierre DUBOIS, mandataire judiciaire, en qualité de liquidateur', 'Maître Pierre DUBOIS'],
    ['nomme Me Anne Petit en qualité de liquidateur', 'Maître Anne Petit'],
    ['désigne la SCP BTSG, prise en la personne de Me Marc SÉNÉCHAL, en qualité de liquidateur', 'SCP BTSG (Maître Marc SÉNÉCHAL)'],
    ['Mandataire judiciaire : SELARL AJRS', 'SELARL AJRS'],
    ['Désigne M. Paul DURAND en qualité de juge-commissaire ; désigne Maître Luc BLANC en qualité de liquidateur ;', 'Maître Luc BLANC'],
  ])('%s → %s', (text, name) => {
    expect(findLiquidator([text])).toEqual({ value: name, page: 1 });
  });

  it.each([['Désigne M. Paul DURAND en qualité de juge-commissaire ;'], ['le liquidateur sera désigné ultérieurement']])('nothing in %s', (text) => {
    expect(findLiquidator([text])).toBeNull();
  });
});

describe('extractDocumentFacts', () => {
  it('reads the whole judgment', () => {
    expect(extractDocumentFacts([judgmentLines().join('\n')])).toEqual({
      sirens: [{ siren: SIREN, page: 1, written: '732 829 320', context: 'labelled', ocrFixed: false }],
      court: { value: 'Tribunal de commerce de Nanterre', page: 1 },
      judgmentDate: { date: '2026-03-15', written: '15 MARS 2026', page: 1 },
      company: { value: 'EXEMPLE INDUSTRIE', legalForm: 'SAS', page: 1 },
      liquidator: { value: 'SELARL MJ CONSEIL (Maître Jeanne MARTIN)', page: 1 },
      liquidation: { page: 1 },
    });
  });

  it('reads the judgment through OCR noise', () => {
    // what tesseract made of the corpus's speckled, askew scan (excerpt)
    const ocr = [
      'TRIBUNAL DE COMMERCE DE NANTERRE ré te',
      'f. EXTRAIT DES MINUTES DU GREFFE Le de aies 008',
      ', JUGEMENT DU 15 MARS 2026. it Et ;',
      '“ Débiteur : SAS EXEMPLE INDUSTRIE ae ; se . né',
      'RCS Nanterre 732 829 32O : 3 | 1',
      '; et fixe provisoirement la date. de cessation des paiements au ler février 2026; ‘ ;',
      "— Ouvre une procédure de liquidation judiciaire à l'égard de la SAS EXEMPLE INDUSTRIE Hu",
      '“É Désigne la SELARL MJ CONSEIL, prise en la.personne de Maître Jeanne MARTIN, :',
      'mandataire judiciaire, en qualité de liquidateur ; ; .. us 4',
    ].join('\n');
    const facts = extractDocumentFacts([ocr]);
    expect(facts).toMatchObject({
      sirens: [{ siren: SIREN, ocrFixed: true }],
      court: { value: 'Tribunal de commerce de Nanterre' },
      judgmentDate: { date: '2026-03-15' },
      company: { value: 'EXEMPLE INDUSTRIE' },
      liquidator: { value: 'SELARL MJ CONSEIL (Maître Jeanne MARTIN)' },
      liquidation: { page: 1 },
    });
  });

  it.each([
    ['LIQUIDATION JUDICIAIRE', 1],
    ['prononce la liqui-\ndation judiciaire', 1],
    ['ouvre une procédure de redressement judiciaire', null],
    ['plan de sauvegarde', null],
  ])('liquidation judiciaire in %j → page %s', (text, page) => {
    expect(extractDocumentFacts([text]).liquidation).toEqual(page === null ? null : { page });
  });

  it('takes pages from a reading’s text, separated by form feeds', () => {
    expect(factsOfText('page un\fRCS Nanterre 732 829 320').sirens[0]?.page).toBe(2);
  });
});

describe('compareSiren', () => {
  const facts = (...texts: string[]) => extractDocumentFacts(texts);
  it.each([
    ['found', facts('RCS Nanterre 732 829 320'), { result: 'found', page: 1 }],
    ['found among others', facts('RCS Paris 552 100 554', 'SIREN 732829320'), { result: 'found', page: 2 }],
    ['found through an OCR confusion', facts('RCS Nanterre 732 829 32O'), { result: 'found', page: 1 }],
    ['another company', facts('RCS Paris 552 100 554'), { result: 'other', sirens: [OTHER] }],
    ['none', facts('Jugement du 15 mars 2026'), { result: 'not-found' }],
    ['nine bare digits are no other SIREN', facts('dossier 552100554'), { result: 'not-found' }],
  ])('%s', (_, f, expected) => {
    expect(compareSiren(f, SIREN)).toEqual(expected);
  });
});
