/**
 * The text of a court-like liquidation judgment ("extrait des minutes du greffe"), as lines per page:
 * what the generated corpus (corpus.ts) typesets into PDFs and draws into scans.
 */

/** The company of the corpus's conforming requests. */
export const CORPUS_SIREN = '732829320';
/** Another company's SIREN (Luhn-valid), for the "document names another SIREN" case. */
export const OTHER_SIREN = '552100554';

export interface JudgmentText {
  /** "TRIBUNAL DE COMMERCE DE NANTERRE" */
  court: string;
  /** City of the court, for "Fait et jugé à …". */
  city: string;
  /** "15 mars 2026" */
  date: string;
  /** "SAS EXEMPLE INDUSTRIE" */
  debtor: string;
  /** How the SIREN is written: "RCS Nanterre 732 829 320", "SIREN : 732829320", … */
  registration: string;
}

export const NANTERRE: JudgmentText = {
  court: 'TRIBUNAL DE COMMERCE DE NANTERRE',
  city: 'Nanterre',
  date: '15 mars 2026',
  debtor: 'SAS EXEMPLE INDUSTRIE',
  registration: 'RCS Nanterre 732 829 320',
};

/** The heading: court, kind of document, date. */
export function headingLines(t: JudgmentText): string[] {
  return [t.court, 'EXTRAIT DES MINUTES DU GREFFE', `JUGEMENT DU ${t.date.toUpperCase()}`, 'N° RG : 2026L00123'];
}

/** The parties: the debtor with its registration. */
export function partyLines(t: JudgmentText): string[] {
  return [
    'Procédure : liquidation judiciaire',
    `Débiteur : ${t.debtor}`,
    'Siège social : 12 rue des Lilas, 92000 Nanterre',
    t.registration,
    'Activité : fabrication de machines-outils',
  ];
}

/** The operative part: what the court decides, the liquidator designated. */
export function rulingLines(t: JudgmentText): string[] {
  const name = t.debtor.replace(/^(SAS|SARL|SA|EURL|SASU)\s+/, '');
  return [
    'Le Tribunal, après en avoir délibéré conformément à la loi,',
    'statuant publiquement, en premier ressort, par jugement contradictoire,',
    'Vu les articles L. 640-1 et suivants du code de commerce,',
    `Constate l'état de cessation des paiements de la société ${name}`,
    'et fixe provisoirement la date de cessation des paiements au 1er février 2026 ;',
    `Ouvre une procédure de liquidation judiciaire à l'égard de la ${t.debtor} ;`,
    'Désigne la SELARL MJ CONSEIL, prise en la personne de Maître Jeanne MARTIN,',
    'mandataire judiciaire, en qualité de liquidateur ;',
    'Désigne M. Paul DURAND en qualité de juge-commissaire ;',
    'Ordonne la publicité du présent jugement au BODACC ;',
    `Fait et jugé à ${t.city}, le ${t.date}.`,
    'Le Greffier                              Le Président',
  ];
}

/** One page: the whole judgment. */
export function judgmentLines(t: JudgmentText = NANTERRE): string[] {
  return [...headingLines(t), '', ...partyLines(t), '', ...rulingLines(t)];
}

/** Prose that fills a page without naming anyone (the motifs of a judgment). */
export const MOTIFS: readonly string[] = [
  'Attendu que la société ne dispose plus d’aucun actif disponible permettant de faire face',
  'à son passif exigible, et que son redressement est manifestement impossible ;',
  'Attendu que le ministère public, avisé de la procédure, n’a pas formulé d’observation ;',
  'Qu’il convient en conséquence de prononcer la liquidation judiciaire de l’entreprise,',
  'de fixer la date de cessation des paiements et de désigner les organes de la procédure ;',
];
