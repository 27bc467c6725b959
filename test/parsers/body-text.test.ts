import { describe, expect, it } from 'vitest';
import { htmlToText, stripQuoted, stripQuotedHtml } from '../../parsers/body-text';

describe('htmlToText', () => {
  it.each([
    ['paragraphs', '<p>Bonjour,</p>\n<p>Merci</p>', 'Bonjour,\nMerci'],
    ['br', 'ligne 1<br>ligne 2<br/>ligne 3<BR />fin', 'ligne 1\nligne 2\nligne 3\nfin'],
    ['gmail blank line', '<div>Bonjour,</div><div><br></div><div>Voici</div>', 'Bonjour,\n\nVoici'],
    ['outlook blank paragraph', '<p class=MsoNormal>A<o:p></o:p></p>\n<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n<p class=MsoNormal>B<o:p></o:p></p>', 'A\n\nB'],
    ['named entities', 'concern&eacute;&nbsp;: &agrave; &Eacute;tude &amp; Cie &lt;x&gt; &rsquo;&euro;', 'concerné\u00a0: à Étude & Cie <x> ’€'],
    ['numeric entities', '&#233;&#xE9;&#x20AC;&#8211;&#128;', 'éé€–€'],
    // he reads references as the HTML standard (and so the recipient's browser) does
    ['unknown entity kept, legacy one without semicolon read', '&foo; &amp &eacute &#233', '&foo; & é é'],
    ['every HTML5 named reference', '&hearts; &rarr; &AMP;', '♥ → &'],
    ['out-of-range reference', '&#12345678;', '\ufffd'],
    ['what renders as nothing is dropped, as reference or as character', 'con&shy;cern\u00adé SI&zwnj;RET 732&zwj;829', 'concerné SIRET 732829'],
    ['head, style, script, title dropped', '<html><head><title>T</title><style>p{color:red}</style></head><body><script>x()</script><p>Texte</p></body></html>', 'Texte'],
    ['comments and conditional comments dropped', '<!--[if gte mso 9]><xml><o:shapedefaults/></xml><![endif]--><p>A<!-- note --></p>', 'A'],
    ['whitespace in source collapses', '<p>SIRET\n   concerné\t:\n 732</p>', 'SIRET concerné : 732'],
    ['table cells on one line', '<table><tr><td>SIRET concerné :</td><td>73282932000074</td></tr><tr><td>Mail :</td><td>a@b.fr</td></tr></table>', 'SIRET concerné : 73282932000074\nMail : a@b.fr'],
    ['inline tags vanish', '<b>SIRET</b> <span style="x">concerné</span> <i>:</i>', 'SIRET concerné :'],
    ['attribute with >', '<a title="a > b" href="https://x">lien</a>', 'lien'],
    ['mailto shown', '<a href="mailto:jean@x.fr">jean@x.fr</a>', 'jean@x.fr'],
    ['mailto hidden behind a name', 'Mail : <a href="mailto:jean@x.fr">Maître Jean</a>', 'Mail : Maître Jean <jean@x.fr>'],
    ['mailto with query', '<a href="mailto:jean@x.fr?subject=Hi">écrire</a>', 'écrire <jean@x.fr>'],
    ['pre keeps line breaks', '<pre>SIRET : 1\nMail : 2</pre>', 'SIRET : 1\nMail : 2'],
    ['list items', '<ul><li>un</li><li>deux</li></ul>', 'un\ndeux'],
    ['many blank lines reduced', '<p>A</p><br><br><br><br><p>B</p>', 'A\n\nB'],
    ['doctype ignored', '<!DOCTYPE html><html><body>X</body></html>', 'X'],
    ['empty', '', ''],
  ])('%s', (_name, html, want) => {
    expect(htmlToText(html)).toBe(want);
  });
});

describe('stripQuotedHtml', () => {
  it.each([
    [
      'gmail quote',
      '<div dir="ltr">Nouveau</div><div class="gmail_quote gmail_quote_container"><div class="gmail_attr">Le jeu. 26 nov. 2026, X a écrit :</div><blockquote class="gmail_quote"><div>Ancien <div>imbriqué</div></div></blockquote></div><div>Après</div>',
      ['Nouveau', 'Après'],
      ['Ancien', 'imbriqué', 'a écrit'],
    ],
    [
      'apple / thunderbird blockquote type=cite',
      '<div>Nouveau</div><div class="moz-cite-prefix">Le 26/11/2026 à 10:12, X a écrit :</div><blockquote type="cite"><div>Ancien<blockquote type="cite">Plus ancien</blockquote>encore</div></blockquote><p>Fin</p>',
      ['Nouveau', 'Fin'],
      ['Ancien', 'Plus ancien', 'encore', 'a écrit'],
    ],
    [
      'outlook web appendonsend: everything after is the original',
      '<div>Nouveau</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>De :</b> X</div><div>Ancien SIRET</div>',
      ['Nouveau'],
      ['De :', 'Ancien SIRET'],
    ],
    [
      'outlook divRplyFwdMsg alone',
      '<p>Nouveau</p><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> X</div><div>Ancien</div>',
      ['Nouveau'],
      ['Ancien'],
    ],
    ['ordinary blockquote kept', '<blockquote>Citation voulue</blockquote>', ['Citation voulue'], []],
    ['no quote', '<p>Seul</p>', ['Seul'], []],
  ])('%s', (_name, html, kept, dropped) => {
    const text = htmlToText(stripQuotedHtml(html));
    for (const k of kept) expect(text).toContain(k);
    for (const d of dropped) expect(text).not.toContain(d);
  });
});

describe('stripQuoted', () => {
  it.each([
    ['> quoted lines', 'Nouveau\n> ancien\n>> plus ancien\n  > indenté\nFin', 'Nouveau\nFin'],
    ['french attribution', 'Nouveau\n\nLe 26 nov. 2026 à 10:12, Jean Dupont <j@x.fr> a écrit :\nAncien non préfixé', 'Nouveau'],
    ['french attribution wrapped on two lines', 'Nouveau\n\nLe jeu. 26 nov. 2026 à 10:12, Jean Dupont <j@x.fr> a\nécrit :\n\n> Ancien', 'Nouveau'],
    ['french attribution without space before colon', 'Nouveau\nLe 26/11/2026 10:12, Jean a écrit:\nAncien', 'Nouveau'],
    ['english attribution', 'New\n\nOn Thu, Nov 26, 2026 at 10:12 AM Jean <j@x.fr> wrote:\nOld', 'New'],
    ['english attribution wrapped', 'New\nOn Thu, Nov 26, 2026 at 10:12 AM Jean Dupont <jean.dupont@x.fr>\nwrote:\nOld', 'New'],
    ['message d\'origine', "Nouveau\n\n-----Message d'origine-----\nDe : X\nAncien", 'Nouveau'],
    ['message d’origine typographic apostrophe', 'Nouveau\n-----Message d’origine-----\nAncien', 'Nouveau'],
    ['original message', 'New\n-----Original Message-----\nFrom: X\nOld', 'New'],
    ['zimbra mail original', 'Nouveau\n----- Mail original -----\nDe: X\nAncien', 'Nouveau'],
    ['gmail forwarded', 'Voir ci-dessous\n---------- Forwarded message ---------\nDe : X\nAncien', 'Voir ci-dessous'],
    ['outlook header block', 'Nouveau\n\nDe : Jean Dupont <j@x.fr>\nEnvoyé : jeudi 26 novembre 2026 10:12\nÀ : support\nObjet : LIQUIDATEUR\n\nAncien', 'Nouveau'],
    ['outlook header block english', 'New\nFrom: Jean\nSent: Thursday, November 26, 2026 10:12 AM\nTo: support\nOld', 'New'],
    ['outlook rule then header block', 'Nouveau\n\n________________________________\nDe : Jean\nEnvoyé : jeudi\nAncien', 'Nouveau'],
    ['bold header block from text alternative', 'Nouveau\n*De :* Jean\n*Envoyé :* jeudi\nAncien', 'Nouveau'],
    ['apple mail header block with date', 'Nouveau\nDe: Jean <j@x.fr>\nObjet: LIQUIDATEUR\nDate: 26 novembre 2026 à 10:12\nAncien', 'Nouveau'],
    ['"De :" alone is not a header block', 'Bonjour\nDe : la part de Me Dupont\nSIRET concerné : 1', 'Bonjour\nDe : la part de Me Dupont\nSIRET concerné : 1'],
    ['underscores alone are kept', 'Bonjour\n__________\nSignature', 'Bonjour\n__________\nSignature'],
    ['line starting with Le but no attribution', 'Le SIRET concerné est 1\nFin', 'Le SIRET concerné est 1\nFin'],
    ['CRLF input', 'Nouveau\r\n> ancien\r\nFin', 'Nouveau\nFin'],
    ['nothing quoted', 'Seul', 'Seul'],
  ])('%s', (_name, text, want) => {
    expect(stripQuoted(text)).toBe(want);
  });
});

describe('hostile markup', () => {
  it.each([
    ['unclosed quotes', '<a "'.repeat(100_000)],
    ['runs of "<a "', '<a '.repeat(100_000)],
    ['unclosed comments', '<!--'.repeat(100_000)],
    ['unclosed styles', '<style>'.repeat(100_000)],
    ['unclosed links', '<a href="mailto:x@y.fr">'.repeat(50_000)],
    ['many paragraphs', '<p>a</p>'.repeat(200_000)],
    ['nested quotes', `${'<blockquote type="cite">'.repeat(20_000)}x${'</blockquote>'.repeat(20_000)}`],
  ])('%s: converted in linear time', (_name, html) => {
    const started = performance.now();
    htmlToText(stripQuotedHtml(html));
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
