/**
 * HTML character references: numeric ones, and the named ones French mail
 * clients actually emit (Outlook writes &eacute; &nbsp; &rsquo; …).
 */
import { windows1252CodePoint } from './windows-1252.js';

const NAMED: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '',
  ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009', zwnj: '', zwj: '', lrm: '', rlm: '',
  ndash: '–', mdash: '—', hellip: '…', bull: '•', middot: '·', lsquo: '‘', rsquo: '’', sbquo: '‚',
  ldquo: '“', rdquo: '”', bdquo: '„', laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›',
  euro: '€', pound: '£', cent: '¢', yen: '¥', copy: '©', reg: '®', trade: '™', deg: '°', sect: '§',
  para: '¶', ordm: 'º', ordf: 'ª', times: '×', divide: '÷', plusmn: '±', micro: 'µ', iexcl: '¡', iquest: '¿',
  sup1: '¹', sup2: '²', sup3: '³', frac12: '½', frac14: '¼', frac34: '¾', dagger: '†', Dagger: '‡',
  agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ', ccedil: 'ç',
  egrave: 'è', eacute: 'é', ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï',
  ntilde: 'ñ', ograve: 'ò', oacute: 'ó', ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø', oelig: 'œ',
  ugrave: 'ù', uacute: 'ú', ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ', szlig: 'ß',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç',
  Egrave: 'È', Eacute: 'É', Ecirc: 'Ê', Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï',
  Ntilde: 'Ñ', Ograve: 'Ò', Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø', OElig: 'Œ',
  Ugrave: 'Ù', Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü', Yacute: 'Ý', Yuml: 'Ÿ',
};

function fromCodePoint(n: number): string {
  if (n === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return '\ufffd';
  // HTML maps references to 128–159 through windows-1252 (&#128; is €)
  return String.fromCodePoint(windows1252CodePoint(n));
}

/**
 * Decodes HTML character references. Unknown named references are left as written.
 *
 * @example decodeHtmlEntities('concern&eacute;&nbsp;: &#8364; &#x2019;') === 'concerné\u00a0: € ’'
 */
export function decodeHtmlEntities(s: string): string {
  return s.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g, (all, dec, hex, name) => {
    if (dec !== undefined) return fromCodePoint(parseInt(dec as string, 10));
    if (hex !== undefined) return fromCodePoint(parseInt(hex as string, 16));
    return NAMED[name as string] ?? all;
  });
}
