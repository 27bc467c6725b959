import { describe, expect, it } from 'vitest';
import {
  findApprovalTokens, MAX_REASON_LENGTH, parseAgentReply, REASON_HINT, reasonProblem, type AgentReply,
} from '../../parsers/agent-reply';

const text = (t: string) => ({ text: t, html: null });
/** An invalid reply, with the lines it quotes back to the agent (none: `[]`). */
const invalid = (error: string, ...read: string[]): AgentReply => ({ kind: 'invalid', error, read }) as AgentReply;

const OUTLOOK_QUOTE = `\n\n________________________________\nDe : liquibot <liquibot@support.example.fr>\nEnvoyé : jeudi 26 novembre 2026 10:12\nÀ : agents@support.example.fr\nObjet : [LJ-261126-0042] Demande à valider\n\nRépondez VALIDER ou REFUSER suivi du motif.\nRef ljv-0123456789abcdef0123456789abcdef\n`;
const GMAIL_QUOTE = `\n\nLe jeu. 26 nov. 2026 à 10:12, liquibot <liquibot@support.example.fr> a écrit :\n> Répondez VALIDER ou REFUSER suivi du motif.\n> REFUSER : exemple\n`;

describe('parseAgentReply: approvals', () => {
  it.each([
    ['VALIDER'],
    ['valider'],
    ['Valider'],
    ['VALIDÉR'],
    ['Valider.'],
    ['VALIDER !'],
    ['VALIDER\u00a0!'],
    ['  VALIDER  '],
    ['*VALIDER*'],
    ['\n\n\nVALIDER\nMerci, bonne journée'],
    ['\ufeffVALIDER'],
    [`VALIDER${OUTLOOK_QUOTE}`],
    [`Valider${GMAIL_QUOTE}`],
    ['VALIDER\n-- \nPaul Martin\nREFUSER : signature'],
    ['> REFUSER : cité\nVALIDER'],
    // Issue 12: the decision word may stand on any line of the agent's own text.
    ['Bonjour,\nVALIDER'],
    ['Bonjour,\n\nVALIDER\n\nCordialement,\nPaul'],
    ['Bonjour à tous,\nDossier vérifié, pièces conformes.\nVALIDER.\nBonne journée'],
    [`Bonjour,\nValider${GMAIL_QUOTE}`],
    ['VALIDER\nVALIDER'],
    [`VALIDER\n\nljv-${'a'.repeat(32)}`],
  ])('%j', (body) => {
    expect(parseAgentReply(text(body))).toEqual({ kind: 'approve' });
  });
});

describe('parseAgentReply: refusals', () => {
  it.each([
    // "motif" alone was the reason of these cases until issue 12; it is now a placeholder (see below),
    // so they carry a real reason: what they test is the separators.
    ['REFUSER: SIRET erroné', 'SIRET erroné'],
    ['REFUSER : SIRET erroné', 'SIRET erroné'],
    ['Refuser\u00a0: SIRET erroné', 'SIRET erroné'],
    ['Refuser - SIRET erroné', 'SIRET erroné'],
    ['Refuser – SIRET erroné', 'SIRET erroné'],
    ['refuser SIRET erroné', 'SIRET erroné'],
    ['REFUSÉR, SIRET erroné', 'SIRET erroné'],
    ['**REFUSER** : SIRET erroné', 'SIRET erroné'],
    ['REFUSER : le jugement concerne une autre société', 'le jugement concerne une autre société'],
    ['REFUSER\nle document est illisible', 'le document est illisible'],
    ['REFUSER : ligne 1\nligne 2\n\nCordialement,\nPaul', 'ligne 1\nligne 2'],
    ['REFUSER : SIRET erroné\n-- \nPaul Martin', 'SIRET erroné'],
    ['REFUSER : SIRET erroné\n--\nPaul Martin', 'SIRET erroné'],
    ['REFUSER : motif\tavec\u0007 contrôle\u202e\u200b', 'motif avec contrôle'],
    [`REFUSER : SIRET différent${OUTLOOK_QUOTE}`, 'SIRET différent'],
    [`Refuser : pas de jugement${GMAIL_QUOTE}`, 'pas de jugement'],
    ['REFUSER : le jugement n\'est pas validé', 'le jugement n\'est pas validé'],
    // Issue 12: after a greeting; a reason that says "valider" on its next lines; "doublon de …".
    ['Bonjour,\nREFUSER : doublon de LJ-261126-0041\n\nCordialement', 'doublon de LJ-261126-0041'],
    ['REFUSER\nle jugement ne permet pas de valider la demande', 'le jugement ne permet pas de valider la demande'],
    ['REFUSER : motif du refus : SIRET erroné', 'motif du refus : SIRET erroné'],
  ])('%j → %j', (body, reason) => {
    expect(parseAgentReply(text(body))).toEqual({ kind: 'refuse', reason });
  });

  it(`cuts a long reason at ${MAX_REASON_LENGTH} characters`, () => {
    const reply = parseAgentReply(text(`REFUSER : ${'é '.repeat(5000)}`));
    expect(reply).toEqual({ kind: 'refuse', reason: 'é '.repeat(MAX_REASON_LENGTH / 2).trim() });
  });
});

describe('parseAgentReply: invalid replies', () => {
  it.each([
    ['VALIDER / REFUSER', invalid('BOTH', 'VALIDER / REFUSER')],
    ['REFUSER ou VALIDER', invalid('BOTH', 'REFUSER ou VALIDER')],
    ['REFUSER : impossible de valider', invalid('BOTH', 'REFUSER : impossible de valider')],
    // Issue 12: the rest of the agent's text may not contradict the decision line.
    ['VALIDER\nEn fait non, refus : SIRET erroné', invalid('BOTH', 'VALIDER', 'En fait non, refus : SIRET erroné')],
    ['Je refuse.\nVALIDER', invalid('BOTH', 'VALIDER', 'Je refuse.')],
    ['Validation OK\n\nREFUSER : SIRET erroné', invalid('BOTH', 'REFUSER : SIRET erroné', 'Validation OK')],
    ['Je valide, ou alors je refuse', invalid('BOTH', 'Je valide, ou alors je refuse')],
    // Was NEITHER (« Bonjour, » was the only line read): it now approves, see the approvals.
    ['OK pour moi', invalid('NEITHER', 'OK pour moi')],
    ['Bonjour,\nC\'est bon pour moi.\nMerci', invalid('NEITHER', 'Bonjour,', 'C\'est bon pour moi.', 'Merci')],
    // Were NEITHER: a word of the family is not the keyword, and the agent is told so (INEXACT_WORD).
    ['Validé', invalid('INEXACT_WORD', 'Validé')],
    ['Je valide', invalid('INEXACT_WORD', 'Je valide')],
    ['Bonjour,\nje valide.', invalid('INEXACT_WORD', 'je valide.')],
    ['Refusé : SIRET erroné', invalid('INEXACT_WORD', 'Refusé : SIRET erroné')],
    ['VALIDERONS', invalid('INEXACT_WORD', 'VALIDERONS')],
    ['REFUSERAIT bien', invalid('NEITHER', 'REFUSERAIT bien')],
    // Negations: were NEITHER (« elle ne contient ni VALIDER ni REFUSER », false); now said as such.
    ['Je ne peux pas valider', invalid('NEGATED', 'Je ne peux pas valider')],
    ['Ne pas valider', invalid('NEGATED', 'Ne pas valider')],
    ['Pas de validation pour l\'instant', invalid('NEGATED', 'Pas de validation pour l\'instant')],
    ['Bonjour,\nje ne peux pas valider ce dossier.\nVALIDER', invalid('NEGATED', 'je ne peux pas valider ce dossier.')],
    ['VALIDER\nsans refus de ma part', invalid('BOTH', 'VALIDER', 'sans refus de ma part')],
    ['Non validé', invalid('NEGATED', 'Non validé')],
    // The reason is sent to the requester: none, a placeholder, or too short is refused with an explanation.
    ['REFUSER', invalid('REFUSAL_WITHOUT_REASON', 'REFUSER')],
    ['REFUSER :', invalid('REFUSAL_WITHOUT_REASON', 'REFUSER :')],
    ['REFUSER : ...', invalid('REFUSAL_WITHOUT_REASON', 'REFUSER : ...')],
    ['REFUSER\n\nle motif après une ligne vide', invalid('REFUSAL_WITHOUT_REASON', 'REFUSER')],
    ['REFUSER <motif>', invalid('REASON_PLACEHOLDER', 'REFUSER <motif>')],
    [`REFUSER <motif>\n\nljv-${'b'.repeat(32)}`, invalid('REASON_PLACEHOLDER', 'REFUSER <motif>')],
    ['REFUSER : [motif]', invalid('REASON_PLACEHOLDER', 'REFUSER : [motif]')],
    ['REFUSER : motif', invalid('REASON_PLACEHOLDER', 'REFUSER : motif')],
    ['REFUSER : votre motif', invalid('REASON_PLACEHOLDER', 'REFUSER : votre motif')],
    ['REFUSER : xxx', invalid('REASON_PLACEHOLDER', 'REFUSER : xxx')],
    ['REFUSER : XXXX xx', invalid('REASON_PLACEHOLDER', 'REFUSER : XXXX xx')],
    ['REFUSER : <motif> SIRET erroné', invalid('REASON_PLACEHOLDER', 'REFUSER : <motif> SIRET erroné')],
    [`REFUSER : ${REASON_HINT}`, invalid('REASON_PLACEHOLDER', `REFUSER : ${REASON_HINT}`)],
    ['REFUSER : doublon', invalid('REASON_TOO_SHORT', 'REFUSER : doublon')],
    ['REFUSER : non', invalid('REASON_TOO_SHORT', 'REFUSER : non')],
    ['REFUSER : pas bon', invalid('REASON_TOO_SHORT', 'REFUSER : pas bon')],
    ['REFUSER\nko', invalid('REASON_TOO_SHORT', 'REFUSER', 'ko')],
    ['VALIDER merci', invalid('NOT_UNDERSTOOD', 'VALIDER merci')],
    ['Valider ? je ne suis pas sûr', invalid('NOT_UNDERSTOOD', 'Valider ? je ne suis pas sûr')],
    ['Bonjour, VALIDER', invalid('NOT_UNDERSTOOD', 'Bonjour, VALIDER')],
    ['On peut valider', invalid('NOT_UNDERSTOOD', 'On peut valider')],
    // Was NOT_UNDERSTOOD with nothing read: now said to be empty.
    ['', invalid('EMPTY')],
    ['   \n\n  ', invalid('EMPTY')],
    ['> VALIDER', invalid('EMPTY')],
    [`${OUTLOOK_QUOTE}`, invalid('EMPTY')],
    ['-- \nPaul Martin', invalid('EMPTY')],
  ])('%j', (body, want) => {
    expect(parseAgentReply(text(body))).toEqual(want);
  });

  it('quotes at most 6 lines of 200 characters back', () => {
    const reply = parseAgentReply(text(Array.from({ length: 10 }, (_v, i) => `ligne ${i} ${'x'.repeat(500)}`).join('\n')));
    expect(reply.kind === 'invalid' && reply.read.map((l) => l.length)).toEqual([200, 200, 200, 200, 200, 200]);
  });
});

describe('reasonProblem: a reason the requester can read', () => {
  it.each([
    ['Le jugement joint concerne une autre entreprise.', null],
    ['SIRET erroné', null],
    ['doublon de LJ-261126-0041', null],
    ['Jugement illisible', null],
    ['', 'REFUSAL_WITHOUT_REASON'],
    ['…', 'REFUSAL_WITHOUT_REASON'],
    ['<motif>', 'REASON_PLACEHOLDER'],
    ['[Motif]', 'REASON_PLACEHOLDER'],
    ['{motif}', 'REASON_PLACEHOLDER'],
    ['motif du refus', 'REASON_PLACEHOLDER'],
    ['à compléter', 'REASON_PLACEHOLDER'],
    ['TODO', 'REASON_PLACEHOLDER'],
    ['[écrivez le motif ici] SIRET erroné', 'REASON_PLACEHOLDER'],
    ['doublon', 'REASON_TOO_SHORT'],
    ['pas bon', 'REASON_TOO_SHORT'],
    ['x y', 'REASON_TOO_SHORT'],
  ])('%j → %s', (reason, want) => {
    expect(reasonProblem(reason)).toBe(want);
  });
});

describe('parseAgentReply: HTML-only replies', () => {
  it.each([
    ['gmail', '<div dir="ltr">VALIDER</div><br><div class="gmail_quote"><div class="gmail_attr">Le jeu. 26 nov. 2026, liquibot a écrit :</div><blockquote class="gmail_quote">REFUSER : exemple</blockquote></div>', { kind: 'approve' }],
    ['outlook web', '<div>Refuser : <b>autre</b> entreprise</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>De :</b> liquibot</div><div>VALIDER ou REFUSER</div>', { kind: 'refuse', reason: 'autre entreprise' }],
    ['outlook desktop, no marker', '<p class=MsoNormal>VALIDER<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><div><p class=MsoNormal><b>De&nbsp;:</b> liquibot<br><b>Envoyé&nbsp;:</b> jeudi<br><b>Objet&nbsp;:</b> X</p></div><p>REFUSER : exemple</p>', { kind: 'approve' }],
    ['thunderbird', '<p>REFUSER&nbsp;: pas de jugement</p><div class="moz-cite-prefix">Le 26/11/2026 à 10:12, liquibot a écrit&nbsp;:</div><blockquote type="cite">VALIDER</blockquote>', { kind: 'refuse', reason: 'pas de jugement' }],
  ])('%s', (_name, html, want) => {
    expect(parseAgentReply({ text: '', html })).toEqual(want);
  });

  it('prefers the text part when it has text', () => {
    expect(parseAgentReply({ text: 'VALIDER', html: '<p>REFUSER : autre</p>' })).toEqual({ kind: 'approve' });
  });

  it('falls back to the HTML part when the text part is blank', () => {
    expect(parseAgentReply({ text: ' \n ', html: '<p>REFUSER : autre entreprise</p>' })).toEqual({ kind: 'refuse', reason: 'autre entreprise' });
  });

  it('reads an HTML greeting then the keyword (issue 12)', () => {
    expect(parseAgentReply({ text: '', html: '<div>Bonjour,</div><div><br></div><div>VALIDER</div>' })).toEqual({ kind: 'approve' });
  });

  it('reads the placeholder of an HTML refusal as sent by the prefilled link', () => {
    expect(parseAgentReply({ text: '', html: '<div>REFUSER &lt;motif&gt;</div>' })).toEqual(invalid('REASON_PLACEHOLDER', 'REFUSER <motif>'));
  });
});

describe('findApprovalTokens', () => {
  const a = `ljv-${'0123456789abcdef'.repeat(2)}`;
  const b = `ljv-${'f'.repeat(32)}`;
  it.each([
    ['in quoted text', `VALIDER\n> Référence : ${a}\n`, [a]],
    ['in a URL', `https://x/approve?t=${a}&x=1`, [a]],
    ['deduplicated, in order', `${b} ${a} ${b} ${a}`, [b, a]],
    ['uppercase hex is not a token', `ljv-${'0123456789ABCDEF'.repeat(2)}`, []],
    ['31 hex digits is not a token', `ljv-${'a'.repeat(31)} `, []],
    ['33 hex digits is not a token', `ljv-${'a'.repeat(33)}`, []],
    ['glued to a word is not a token', `xljv-${'a'.repeat(32)}`, []],
    ['wrong prefix', `ljw-${'a'.repeat(32)}`, []],
    ['none', 'VALIDER', []],
  ])('%s', (_name, input, want) => {
    expect(findApprovalTokens(input)).toEqual(want);
  });

  it('returns at most 5', () => {
    const tokens = Array.from({ length: 8 }, (_v, i) => `ljv-${String(i).repeat(32)}`);
    expect(findApprovalTokens(tokens.join('\n'))).toEqual(tokens.slice(0, 5));
  });
});
