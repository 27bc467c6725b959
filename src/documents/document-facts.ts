/**
 * What a court document says, read from its text as an agent would skim it: the SIRENs, the court,
 * the judgment's date, the company, the liquidator, and whether it speaks of liquidation judiciaire.
 * Each fact with its page. Pure: no I/O, no clock; best effort on wording (see each finder).
 */
import { findSirens, type FoundSiren } from './document-sirens';
import { findFrenchDates, pickJudgmentDate } from './french-dates';

export type { FoundSiren };

export interface FoundFact {
  /** Normalised: "Tribunal de commerce de Nanterre", "EXEMPLE INDUSTRIE", "SELARL MJ CONSEIL (Maître Jeanne MARTIN)". */
  value: string;
  /** 1-based. */
  page: number;
}

export interface FoundDate {
  /** YYYY-MM-DD, or --MM-DD when the year is not written. */
  date: string;
  written: string;
  page: number;
}

export interface DocumentFacts {
  /** Distinct SIRENs, in order of first appearance. */
  sirens: FoundSiren[];
  court: FoundFact | null;
  judgmentDate: FoundDate | null;
  company: (FoundFact & { legalForm: string | null }) | null;
  liquidator: FoundFact | null;
  /** Where the text first says "liquidation judiciaire"; null when it never does. */
  liquidation: { page: number } | null;
}

export type SirenComparison =
  | { result: 'found'; page: number }
  | { result: 'other'; sirens: string[] }
  | { result: 'not-found' };

/** Line breaks inside a hyphenated word joined, no-break and odd spaces made spaces. */
function tidy(page: string): string {
  return page
    .replace(/[\u00a0\u202f\u2007\u2009]/g, ' ')
    .replace(/[’‘`]/g, "'")
    .replace(/(\p{Ll})-\n(\p{Ll})/gu, '$1$2');
}

const COURT = /\btribunal\s+(de\s+commerce|judiciaire|des\s+activit[ée]s\s+[ée]conomiques|mixte\s+de\s+commerce)\s+(de\s+(?:la\s+|l['’])?|d['’]|du\s+|des\s+)/giu;
/** A word of a city: "Nanterre", "NANTERRE", "Aix-en-Provence", "Saint-Étienne", "Roche-sur-Yon". */
const CITY_WORD = /^(\p{Lu}[\p{L}'’-]*)/u;
/** Words of a heading that follow the city and are not part of it. */
const NOT_CITY = new Set(['EXTRAIT', 'JUGEMENT', 'STATUANT', 'SIEGEANT', 'SIÉGEANT', 'CHAMBRE', 'AUDIENCE', 'RG', 'MINUTE', 'GREFFE', 'PROCEDURE', 'PROCÉDURE', 'DU', 'LE', 'EN', 'ET', 'N°']);
const CITY_SMALL_WORDS = new Set(['sur', 'en', 'de', 'la', 'le', 'les', 'lès', 'lez', 'du', 'des', 'aux', 'sous', "d'", "l'"]);

function titleCity(word: string): string {
  if (word !== word.toUpperCase()) return word;
  return word
    .toLowerCase()
    .split('-')
    .map((part, i) => (i > 0 && CITY_SMALL_WORDS.has(part) ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('-');
}

/** "Tribunal de commerce de Nanterre": the kind of court as written, the city title-cased. */
export function findCourt(pages: readonly string[]): FoundFact | null {
  for (const [p, text] of pages.entries()) {
    for (const m of text.matchAll(COURT)) {
      const words: string[] = [];
      let rest = text.slice(m.index + m[0].length).split('\n')[0]!;
      for (let w = 0; w < 4; w++) {
        const word = CITY_WORD.exec(rest)?.[1];
        if (word === undefined || NOT_CITY.has(word.toUpperCase())) break;
        words.push(word);
        rest = rest.slice(word.length);
        // the next word of the city follows one space ("Le Mans", "La Roche-sur-Yon")
        if (!/^ \p{Lu}/u.test(rest) || !['LE', 'LA', 'LES', 'SAINT', 'SAINTE'].includes(word.toUpperCase())) break;
        rest = rest.slice(1);
      }
      if (words.length === 0) continue;
      const kind = m[1]!.toLowerCase().replace(/\s+/g, ' ').replace('activites economiques', 'activités économiques');
      const prep = m[2]!.toLowerCase().replace(/\s+/g, ' ').replace('’', "'");
      return { value: `Tribunal ${kind} ${prep}${words.map(titleCity).join(' ')}`, page: p + 1 };
    }
  }
  return null;
}

const FORMS = 'SASU|SAS|SARL|EURL|SA|SCI|SNC|SCA|SCOP|SELARL|SELAS';
/**
 * A name: capitalised words or words in capitals, with small joining words between them: "EXEMPLE
 * INDUSTRIE", "Exemple Industrie", "Les Jardins de Marie", "A & B". On one line.
 */
const NAME = "\\p{Lu}[\\p{L}\\d&'.-]*(?: (?:(?:de|du|des|la|le|et|&) )?(?:\\p{Lu}[\\p{L}\\d&'.-]*|\\d{1,3}\\b)){0,6}";
/** A legal form, then the name, read where a cue ends (case-sensitive, unlike the cues). */
const NAME_AT = new RegExp(`(?:(${FORMS}) +)?(${NAME})`, 'uy');
/** What announces the debtor, most trusted first. */
const COMPANY_CUES: RegExp[] = [
  // labelled: "Débiteur : SAS EXEMPLE INDUSTRIE", "Dénomination sociale : …", a table's "Dénomination → …"
  /(?:d[ée]biteur|d[ée]nomination(?: sociale)?|raison sociale|soci[ée]t[ée]) *(?:: *|\t+)/giu,
  // "à l'égard de la SAS EXEMPLE INDUSTRIE", "à l'encontre de la société Exemple"
  /(?:[àa] l['’][ée]gard|[àa] l['’]encontre|au b[ée]n[ée]fice)\s+de\s+(?:la\s+)?(?:soci[ée]t[ée]\s+)?/giu,
  // "de la société EXEMPLE INDUSTRIE", "la société Exemple Industrie"
  /soci[ée]t[ée] +/giu,
  // "SAS EXEMPLE INDUSTRIE" anywhere (a firm of mandataires, SELARL or SELAS, is not a debtor)
  /\b(?=(?:SASU|SAS|SARL|EURL|SA|SCI|SNC|SCA|SCOP) +\p{Lu}\p{Lu})/gu,
];
/** Words a name stops before. */
const NAME_END = /\s+(?:RCS|R\.C\.S|SIRE[NT]|IMMATRICUL\S*|DONT|AU CAPITAL|AYANT|SISE?|PRISE?|DE NATIONALIT\S*|N°|EN QUALIT\S*)\b.*$/iu;

/**
 * The debtor company: after "Débiteur :", "Dénomination :", "à l'égard de (la société)", "la société",
 * or a legal form (SAS, SARL, …), in that order of trust; capitals or capitalised words, cut before
 * "RCS", "immatriculée", "dont", "au capital"…. A firm of mandataires (SELARL …) is not taken for it
 * unless labelled.
 */
export function findCompany(pages: readonly string[]): (FoundFact & { legalForm: string | null }) | null {
  for (const cue of COMPANY_CUES) {
    for (const [p, text] of pages.entries()) {
      for (const m of text.matchAll(cue)) {
        NAME_AT.lastIndex = m.index + m[0].length;
        const named = NAME_AT.exec(text);
        if (named === null) continue;
        // a registration number written right after the name is not part of it
        const name = named[2]!.replace(NAME_END, '').replace(/(?: \d{3}){2,}$/, '').replace(/[\s,.;:'-]+$/, '').trim();
        if (name.length < 2 || /^(LA|LE|LES|DE|DU|SIREN|SIRET|RCS)$/i.test(name)) continue;
        return { value: name, legalForm: named[1] ?? null, page: p + 1 };
      }
    }
  }
  return null;
}

const PERSON = /\b(?:Ma[îi]tre|Me|MAÎTRE|MAITRE) +(\p{Lu}[\p{L}'-]+(?: +\p{Lu}[\p{L}'-]+){0,3})/u;
const FIRM = new RegExp(`\\b(SELARL|SELAS|SELAFA|SELCA|SELEURL|SCP|AARPI) +(${NAME})`, 'u');
const LIQUIDATOR_ROLE = /\b(liquidateur|mandataire judiciaire|mandataire liquidateur)/gi;
const LABELLED_LIQUIDATOR = /\b(?:liquidateur|mandataire(?: judiciaire)?) *(?::|\t+) *([^\n,;\t]{3,80})/iu;
/** How far before the role its clause may begin. */
const CLAUSE_REACH = 240;

/**
 * The liquidator or mandataire judiciaire the document names: "Liquidateur : Maître X" (or a table's
 * "Liquidateur → Maître X"), or, in the clause that designates one ("… en qualité de liquidateur",
 * "mandataire judiciaire"), the firm (SELARL, SCP, …) and the person ("Maître Jeanne MARTIN"), as
 * "FIRM (Maître NAME)" when both are there. The clause is the text between semicolons or sentence ends
 * around the role, so a judge designated in the next clause is not taken; names do not cross lines.
 */
export function findLiquidator(pages: readonly string[]): FoundFact | null {
  for (const [p, text] of pages.entries()) {
    const labelled = LABELLED_LIQUIDATOR.exec(text);
    if (labelled && PERSON.test(labelled[1]!)) return { value: labelled[1]!.trim(), page: p + 1 };
    for (const m of text.matchAll(LIQUIDATOR_ROLE)) {
      const start = Math.max(text.lastIndexOf(';', m.index), text.lastIndexOf('. ', m.index), m.index - CLAUSE_REACH, 0);
      const endAt = text.slice(m.index).search(/[;.](?:\s|$)/);
      const clause = text.slice(start, endAt < 0 ? undefined : m.index + endAt);
      const firm = FIRM.exec(clause);
      const person = PERSON.exec(clause);
      const firmName = firm ? `${firm[1]} ${firm[2]!.replace(NAME_END, '').replace(/[\s,]+$/, '')}` : null;
      const personName = person ? `Maître ${person[1]}` : null;
      if (firmName && personName) return { value: `${firmName} (${personName})`, page: p + 1 };
      if (firmName || personName) return { value: (firmName ?? personName)!, page: p + 1 };
    }
    if (labelled) return { value: labelled[1]!.trim(), page: p + 1 };
  }
  return null;
}

/**
 * The facts of a document whose text is given page by page (see {@link factsOfText} for the '\f'-separated
 * text a reading returns).
 */
export function extractDocumentFacts(pages: readonly string[]): DocumentFacts {
  const tidied = pages.map(tidy);
  let judgmentDate: FoundDate | null = null;
  let uncued: FoundDate | null = null;
  for (const [p, text] of tidied.entries()) {
    const picked = pickJudgmentDate(text, findFrenchDates(text));
    if (picked === null) continue;
    const found = { date: picked.date, written: picked.written, page: p + 1 };
    // a date announced as the judgment's wins over an unannounced one on an earlier page
    if (picked.cued) {
      judgmentDate = found;
      break;
    }
    uncued ??= found;
  }
  const liquidation = tidied.findIndex((t) => /liquidation\s+judiciaire/i.test(t));
  return {
    sirens: findSirens(tidied),
    court: findCourt(tidied),
    judgmentDate: judgmentDate ?? uncued,
    company: findCompany(tidied),
    liquidator: findLiquidator(tidied),
    liquidation: liquidation < 0 ? null : { page: liquidation + 1 },
  };
}

/** The facts of a reading's text: pages separated by '\f'. */
export function factsOfText(text: string): DocumentFacts {
  return extractDocumentFacts(text.split('\f'));
}

/**
 * Does the document name the company? 'found' when `expectedSiren` is among the SIRENs read (by OCR
 * correction too); 'other' when it is not but others are (they are listed, for the agents), leaving
 * out nine bare digits in a row with no label, which may be anything; 'not-found' when none is.
 */
export function compareSiren(facts: DocumentFacts, expectedSiren: string): SirenComparison {
  const hit = facts.sirens.find((s) => s.siren === expectedSiren);
  if (hit) return { result: 'found', page: hit.page };
  const others = facts.sirens.filter((s) => s.context !== 'bare').map((s) => s.siren);
  return others.length > 0 ? { result: 'other', sirens: others } : { result: 'not-found' };
}
