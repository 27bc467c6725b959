/**
 * HTML character references, decoded by `he` as the HTML standard says a browser does: every named
 * reference (Outlook writes &eacute; &nbsp; &rsquo; …), numeric ones (128–159 through windows-1252:
 * &#128; is €), and the legacy forms without a semicolon (`&eacute`, `&amp`).
 */
import he from 'he';

/**
 * What renders as nothing is dropped, so that a soft hyphen or a zero-width joiner inside
 * "SIRET concerné" or a SIRET does not hide it: U+00AD (&shy;), U+200C–U+200F (&zwnj; &zwj; &lrm; &rlm;).
 */
const INVISIBLE = /[\u00ad\u200c-\u200f]/g;

/**
 * Decodes HTML character references. Unknown named references are left as written.
 *
 * @example decodeHtmlEntities('concern&eacute;&nbsp;: &#8364; &#x2019;') === 'concerné\u00a0: € ’'
 */
export function decodeHtmlEntities(s: string): string {
  return he.decode(s).replace(INVISIBLE, '');
}
