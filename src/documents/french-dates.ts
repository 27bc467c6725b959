/**
 * Dates as French court documents write them: "15 mars 2026", "1er avril 2026", "15/03/2026",
 * "15.03.2026", "LE QUINZE MARS" is not read (dates in words are rare in the operative part). Pure.
 */

export interface FrenchDate {
  /** ISO 8601: YYYY-MM-DD, or --MM-DD when the year is not written ("1er avril"). */
  date: string;
  /** As written. */
  written: string;
  /** Offset in the text. */
  index: number;
}

const MONTHS: Record<string, number> = {
  janvier: 1, fevrier: 2, mars: 3, avril: 4, mai: 5, juin: 6,
  juillet: 7, aout: 8, septembre: 9, octobre: 10, novembre: 11, decembre: 12,
};

// "1er", "ler" (OCR), "premier", or a day number; the month with or without its accents, any case.
const WORDY = /\b(1\s?er|ler|premier|[0-3]?\d)\s+(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)(?:\s+((?:19|20)\d\d)\b)?/giu;
const NUMERIC = /\b([0-3]?\d)[/.-]([01]?\d)[/.-]((?:19|20)\d\d)\b/g;

function stripAccents(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function isCalendarDate(year: number | null, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year ?? 2024, month, 0)).getUTCDate(); // 2024: leap, so 29 février stands
  return day <= days;
}

function iso(year: number | null, month: number, day: number): string {
  const md = `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return year === null ? `--${md}` : `${year}-${md}`;
}

/** Every date of the text, in order. */
export function findFrenchDates(text: string): FrenchDate[] {
  const dates: FrenchDate[] = [];
  for (const m of text.matchAll(WORDY)) {
    const dayWord = m[1]!.toLowerCase().replace(/\s/g, '');
    const day = ['1er', 'ler', 'premier'].includes(dayWord) ? 1 : Number(dayWord);
    const month = MONTHS[stripAccents(m[2]!.toLowerCase())]!;
    const year = m[3] === undefined ? null : Number(m[3]);
    // "ler" alone is a French word ending; only a month right after makes it a day
    if (isCalendarDate(year, month, day)) dates.push({ date: iso(year, month, day), written: m[0], index: m.index });
  }
  for (const m of text.matchAll(NUMERIC)) {
    const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (isCalendarDate(year, month, day)) dates.push({ date: iso(year, month, day), written: m[0], index: m.index });
  }
  return dates.sort((a, b) => a.index - b.index);
}

/** Words before a date that make it the judgment's date. */
const JUDGMENT_CUES = /(jugement|arr[êe]t|ordonnance)\s+(?:\S+\s+){0,3}?(?:du|en date du|rendu le|prononc[ée] le)\s*$|audience\s+(?:publique\s+)?(?:du|de ce jour,?)\s*$|(prononc[ée]|rendu|jug[ée]|d[ée]lib[ée]r[ée]|fait et jug[ée][^,.;]{0,40},?)\s+(?:le|du)\s*$|\bs[ée]ance\s+du\s*$/i;
/** Words before a date that make it some other date of the case. */
const OTHER_CUES = /cessation des paiements[^.;]{0,40}$|\bn[ée]e?\s+le\s*$|naissance|immatricul[^.;]{0,30}$|\bdepuis\s+le\s*$|\bcr[ée]{2}e?\s+le\s*$|\bexpire\s+le\s*$|avant\s+le\s*$|d[ée]lai[^.;]{0,40}$/i;
/** Reach of the cues before a date. */
const CUE_REACH = 80;

/**
 * The judgment's date among the text's dates: the first announced by "jugement du", "audience du",
 * "prononcé le", "fait et jugé … le" (`cued`); failing that, the first date not announced as another
 * date of the case (cessation des paiements, birth, registration, a deadline). Null when there is none.
 */
export function pickJudgmentDate(text: string, dates: readonly FrenchDate[]): (FrenchDate & { cued: boolean }) | null {
  let fallback: FrenchDate | null = null;
  for (const d of dates) {
    const before = text.slice(Math.max(0, d.index - CUE_REACH), d.index).replace(/\s+/g, ' ');
    if (OTHER_CUES.test(before)) continue;
    if (JUDGMENT_CUES.test(before)) return { ...d, cued: true };
    fallback ??= d;
  }
  return fallback && { ...fallback, cued: false };
}
