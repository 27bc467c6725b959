/**
 * Did OCR read anything? Judged by real words, not by characters: tesseract "reads" ~1,350 junk
 * characters in a noise scan, at ~14 % confidence, and none of them makes a word. Pure.
 */

export interface OcrWord {
  text: string;
  /** 0–100. */
  confidence: number;
}

export interface OcrJudgement {
  /** Words tesseract is confident of that look like words of a language (letters, a vowel, no stutter). */
  realWords: number;
  words: number;
  legible: boolean;
}

/** A word counts only when tesseract is at least this confident of it. */
export const OCR_WORD_CONFIDENCE = 60;
/** A page is legible with this many real words… */
export const OCR_MIN_REAL_WORDS = 8;
/** …or with a couple of them when the page's mean confidence reaches this (a photo of one line). */
export const OCR_SHORT_PAGE_CONFIDENCE = 70;

const LETTERS = /^[a-zàâäçéèêëîïôöùûüÿœæ]{3,}$/i;
const VOWEL = /[aeiouyàâäéèêëîïôöùûüÿœæ]/i;
const STUTTER = /(.)\1\1/i;
/** lower case, UPPER CASE or Capitalised: not "ÉRjsT". */
const ONE_CASE = /^(?:\p{Lu}?\p{Ll}+|\p{Lu}+)$/u;

/** A word of at least three letters with a vowel, in one case, and no letter three times in a row. */
export function isRealWord(text: string): boolean {
  return text
    .replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '')
    .split(/['’-]/)
    .some((part) => LETTERS.test(part) && VOWEL.test(part) && ONE_CASE.test(part) && !STUTTER.test(part));
}

/** Judges one OCR result from its words and its mean confidence. */
export function judgeOcr(words: readonly OcrWord[], meanConfidence: number): OcrJudgement {
  const realWords = words.filter((w) => w.confidence >= OCR_WORD_CONFIDENCE && isRealWord(w.text)).length;
  const legible = realWords >= OCR_MIN_REAL_WORDS || (realWords >= 2 && meanConfidence >= OCR_SHORT_PAGE_CONFIDENCE);
  return { realWords, words: words.length, legible };
}
