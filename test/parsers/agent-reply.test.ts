import { describe, expect, it } from 'vitest';
import { findApprovalTokens, MAX_REASON_LENGTH, parseAgentReply, type AgentReply } from '../../parsers/agent-reply';

const text = (t: string) => ({ text: t, html: null });
const invalid = (error: string, firstLine: string | null): AgentReply => ({ kind: 'invalid', error, firstLine }) as AgentReply;

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
  ])('%j', (body) => {
    expect(parseAgentReply(text(body))).toEqual({ kind: 'approve' });
  });
});

describe('parseAgentReply: refusals', () => {
  it.each([
    ['REFUSER: motif', 'motif'],
    ['REFUSER : motif', 'motif'],
    ['Refuser\u00a0: motif', 'motif'],
    ['Refuser - motif', 'motif'],
    ['Refuser – motif', 'motif'],
    ['refuser motif', 'motif'],
    ['REFUSÉR, motif', 'motif'],
    ['**REFUSER** : motif', 'motif'],
    ['REFUSER : le jugement concerne une autre société', 'le jugement concerne une autre société'],
    ['REFUSER\nle document est illisible', 'le document est illisible'],
    ['REFUSER : ligne 1\nligne 2\n\nCordialement,\nPaul', 'ligne 1\nligne 2'],
    ['REFUSER : motif\n-- \nPaul Martin', 'motif'],
    ['REFUSER : motif\n--\nPaul Martin', 'motif'],
    ['REFUSER : motif\tavec\u0007 contrôle\u202e\u200b', 'motif avec contrôle'],
    [`REFUSER : SIRET différent${OUTLOOK_QUOTE}`, 'SIRET différent'],
    [`Refuser : pas de jugement${GMAIL_QUOTE}`, 'pas de jugement'],
    ['REFUSER : le jugement n\'est pas validé', 'le jugement n\'est pas validé'],
  ])('%j → %j', (body, reason) => {
    expect(parseAgentReply(text(body))).toEqual({ kind: 'refuse', reason });
  });

  it(`cuts a long reason at ${MAX_REASON_LENGTH} characters`, () => {
    const reply = parseAgentReply(text(`REFUSER : ${'é'.repeat(5000)}`));
    expect(reply).toEqual({ kind: 'refuse', reason: 'é'.repeat(MAX_REASON_LENGTH) });
  });
});

describe('parseAgentReply: invalid replies', () => {
  it.each([
    ['VALIDER / REFUSER', invalid('BOTH', 'VALIDER / REFUSER')],
    ['REFUSER ou VALIDER', invalid('BOTH', 'REFUSER ou VALIDER')],
    ['REFUSER : impossible de valider', invalid('BOTH', 'REFUSER : impossible de valider')],
    ['Bonjour,\nVALIDER', invalid('NEITHER', 'Bonjour,')],
    ['OK pour moi', invalid('NEITHER', 'OK pour moi')],
    ['Validé', invalid('NEITHER', 'Validé')],
    ['Refusé : motif', invalid('NEITHER', 'Refusé : motif')],
    ['Je ne peux pas valider', invalid('NEITHER', 'Je ne peux pas valider')],
    ['REFUSERAIT bien', invalid('NEITHER', 'REFUSERAIT bien')],
    ['VALIDERONS', invalid('NEITHER', 'VALIDERONS')],
    ['REFUSER', invalid('REFUSAL_WITHOUT_REASON', 'REFUSER')],
    ['REFUSER :', invalid('REFUSAL_WITHOUT_REASON', 'REFUSER :')],
    ['REFUSER : ...', invalid('REFUSAL_WITHOUT_REASON', 'REFUSER : ...')],
    ['REFUSER\n\nle motif après une ligne vide', invalid('REFUSAL_WITHOUT_REASON', 'REFUSER')],
    ['VALIDER merci', invalid('NOT_UNDERSTOOD', 'VALIDER merci')],
    ['Valider ? je ne suis pas sûr', invalid('NOT_UNDERSTOOD', 'Valider ? je ne suis pas sûr')],
    ['', invalid('NOT_UNDERSTOOD', null)],
    ['   \n\n  ', invalid('NOT_UNDERSTOOD', null)],
    ['> VALIDER', invalid('NOT_UNDERSTOOD', null)],
    [`${OUTLOOK_QUOTE}`, invalid('NOT_UNDERSTOOD', null)],
    ['-- \nPaul Martin', invalid('NOT_UNDERSTOOD', null)],
  ])('%j', (body, want) => {
    expect(parseAgentReply(text(body))).toEqual(want);
  });

  it('cuts the first line it echoes', () => {
    const reply = parseAgentReply(text(`Bonjour ${'x'.repeat(500)}`));
    expect(reply.kind === 'invalid' && reply.firstLine?.length).toBe(200);
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
    expect(parseAgentReply({ text: ' \n ', html: '<p>REFUSER : autre</p>' })).toEqual({ kind: 'refuse', reason: 'autre' });
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
