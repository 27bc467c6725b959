/**
 * SIRET numbers: 14 digits, SIREN (9) + NIC (5).
 *
 * Check rule (INSEE): the Luhn key over the 14 digits, OR, for La Poste
 * (SIREN 356000000) whose establishments outgrew the Luhn numbering, the sum of
 * the 14 digits being a multiple of 5. It is an OR: some La Poste SIRETs pass
 * only the Luhn key, others only the digit sum.
 */

/** SIREN of La Poste, the one exception to the Luhn rule. */
export const LA_POSTE_SIREN = '356000000';

/**
 * Separators people and mail clients put inside a SIRET: spaces, tabs, NBSP (U+00A0),
 * narrow NBSP (U+202F), thin/figure spaces, dots, hyphens and dashes.
 */
const SIRET_SEPARATORS = /[\s.\u00a0\u202f\u2007\u2009\-\u2010-\u2015\u2212]/g;

/**
 * Removes the separators a SIRET is usually written with.
 * Anything else (letters, slashes) is kept, so the result is a digit string
 * only when the input was a digit string once separated.
 *
 * @example normalizeSiret('732 829 320 00074') === '73282932000074'
 */
export function normalizeSiret(raw: string): string {
  return raw.replace(SIRET_SEPARATORS, '');
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits.charCodeAt(i) - 48;
  return sum;
}

/**
 * True when `digits14` is exactly 14 ASCII digits and passes the SIRET check:
 * Luhn, or (SIREN La Poste and digit sum multiple of 5).
 * Pass a normalized value (see {@link normalizeSiret}); separators make it invalid.
 * A SIREN of nine zeros is refused although it passes Luhn: it is a placeholder, never attributed.
 */
export function isValidSiret(digits14: string): boolean {
  if (!/^\d{14}$/.test(digits14) || digits14.startsWith('000000000')) return false;
  if (passesLuhn(digits14)) return true;
  return sirenOf(digits14) === LA_POSTE_SIREN && digitSum(digits14) % 5 === 0;
}

/**
 * Why a number written as a SIRET is not one, from its digits (separators removed): a SIREN
 * (9 digits), a wrong length, or 14 digits that fail the check.
 *
 * @example invalidSiretReason('732829320') → { hint: 'SIREN_NOT_SIRET', digits: 9 }
 */
export function invalidSiretReason(digits: string): {
  hint: 'SIREN_NOT_SIRET' | 'SIRET_WRONG_LENGTH' | 'SIRET_CHECK_FAILED';
  digits: number;
} {
  if (digits.length === 14) return { hint: 'SIRET_CHECK_FAILED', digits: 14 };
  if (digits.length === 9) return { hint: 'SIREN_NOT_SIRET', digits: 9 };
  return { hint: 'SIRET_WRONG_LENGTH', digits: digits.length };
}

/** The SIREN (first 9 digits) of a normalized SIRET. */
export function sirenOf(siret: string): string {
  return siret.slice(0, 9);
}

/**
 * Human form of a normalized SIRET: `'732 829 320 00074'`.
 * A value that is not 14 digits is returned unchanged (it is shown as written).
 */
export function formatSiret(siret: string): string {
  const m = /^(\d{3})(\d{3})(\d{3})(\d{5})$/.exec(siret);
  return m ? `${m[1]} ${m[2]} ${m[3]} ${m[4]}` : siret;
}
